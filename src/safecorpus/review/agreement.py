"""Inter-annotator agreement on the doubly labelled items: Cohen's kappa per risk group and per annotator.

Each doubly labelled item contributes its first two labels. Per group, a label says yes when it names a
risk of that group; per annotator, yes means "violating" (any risk), against the other labeller.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.review.models import Item, Label, User
from safecorpus.taxonomy.risks import load_taxonomy


@dataclass(frozen=True)
class Kappa:
    n: int
    observed: float
    kappa: float | None  # None when chance agreement is 1 (both always said the same single thing)


def cohen_kappa(pairs: Sequence[tuple[bool, bool]]) -> Kappa:
    n = len(pairs)
    if n == 0:
        return Kappa(0, 0.0, None)
    po = sum(a == b for a, b in pairs) / n
    pa = sum(a for a, _ in pairs) / n
    pb = sum(b for _, b in pairs) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return Kappa(n, po, None if pe >= 1.0 else (po - pe) / (1 - pe))


def _pairs(engine: Engine) -> list[tuple[tuple[str, list[str]], tuple[str, list[str]]]]:
    with Session(engine) as s:
        rows = s.execute(
            select(Label.item_id, User.username, Label.risks)
            .join(Item, Item.id == Label.item_id)
            .join(User, User.id == Label.user_id)
            .where(Item.labels_needed >= 2)
            .order_by(Label.item_id, Label.id)
        ).all()
    by_item: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
    for item_id, name, risks in rows:
        by_item[item_id].append((name, list(risks)))
    return [(labs[0], labs[1]) for labs in by_item.values() if len(labs) >= 2]


def agreement(engine: Engine) -> dict[str, dict[str, Kappa]]:
    pairs = _pairs(engine)
    groups = {}
    for group in load_taxonomy().groups:
        prefix = group.id + "."
        groups[group.id] = cohen_kappa(
            [
                (any(r.startswith(prefix) for r in a[1]), any(r.startswith(prefix) for r in b[1]))
                for a, b in pairs
            ]
        )
    groups["any"] = cohen_kappa([(bool(a[1]), bool(b[1])) for a, b in pairs])
    per_user: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for a, b in pairs:
        per_user[a[0]].append((bool(a[1]), bool(b[1])))
        per_user[b[0]].append((bool(b[1]), bool(a[1])))
    return {"groups": groups, "annotators": {u: cohen_kappa(p) for u, p in sorted(per_user.items())}}
