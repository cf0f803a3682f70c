"""Prevalence corrected for detector error, with an interval that carries the calibration's uncertainty.

A detector flags ``flagged`` of ``screened`` items; reviewed items say how often it is right. Two
calibration designs are supported:

- ``independent`` (default): the reviewed items are a sample independent of the screened one (a validation
  set, or a separate random sample). Sensitivity is estimated from the truly positive reviewed items
  (tp, fn), specificity from the truly negative ones (fp, tn), and the flagged rate is corrected by
  Rogan–Gladen: ``(q + Sp - 1) / (Se + Sp - 1)``, clipped to [0, 1].
- ``stratified``: the reviewed items are random subsamples of the flagged stratum (tp, fp) and of the
  unflagged stratum (fn, tn) of the screened items, at any sampling fractions. The prevalence is then
  ``q * PPV + (1 - q) * FOR`` (the two-phase estimator), which is Rogan–Gladen with the sensitivity and
  specificity weighted for the strata's sampling fractions; it is always defined.

The interval is the range of the estimator over the box formed by exact (Clopper–Pearson) intervals for
its three independent binomial inputs, each at level ``confidence ** (1/3)``. With probability at least
``confidence`` all three true values lie in their intervals, and then the true prevalence lies in the
range, so coverage is at least ``confidence`` for every prevalence, sensitivity, specificity and sample
size (a property the simulation in benchmarks/sequential.py confirms; it is conservative in return).
The estimator is monotone in each input while Se + Sp > 1, so the range is attained at the box's corners.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from safecorpus.assess.stats import cp_bounds

Calibration = Literal["independent", "stratified"]
METHODS = {
    "independent": "Rogan–Gladen, clipped to [0, 1]; interval: range over the box of exact Clopper–Pearson "
    "intervals for the flagged rate, sensitivity and specificity, each at confidence^(1/3)",
    "stratified": "two-phase estimator q·PPV + (1−q)·FOR (Rogan–Gladen with stratum-weighted sensitivity "
    "and specificity); interval: range over the box of exact Clopper–Pearson intervals for the flagged "
    "rate, PPV and FOR, each at confidence^(1/3)",
}


@dataclass(frozen=True)
class CorrectedRate:
    """A corrected prevalence. ``rate`` is None where the correction is undefined (see ``note``)."""

    rate: float | None
    low: float
    high: float
    raw_rate: float
    sensitivity: float | None
    specificity: float | None
    method: str
    calibration: str
    confidence: float
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rogan_gladen(q: np.ndarray, se: np.ndarray, sp: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (q + sp - 1.0) / (se + sp - 1.0)


def box_interval(
    flagged: Any,
    screened: Any,
    tp: Any,
    fn: Any,
    fp: Any,
    tn: Any,
    confidence: float = 0.95,
    calibration: Calibration = "independent",
    census: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The corrected interval for arrays of counts (what :func:`corrected_prevalence` and the benchmark use).

    ``census``: the screened items are the whole population, so the flagged rate has no sampling error and
    the two calibration intervals get level ``confidence ** (1/2)`` each.
    """
    flagged, screened, tp, fn, fp, tn = (np.asarray(x, float) for x in (flagged, screened, tp, fn, fp, tn))
    level = confidence ** (1 / 2) if census else confidence ** (1 / 3)
    exact_q = (flagged / np.maximum(screened, 1),) * 2
    q_box = exact_q if census else cp_bounds(flagged, screened, level)
    if calibration == "stratified":
        a_box = cp_bounds(tp, tp + fp, level)  # PPV
        b_box = cp_bounds(fn, fn + tn, level)  # false omission rate
        stack = np.stack([q * a + (1 - q) * b for q, a, b in itertools.product(q_box, a_box, b_box)])
        return np.clip(stack.min(axis=0), 0, 1), np.clip(stack.max(axis=0), 0, 1)
    se_box = cp_bounds(tp, tp + fn, level)
    sp_box = cp_bounds(tn, tn + fp, level)
    denominators = np.stack([se + sp - 1.0 for se, sp in itertools.product(se_box, sp_box)])
    corners = np.stack([_rogan_gladen(q, se, sp) for q, se, sp in itertools.product(q_box, se_box, sp_box)])
    undefined = (denominators <= 0).any(axis=0)  # Se + Sp may reach 1 inside the box: no bound
    low = np.where(undefined, 0.0, np.clip(np.nanmin(corners, axis=0), 0, 1))
    high = np.where(undefined, 1.0, np.clip(np.nanmax(corners, axis=0), 0, 1))
    return low, high


def _check(**counts: int) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ValueError(f"{name} must be a whole number ≥ 0, got {value!r}")
    if counts["flagged"] > counts["screened"]:
        raise ValueError(f"flagged ({counts['flagged']}) cannot exceed screened ({counts['screened']})")
    if counts["screened"] == 0:
        raise ValueError("screened must be > 0: nothing was screened")


def corrected_prevalence(
    flagged: int,
    screened: int,
    tp: int,
    fn: int,
    fp: int,
    tn: int,
    confidence: float = 0.95,
    calibration: Calibration = "independent",
    census: bool = False,
) -> CorrectedRate:
    """Prevalence corrected for detector error, from the flagged rate and reviewed calibration counts.

    tp: flagged and truly violating; fn: not flagged but violating; fp: flagged but clean; tn: neither.
    """
    _check(flagged=flagged, screened=screened, tp=tp, fn=fn, fp=fp, tn=tn)
    if not 0.5 <= confidence < 1:
        raise ValueError(f"confidence must lie in [0.5, 1), got {confidence!r}")
    if calibration not in METHODS:
        raise ValueError(f"calibration must be one of {sorted(METHODS)}, got {calibration!r}")
    q = flagged / screened
    lo, hi = box_interval(flagged, screened, tp, fn, fp, tn, confidence, calibration, census)
    low, high = float(lo), float(hi)
    note = None
    if calibration == "stratified":
        if tp + fp == 0 and flagged > 0:
            note = "no flagged item was reviewed: the precision is unknown"
        if fn + tn == 0 and flagged < screened:
            note = "no unflagged item was reviewed: the false-omission rate is unknown"
        ppv = tp / (tp + fp) if tp + fp else 0.0
        fo = fn / (fn + tn) if fn + tn else 0.0
        mixed = q * ppv + (1 - q) * fo
        se = q * ppv / mixed if mixed > 0 else None
        sp = (1 - q) * (1 - fo) / (1 - mixed) if mixed < 1 else None
        return CorrectedRate(
            None if note else mixed, low, high, q, se, sp, METHODS[calibration], calibration, confidence, note
        )
    se = tp / (tp + fn) if tp + fn else None
    sp = tn / (tn + fp) if tn + fp else None
    rate: float | None = None
    if se is None:
        note = "no reviewed item was truly violating: the sensitivity is unknown"
    elif sp is None:
        note = "no reviewed item was truly clean: the specificity is unknown"
    elif se + sp <= 1:
        note = (
            f"sensitivity + specificity = {se + sp:.3f} ≤ 1: the detector is no better than chance on the "
            "reviewed items, so the flagged rate cannot be corrected"
        )
    else:
        rate = min(1.0, max(0.0, (q + sp - 1) / (se + sp - 1)))
    return CorrectedRate(rate, low, high, q, se, sp, METHODS[calibration], calibration, confidence, note)
