"""Exact binomial intervals and threshold verdicts, in pure Python (no SciPy needed at run time).

Clopper–Pearson bounds are quantiles of Beta distributions; the regularised incomplete beta function is
evaluated by its continued fraction (modified Lentz) and inverted by bisection, which is exact to ~1e-12
and fast enough for any sample size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _betacf(a: float, b: float, x: float) -> float:
    tiny, eps = 1e-300, 3e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def beta_ppf(q: float, a: float, b: float) -> float:
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if betainc(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-14:
            break
    return (lo + hi) / 2


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided interval for a binomial proportion k/n."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"k={k} must lie in [0, n={n}]")
    alpha = 1.0 - confidence
    low = 0.0 if k == 0 else beta_ppf(alpha / 2, k, n - k + 1)
    high = 1.0 if k == n else beta_ppf(1 - alpha / 2, k + 1, n - k)
    return low, high


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
