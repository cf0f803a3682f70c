"""Per source and detector layer: the flagged rate of the latest assess run corrected by reviewed labels.

The ``source`` queue holds the records an ``assess`` run sampled for each source (``review load-run``), so
the reviewed items are a random subsample of the very items that were screened, drawn without regard to
whether a detector flagged them. Within each stratum (flagged / not flagged) they are therefore a random
subsample too, which is the ``stratified`` (two-phase) design of ``assess.prevalence``: the flagged rate
``q`` comes from the run, precision and false-omission rate from the reviewed items of that run. The
``independent`` design would be wrong here: its sample is assumed to be drawn apart from the screened one.
When the run's sample is the whole source (``census``), ``q`` carries no sampling error.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.assess.prevalence import corrected_prevalence
from safecorpus.registry.db import SourceResult
from safecorpus.review.calibration import calibration_counts
from safecorpus.review.models import Item

CALIBRATION: Final = "stratified"


def latest_run(engine: Engine, source: str) -> str | None:
    """The run whose sampled items of ``source`` were most recently loaded for review."""
    with Session(engine) as s:
        return s.scalar(
            select(Item.run_id)
            .where(Item.source == source, Item.queue == "source", Item.run_id.is_not(None))
            .group_by(Item.run_id)
            .order_by(func.max(Item.id).desc())
            .limit(1)
        )


def corrected_for_source(engine: Engine, source: str, confidence: float = 0.95) -> dict[str, Any] | None:
    """Calibration counts and the corrected prevalence per layer (and ``any``), or None without data."""
    run_id = latest_run(engine, source)
    if run_id is None:
        return None
    with Session(engine) as s:
        result = s.scalar(
            select(SourceResult).where(SourceResult.run_id == run_id, SourceResult.name == source)
        )
    if result is None or result.sampled == 0:
        return None
    counts = calibration_counts(engine, source, run_id=run_id)
    layers: dict[str, Any] = {}
    for layer, c in counts.items():
        flagged = result.violations if layer == "any" else int((result.layers or {}).get(layer, 0))
        est = corrected_prevalence(
            flagged,
            result.sampled,
            tp=c.flagged_violating,
            fn=c.unflagged_violating,
            fp=c.flagged_clean,
            tn=c.unflagged_clean,
            confidence=confidence,
            calibration=CALIBRATION,
            census=bool(result.census),
        )
        layers[layer] = {"flagged": flagged, "reviewed": c.n, **est.to_dict()}
    return {"run_id": run_id, "screened": result.sampled, "census": bool(result.census), "layers": layers}


def corrected_table(engine: Engine, confidence: float = 0.95) -> dict[str, dict[str, Any]]:
    """:func:`corrected_for_source` for every source with reviewed items of the ``source`` queue."""
    with Session(engine) as s:
        sources = sorted(
            set(s.scalars(select(Item.source).where(Item.queue == "source", Item.state == "done")))
        )
    out = {}
    for source in sources:
        row = corrected_for_source(engine, source, confidence)
        if row is not None:
            out[source] = row
    return out
