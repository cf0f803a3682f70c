"""Reviewed items as a calibration set for the detectors, and the manual-sample result.

``calibration_counts`` gives, per detector layer, the 2×2 table of "the layer flagged the item" against
"the reviewer's final label says violating" over a source's reviewed items: what a prevalence
correction (sensitivity and specificity per source and layer) needs. Only reviewed labels count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.assess import stats
from safecorpus.review.models import Item

MANUAL_MIN_ITEMS = 4000  # TC260-9.2.a: fixed by the standard
MANUAL_MIN_CLEAN = 0.96


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


def calibration_counts(engine: Engine, source: str, queue: str = "source") -> dict[str, Counts]:
    """Per layer (and ``any`` = the combined decision), the 2×2 counts over reviewed items of ``source``."""
    with Session(engine) as s:
        rows = s.execute(
            select(Item.flagged_layers, Item.final_risks).where(
                Item.source == source, Item.queue == queue, Item.state == "done"
            )
        ).all()
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


def manual_sample_result(engine: Engine, confidence: float = 0.95) -> dict[str, Any]:
    """The corpus manual sample (≥4,000 items, ≥96% clean) from reviewed labels, with its exact interval."""
    with Session(engine) as s:
        finals = list(s.scalars(select(Item.final_risks).where(Item.queue == "manual", Item.state == "done")))
        waiting = len(list(s.scalars(select(Item.id).where(Item.queue == "manual", Item.state != "done"))))
    n = len(finals)
    clean = sum(not is_violating(f) for f in finals)
    est = stats.estimate(clean, n, confidence=confidence)
    verdict, marginal = stats.threshold_verdict(est, MANUAL_MIN_CLEAN) if n else ("inconclusive", False)
    return {
        "reviewed": n,
        "not_yet_reviewed": waiting,
        "required": MANUAL_MIN_ITEMS,
        "complete": n >= MANUAL_MIN_ITEMS,
        "clean": clean,
        "clean_rate": est.rate,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "min_clean_rate": MANUAL_MIN_CLEAN,
        "verdict": verdict if n >= MANUAL_MIN_ITEMS else "incomplete",
        "marginal": marginal,
    }
