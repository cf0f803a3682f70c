"""The corpus manual sample (TC260-9.2.a): at least 4,000 reviewed items, at least 96% clean.

The standard fixes the size, so no sequential design applies here: the result is the clean rate of the
reviewed items with its exact interval, judged *meets* / *fails* by the point estimate (the standard's
wording) and flagged *marginal* when the interval straddles the threshold. A sample below the minimum
size is *incomplete*, whatever its rate. Only reviewed labels count (a safety label counts once someone
other than its annotator has reviewed it), so callers pass counts of reviewed items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from safecorpus.assess import stats
from safecorpus.taxonomy.profile import Profile


@dataclass(frozen=True)
class ManualSampleResult:
    clean: int
    total: int
    clean_rate: float
    ci_low: float
    ci_high: float
    confidence: float
    min_items: int
    min_clean_rate: float
    verdict: str  # meets | fails | incomplete
    marginal: bool
    shortfall: int  # reviewed items still needed to reach min_items

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def manual_sample_result(
    clean: int,
    total: int,
    min_items: int = 4000,
    min_clean_rate: float = 0.96,
    confidence: float = 0.95,
) -> ManualSampleResult:
    """The manual-sample result from counts of reviewed items (clean = no data risk found)."""
    for name, value in (("clean", clean), ("total", total), ("min_items", min_items)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number ≥ 0, got {value!r}")
    if clean > total:
        raise ValueError(f"clean ({clean}) cannot exceed total ({total})")
    if not 0 <= min_clean_rate <= 1:
        raise ValueError(f"min_clean_rate must lie in [0, 1], got {min_clean_rate!r}")
    est = stats.estimate(clean, total, confidence=confidence)
    if total == 0:
        verdict, marginal = "incomplete", False
    else:
        verdict, marginal = stats.threshold_verdict(est, min_clean_rate)
        if total < min_items:
            verdict = "incomplete"
    return ManualSampleResult(
        clean=clean,
        total=total,
        clean_rate=est.rate,
        ci_low=est.ci_low,
        ci_high=est.ci_high,
        confidence=confidence,
        min_items=min_items,
        min_clean_rate=min_clean_rate,
        verdict=verdict,
        marginal=marginal,
        shortfall=max(0, min_items - total),
    )


def from_profile(clean: int, total: int, profile: Profile) -> ManualSampleResult:
    """The result against the profile's [manual_sample] and [source] confidence."""
    return manual_sample_result(
        clean,
        total,
        min_items=int(profile.get("manual_sample.min_items")),
        min_clean_rate=float(profile.get("manual_sample.min_clean_rate")),
        confidence=float(profile.get("source.confidence")),
    )


def tally(clean_flags: Iterable[bool | None]) -> tuple[int, int]:
    """(clean, total) from one flag per reviewed item; None (not yet reviewed) is left out."""
    clean = total = 0
    for flag in clean_flags:
        if flag is None:
            continue
        total += 1
        clean += bool(flag)
    return clean, total
