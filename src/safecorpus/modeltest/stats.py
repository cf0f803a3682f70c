"""Rates with 95% Clopper–Pearson intervals and threshold verdicts (meets / fails, flagged marginal),
for model tests, where a threshold can bound the rate from below (pass rate) or from above (refusal of
questions that should be answered). The interval itself is `safecorpus.assess.stats.clopper_pearson`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safecorpus.assess.stats import clopper_pearson

__all__ = ["RateVerdict", "clopper_pearson"]


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
