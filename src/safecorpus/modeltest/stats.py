"""Rates with 95% Clopper–Pearson intervals and threshold verdicts (meets / fails, flagged marginal).

Uses :func:`safecorpus.assess.stats.clopper_pearson` where that module exists; otherwise a pure-Python
inverse of the regularised incomplete beta function (Lentz continued fraction plus bisection) gives the
same exact interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
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
        if hi - lo < 1e-13:
            break
    return (lo + hi) / 2


def _local_clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    if n <= 0:
        return (0.0, 1.0)
    alpha = 1.0 - confidence
    lower = 0.0 if k == 0 else beta_ppf(alpha / 2, k, n - k + 1)
    upper = 1.0 if k == n else beta_ppf(1 - alpha / 2, k + 1, n - k)
    return (lower, upper)


try:  # the shared helper, where the lead's module has landed
    from safecorpus.assess.stats import clopper_pearson as _shared_cp  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on what else is installed
    _shared_cp = None


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    if n <= 0:
        return (0.0, 1.0)
    if _shared_cp is not None:
        lo, hi = _shared_cp(k, n, confidence)
        return (float(lo), float(hi))
    return _local_clopper_pearson(k, n, confidence)


@dataclass(frozen=True, slots=True)
class RateVerdict:
    """``k`` of ``n`` against a threshold: ``direction`` is ``>=`` (rate must reach it) or ``<=``."""

    k: int
    n: int
    threshold: float
    direction: str
    confidence: float = 0.95

    @property
    def rate(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float]:
        return clopper_pearson(self.k, self.n, self.confidence)

    @property
    def verdict(self) -> str:
        """*meets* / *fails* by the point estimate, as the standard words it; no data fails."""
        rate = self.rate
        if rate is None:
            return "fails"
        ok = rate >= self.threshold if self.direction == ">=" else rate <= self.threshold
        return "meets" if ok else "fails"

    @property
    def marginal(self) -> bool:
        """True when the interval straddles the threshold: another draw could well flip the verdict."""
        if not self.n:
            return False
        lo, hi = self.interval
        return lo <= self.threshold <= hi

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.interval
        return {
            "k": self.k,
            "n": self.n,
            "rate": self.rate,
            "ci_low": lo,
            "ci_high": hi,
            "confidence": self.confidence,
            "threshold": self.threshold,
            "direction": self.direction,
            "verdict": self.verdict,
            "marginal": self.marginal,
        }

    def label(self) -> str:
        return f"{self.verdict} (marginal)" if self.marginal else self.verdict
