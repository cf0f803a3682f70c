"""Exact binomial intervals and threshold verdicts.

Clopper–Pearson bounds are quantiles of Beta distributions, taken from SciPy's inverse regularised
incomplete beta function. This is the one implementation: the scalar :func:`clopper_pearson` (rates,
verdicts, model tests, the review's statistics) and the vectorised :func:`cp_bounds` (the prevalence box
intervals) are the same computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    return float(special.betainc(a, b, x))


def cp_bounds(k: Any, n: Any, level: Any) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised two-sided Clopper–Pearson bounds (n = 0 gives [0, 1])."""
    k, n, level = np.broadcast_arrays(np.asarray(k, float), np.asarray(n, float), np.asarray(level, float))
    tail = (1.0 - level) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k > 0, special.betaincinv(np.maximum(k, 1e-300), n - k + 1, tail), 0.0)
        high = np.where(k < n, special.betaincinv(k + 1, np.maximum(n - k, 1e-300), 1.0 - tail), 1.0)
    empty = n <= 0
    return np.where(empty, 0.0, low), np.where(empty, 1.0, high)


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided interval for a binomial proportion k/n."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"k={k} must lie in [0, n={n}]")
    low, high = cp_bounds(k, n, confidence)
    return float(low), float(high)


@dataclass(frozen=True, slots=True)
class RateEstimate:
    k: int
    n: int
    rate: float
    ci_low: float
    ci_high: float
    census: bool = False


def estimate(k: int, n: int, population: int | None = None, confidence: float = 0.95) -> RateEstimate:
    """Rate with its interval; a census (the sample is the whole population) has no sampling error."""
    rate = k / n if n else 0.0
    if population is not None and n >= population and n > 0:
        return RateEstimate(k, n, rate, rate, rate, census=True)
    low, high = clopper_pearson(k, n, confidence)
    return RateEstimate(k, n, rate, low, high)


def source_verdict(est: RateEstimate, max_rate: float) -> str:
    """``blacklist`` when the whole interval is above the threshold, ``pass`` when at or below it."""
    if est.n == 0:
        return "inconclusive"
    if est.ci_low > max_rate:
        return "blacklist"
    if est.ci_high <= max_rate:
        return "pass"
    return "inconclusive"


def sample_size_to_settle(
    rate: float, max_rate: float, confidence: float = 0.95, cap: int = 10_000_000
) -> int | None:
    """Smallest n at which, if the observed rate held, the interval would clear the threshold."""
    if abs(rate - max_rate) < 1e-12:
        return None

    def settles(n: int) -> bool:
        k = round(rate * n)
        low, high = clopper_pearson(k, n, confidence)
        return low > max_rate or high <= max_rate

    hi = 1
    while not settles(hi):
        hi *= 2
        if hi > cap:
            return None
    lo = hi // 2
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if settles(mid):
            hi = mid
        else:
            lo = mid
    return hi


def threshold_verdict(clean: RateEstimate, min_clean_rate: float) -> tuple[str, bool]:
    """(``meets`` | ``fails`` by the point estimate, marginal = the interval straddles the threshold)."""
    verdict = "meets" if clean.rate >= min_clean_rate else "fails"
    marginal = clean.ci_low < min_clean_rate <= clean.ci_high
    return verdict, marginal
