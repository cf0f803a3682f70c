"""Corrected prevalence: Rogan–Gladen / two-phase estimates and the exact box interval."""

from __future__ import annotations

import math

import numpy as np
import pytest

from safecorpus.assess import stats
from safecorpus.assess.prevalence import box_interval, corrected_prevalence, cp_bounds


@pytest.mark.parametrize(("k", "n"), [(0, 10), (10, 10), (5, 20), (1, 100), (37, 539)])
def test_vectorised_clopper_pearson_matches_the_pure_python_one(k: int, n: int) -> None:
    low, high = cp_bounds(k, n, 0.95)
    ref_low, ref_high = stats.clopper_pearson(k, n, 0.95)
    assert math.isclose(float(low), ref_low, abs_tol=1e-9)
    assert math.isclose(float(high), ref_high, abs_tol=1e-9)


def test_rogan_gladen_point_estimate() -> None:
    # q = 0.1, Se = 0.8, Sp = 0.95: (0.1 + 0.95 - 1) / (0.8 + 0.95 - 1) = 0.0666…
    got = corrected_prevalence(200, 2000, tp=80, fn=20, fp=10, tn=190)
    assert got.raw_rate == 0.1 and got.sensitivity == 0.8 and got.specificity == 0.95
    assert got.rate is not None and math.isclose(got.rate, 0.05 / 0.75)
    assert got.low <= got.rate <= got.high and got.note is None


def test_estimate_is_clipped_to_the_unit_interval() -> None:
    assert corrected_prevalence(10, 2000, tp=90, fn=10, fp=20, tn=180).rate == 0.0
    assert corrected_prevalence(1990, 2000, tp=50, fn=50, fp=0, tn=100).rate == 1.0


def test_no_better_than_chance_is_undefined_with_a_note() -> None:
    got = corrected_prevalence(120, 2000, tp=5, fn=5, fp=10, tn=10)
    assert got.rate is None and (got.low, got.high) == (0.0, 1.0)
    assert got.note and "≤ 1" in got.note


def test_missing_calibration_class_is_said() -> None:
    got = corrected_prevalence(10, 2000, tp=0, fn=0, fp=10, tn=190)
    assert got.rate is None and got.note and "sensitivity is unknown" in got.note


def test_perfect_detector_leaves_the_flagged_rate_and_a_plain_interval() -> None:
    got = corrected_prevalence(100, 1000, tp=500, fn=0, fp=0, tn=500)
    assert got.rate == pytest.approx(0.1)
    # the calibration still has uncertainty, so the interval is wider than the flagged rate's own
    cp_low, cp_high = stats.clopper_pearson(100, 1000)
    assert got.low < cp_low and got.high > cp_high


def test_more_calibration_narrows_the_interval() -> None:
    small = corrected_prevalence(300, 5000, tp=18, fn=2, fp=5, tn=95)
    large = corrected_prevalence(300, 5000, tp=180, fn=20, fp=50, tn=950)
    assert large.high - large.low < small.high - small.low


def test_stratified_two_phase_estimate() -> None:
    # 10% flagged; 80% of reviewed flagged items are violations, 2% of reviewed unflagged ones
    got = corrected_prevalence(100, 1000, tp=40, fn=4, fp=10, tn=196, calibration="stratified")
    assert got.rate == pytest.approx(0.1 * 0.8 + 0.9 * 0.02)
    assert got.low <= got.rate <= got.high
    # the implied (stratum-weighted) sensitivity and specificity reproduce the estimate by Rogan–Gladen
    se, sp = got.sensitivity, got.specificity
    assert se is not None and sp is not None
    assert (0.1 + sp - 1) / (se + sp - 1) == pytest.approx(got.rate)


def test_census_of_the_flagged_rate_narrows_the_interval() -> None:
    args = (100, 1000, 40, 4, 10, 196)
    sampled = corrected_prevalence(*args, calibration="stratified")
    census = corrected_prevalence(*args, calibration="stratified", census=True)
    assert census.high - census.low < sampled.high - sampled.low


@pytest.mark.parametrize(
    "kwargs",
    [
        {"flagged": 5, "screened": 4, "tp": 1, "fn": 1, "fp": 1, "tn": 1},
        {"flagged": 0, "screened": 0, "tp": 1, "fn": 1, "fp": 1, "tn": 1},
        {"flagged": 1, "screened": 4, "tp": -1, "fn": 1, "fp": 1, "tn": 1},
        {"flagged": 1, "screened": 4, "tp": 1.5, "fn": 1, "fp": 1, "tn": 1},
    ],
)
def test_bad_counts_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        corrected_prevalence(**kwargs)


def test_coverage_in_a_small_hard_simulation() -> None:
    """Low prevalence, 20 positives and 100 negatives to calibrate: coverage stays ≥ 95%."""
    rng = np.random.default_rng(7)
    runs, prevalence, se, sp, screened = 4000, 0.01, 0.8, 0.95, 2000
    q = prevalence * se + (1 - prevalence) * (1 - sp)
    flagged = rng.binomial(screened, q, runs)
    tp = rng.binomial(20, se, runs)
    tn = rng.binomial(100, sp, runs)
    low, high = box_interval(flagged, screened, tp, 20 - tp, 100 - tn, tn)
    coverage = float(np.mean((low <= prevalence) & (prevalence <= high)))
    assert coverage >= 0.95, coverage
