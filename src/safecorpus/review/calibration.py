"""Reviewed items as a calibration set for the detectors, and the manual-sample result.

``calibration_counts`` gives, per detector layer, the 2×2 table of "the layer flagged the item" against
"the reviewer's final label says violating" over a source's reviewed items: what a prevalence
correction (sensitivity and specificity per source and layer) needs. Only reviewed labels count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.assess import manual_sample
from safecorpus.review.models import Item
from safecorpus.taxonomy.profile import Profile, load_profile


@dataclass
class Counts:
    flagged_violating: int = 0  # true positives
    flagged_clean: int = 0  # false positives
    unflagged_violating: int = 0  # false negatives
    unflagged_clean: int = 0  # true negatives

    @property
    def n(self) -> int:
        return self.flagged_violating + self.flagged_clean + self.unflagged_violating + self.unflagged_clean


def is_violating(risks: list[str] | None, queue: str = "source") -> bool:
    """Training data violates on a data risk (A.1–A.4); a model answer on any risk."""
    return any(queue == "model" or not r.startswith("A.5") for r in risks or [])


def calibration_counts(
    engine: Engine, source: str, queue: str = "source", run_id: str | None = None
) -> dict[str, Counts]:
    """Per layer (and ``any`` = the combined decision), the 2×2 counts over reviewed items of ``source``
    (only those loaded from ``run_id`` when given, so the counts match that run's flags)."""
    query = select(Item.flagged_layers, Item.final_risks).where(
        Item.source == source, Item.queue == queue, Item.state == "done"
    )
    if run_id is not None:
        query = query.where(Item.run_id == run_id)
    with Session(engine) as s:
        rows = s.execute(query).all()
    layers = sorted({layer for flagged, _ in rows for layer in flagged or []})
    out = {layer: Counts() for layer in [*layers, "any"]}
    for flagged, final in rows:
        violating = is_violating(final, queue)
        for layer, counts in out.items():
            hit = bool(flagged) if layer == "any" else layer in (flagged or [])
            attr = ("flagged_" if hit else "unflagged_") + ("violating" if violating else "clean")
            setattr(counts, attr, getattr(counts, attr) + 1)
    return out


def calibration_table(engine: Engine, queue: str = "source") -> dict[str, dict[str, dict[str, int]]]:
    with Session(engine) as s:
        sources = sorted(set(s.scalars(select(Item.source).where(Item.queue == queue, Item.state == "done"))))
    return {src: {k: asdict(v) for k, v in calibration_counts(engine, src, queue).items()} for src in sources}


def manual_sample_counts(engine: Engine) -> tuple[int, int, int]:
    """(clean, reviewed, not yet reviewed) over the corpus manual-sample queue; only reviewed items count."""
    with Session(engine) as s:
        finals = list(s.scalars(select(Item.final_risks).where(Item.queue == "manual", Item.state == "done")))
        waiting = s.scalar(select(func.count(Item.id)).where(Item.queue == "manual", Item.state != "done"))
    return sum(not is_violating(f) for f in finals), len(finals), int(waiting or 0)


def manual_sample_result(engine: Engine, profile: Profile | None = None) -> dict[str, Any]:
    """The corpus manual sample (TC260-9.2.a) from reviewed labels, judged by ``assess.manual_sample``."""
    clean, total, waiting = manual_sample_counts(engine)
    result = manual_sample.from_profile(clean, total, profile or load_profile())
    return {**result.to_dict(), "reviewed": total, "not_yet_reviewed": waiting, "required": result.min_items}
