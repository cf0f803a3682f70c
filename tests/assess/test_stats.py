from __future__ import annotations

import math

import pytest

from safecorpus.assess import stats


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 1 - 0.025 ** (1 / 10)),  # closed form when k = 0
        (10, 10, 0.025 ** (1 / 10), 1.0),
        (5, 20, 0.08657, 0.49105),  # published Clopper–Pearson values
        (1, 100, 0.000253, 0.054460),
    ],
)
def test_clopper_pearson_matches_known_values(k: int, n: int, low: float, high: float) -> None:
    got_low, got_high = stats.clopper_pearson(k, n)
    assert math.isclose(got_low, low, abs_tol=2e-5)
    assert math.isclose(got_high, high, abs_tol=2e-5)


def test_interval_brackets_the_rate_and_narrows_with_n() -> None:
    widths = []
    for n in (50, 500, 5000):
        low, high = stats.clopper_pearson(n // 20, n)
        assert low < 0.05 < high
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2]


def test_betainc_is_symmetric() -> None:
    assert math.isclose(stats.betainc(3, 7, 0.2), 1 - stats.betainc(7, 3, 0.8), rel_tol=1e-10)


def test_source_verdicts() -> None:
    assert stats.source_verdict(stats.estimate(60, 400), 0.05) == "blacklist"
    assert stats.source_verdict(stats.estimate(4, 400), 0.05) == "pass"
    assert stats.source_verdict(stats.estimate(20, 400), 0.05) == "inconclusive"


def test_census_has_no_sampling_error() -> None:
    est = stats.estimate(6, 100, population=100)
    assert est.census and est.ci_low == est.ci_high == 0.06
    assert stats.source_verdict(est, 0.05) == "blacklist"


def test_sample_size_to_settle_is_minimal() -> None:
    n = stats.sample_size_to_settle(0.03, 0.05)
    assert n is not None
    _, high = stats.clopper_pearson(round(0.03 * n), n)
    assert high <= 0.05
    _, high = stats.clopper_pearson(round(0.03 * (n - 1)), n - 1)
    assert high > 0.05
    assert stats.sample_size_to_settle(0.05, 0.05) is None


def test_threshold_verdict_marginal_flag() -> None:
    assert stats.threshold_verdict(stats.estimate(990, 1000), 0.98) == ("meets", False)
    verdict, marginal = stats.threshold_verdict(stats.estimate(982, 1000), 0.98)
    assert verdict == "meets" and marginal
    assert stats.threshold_verdict(stats.estimate(900, 1000), 0.98) == ("fails", False)
