"""Stop serving a source's items once the sequential design has decided from reviewed labels (opt-in).

The sequential test is valid only when items are judged in a random order fixed in advance. The assess
run's per-source sample is ranked by keyed hash (its ids file), so the labels are fed to
:class:`~safecorpus.assess.sequential.SequentialRun` in that rank order, up to the first item not yet
reviewed: later reviewed items wait until the gap is filled. Once the run decides, the source's
remaining ``source``-queue items are no longer handed out (:func:`safecorpus.review.queues.claim`'s
``exclude_sources``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.assess.sequential import SequentialDesign, SequentialRun
from safecorpus.errors import InputError
from safecorpus.registry.db import SourceResult
from safecorpus.review.calibration import is_violating
from safecorpus.review.corrected import latest_run
from safecorpus.review.models import Item


def ranked_ids(path: str | Path) -> list[str]:
    """Record ids of a run's per-source ids file in keyed-hash rank order."""
    rows = []
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("hash\t"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise InputError(f"{path}:{n}: expected tab-separated hash and id")
        rows.append((int(cols[0], 16), cols[1]))
    return [rid for _, rid in sorted(rows)]


def sequential_state(engine: Engine, source: str, design: SequentialDesign) -> dict[str, Any] | None:
    """The sequential test over the source's reviewed labels in rank order (None without a loaded run)."""
    run_id = latest_run(engine, source)
    if run_id is None:
        return None
    with Session(engine) as s:
        path = s.scalar(
            select(SourceResult.sampled_ids_file).where(
                SourceResult.run_id == run_id, SourceResult.name == source
            )
        )
        finals: dict[str, list[Any] | None] = dict(
            s.execute(
                select(Item.record_id, Item.final_risks).where(
                    Item.queue == "source", Item.source == source, Item.run_id == run_id, Item.state == "done"
                )
            ).all()
        )
    if path is None or not Path(path).exists():
        return None
    ranked = ranked_ids(path)
    run = SequentialRun(design, limit=len(ranked))
    for rid in ranked:
        if run.done or rid not in finals:
            break
        run.add(is_violating(finals[rid]))
    return {
        "run_id": run_id,
        "items_used": run.n,
        "violations": run.k,
        "decided": run.verdict is not None,
        "verdict": run.verdict,
    }


def decided_sources(engine: Engine, design: SequentialDesign) -> set[str]:
    """Sources whose sequential test has decided: their remaining items need no review for the 5% rule."""
    with Session(engine) as s:
        sources = set(s.scalars(select(Item.source).where(Item.queue == "source")))
    out = set()
    for source in sorted(sources):
        state = sequential_state(engine, source, design)
        if state and state["decided"]:
            out.add(source)
    return out
