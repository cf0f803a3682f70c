"""The sequential test of the per-source rule: exact error rates, savings, and valid intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from safecorpus.assess import sequential as sq
from safecorpus.assess import stats
from safecorpus.errors import ConfigError
from safecorpus.taxonomy.profile import load_profile


def _binom_sf(c: int, n: int, p: float) -> float:
    """P(X >= c), summed term by term (independent of the code under test)."""
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(c, n + 1))


@pytest.fixture(scope="module")
def design() -> sq.SequentialDesign:
    return sq.design_for()


@pytest.fixture(scope="module")
def small() -> sq.SequentialDesign:
    """A wide band gives a small design, so exact checks over all outcomes stay quick."""
    return sq.design_for(p0=0.1, p1=0.3, alpha=0.05, beta=0.05, threshold=0.2)


def test_smallest_fixed_design_is_smallest() -> None:
    fixed = sq.smallest_fixed_design(0.03, 0.07, 0.05, 0.05)
    assert _binom_sf(fixed.cut, fixed.n, 0.03) <= 0.05
    assert 1 - _binom_sf(fixed.cut, fixed.n, 0.07) <= 0.05
    n = fixed.n - 1
    assert not any(_binom_sf(c, n, 0.03) <= 0.05 and 1 - _binom_sf(c, n, 0.07) <= 0.05 for c in range(n + 2))


def test_error_rates_at_the_band_edges_are_met_exactly(design: sq.SequentialDesign) -> None:
    fixed = sq.smallest_fixed_design(0.03, 0.07, 0.05, 0.05)
    at_p0, at_p1 = sq.operating_characteristics(design, [0.03, 0.07])
    assert at_p0.error <= min(0.05, fixed.alpha)
    assert at_p1.error <= min(0.05, fixed.beta)


def test_error_rates_stay_below_alpha_and_beta_outside_the_band(design: sq.SequentialDesign) -> None:
    for point in sq.operating_characteristics(design, np.linspace(0.001, 0.03, 30)):
        assert point.error <= 0.05
    for point in sq.operating_characteristics(design, np.linspace(0.07, 0.3, 30)):
        assert point.error <= 0.05


def test_at_least_40_percent_fewer_items_outside_the_band(design: sq.SequentialDesign) -> None:
    fixed = sq.smallest_fixed_design(0.03, 0.07, 0.05, 0.05)
    rates = [0.005, 0.01, 0.02, 0.03, 0.07, 0.08, 0.1, 0.15]
    for point in sq.operating_characteristics(design, rates):
        assert point.average_items <= 0.6 * fixed.n, point


def test_exact_characteristics_agree_with_simulation(design: sq.SequentialDesign) -> None:
    rng = np.random.default_rng(11)
    rate, runs = 0.05, 4000
    draws = rng.random((runs, design.max_items)) < rate
    blacklisted, used = 0, 0
    for row in draws:
        k = 0
        for n, hit in enumerate(row, start=1):
            k += bool(hit)
            verdict = design.decide(n, k)
            if verdict:
                blacklisted += verdict == "blacklist"
                used += n
                break
    (exact,) = sq.operating_characteristics(design, [rate])
    assert abs(blacklisted / runs - exact.p_blacklist) < 4 * math.sqrt(0.25 / runs)
    assert abs(used / runs - exact.average_items) < 0.04 * exact.average_items


def test_stop_distribution_sums_to_one(design: sq.SequentialDesign) -> None:
    dist = sq.stop_distribution(design, [0.0, 0.02, 0.05, 0.2, 1.0])
    assert np.allclose(dist.probs.sum(axis=0), 1.0)
    assert np.allclose(sq.stop_distribution(design, [0.04], limit=120).probs.sum(axis=0), 1.0)


def test_without_early_stops_the_interval_is_clopper_pearson() -> None:
    plain = sq.SequentialDesign(0.03, 0.07, 0.05, 0.05, 0.05, 60, 0.047, 1e6, 1e6, 3)
    for k in (0, 3, 20, 60):
        low, high, _ = sq.exact_interval(plain, 60, k)
        ref_low, ref_high = stats.clopper_pearson(k, 60)
        assert low == pytest.approx(ref_low, abs=1e-5)
        assert high == pytest.approx(ref_high, abs=1e-5)


def test_tail_probabilities_are_monotone_in_the_rate(small: sq.SequentialDesign) -> None:
    grid = np.linspace(0.0, 1.0, 201)
    probs = sq.stop_distribution(small, grid).probs
    upper = np.cumsum(probs[::-1], axis=0)[::-1]
    assert (np.diff(upper, axis=1) >= -1e-12).all()


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5])
def test_intervals_cover_exactly_at_least_95_percent(small: sq.SequentialDesign, rate: float) -> None:
    dist = sq.stop_distribution(small, [rate])
    bounds = sq.intervals(small, [(n, k) for n, k, _ in dist.outcomes])
    covered = sum(
        p for p, (low, high, _) in zip(dist.probs[:, 0], bounds, strict=True) if low <= rate <= high
    )
    assert covered >= 0.95, covered


def test_run_stops_early_on_a_clean_source(design: sq.SequentialDesign) -> None:
    run = sq.SequentialRun(design)
    while not run.done:
        run.add(False)
    result = run.result()
    assert result.verdict == "pass" and result.stopped_by == "pass-boundary"
    assert result.n < 100 and result.ci_low == 0.0 and result.ci_high < 0.06
    with pytest.raises(ValueError):
        run.add(False)


def test_run_blacklists_early_on_a_dirty_source(design: sq.SequentialDesign) -> None:
    run = sq.SequentialRun(design)
    for i in range(design.max_items):
        if run.add(i % 4 == 0):
            break
    result = run.result()
    assert result.verdict == "blacklist" and result.stopped_by == "blacklist-boundary"
    assert result.n < 40 and result.ci_low > 0.05


def test_cap_below_the_design_is_inconclusive_with_a_valid_interval(design: sq.SequentialDesign) -> None:
    run = sq.SequentialRun(design, limit=50)
    for i in range(50):
        run.add(i % 20 == 0)  # 5%: not decided within 50 items
    result = run.result()
    assert result.verdict == "inconclusive" and result.stopped_by == "cut-short"
    assert result.ci_low < 0.05 < result.ci_high


def test_small_source_ends_as_a_census(design: sq.SequentialDesign) -> None:
    run = sq.SequentialRun(design, limit=30)
    for i in range(30):
        run.add(i == 0)
    result = run.result(census=True)
    assert result.stopped_by == "census" and result.verdict == "pass"
    assert result.ci_low == result.ci_high == pytest.approx(1 / 30)


def test_result_before_stopping_is_refused(design: sq.SequentialDesign) -> None:
    run = sq.SequentialRun(design)
    run.add(True)
    with pytest.raises(ValueError):
        run.result()


def test_profile_switch_and_overrides() -> None:
    profile = load_profile()
    assert not sq.enabled_in(profile)
    assert sq.design_from_profile(profile) == sq.design_for()
    custom = load_profile(overrides={"source": {"sequential": {"enabled": True, "p0": 0.02, "p1": 0.08}}})
    assert sq.enabled_in(custom)
    wide = sq.design_from_profile(custom)
    assert (wide.p0, wide.p1) == (0.02, 0.08) and wide.max_items < sq.design_for().max_items


@pytest.mark.parametrize(
    "table",
    [{"p0": 0.06, "p1": 0.07}, {"p0": 0.07, "p1": 0.03}, {"alpha": 0.7}, {"p0": "x"}, {"typo": 1}],
)
def test_bad_sequential_settings_are_config_errors(table: dict) -> None:
    with pytest.raises(ConfigError):
        sq.design_from_profile(load_profile(overrides={"source": {"sequential": table}}))
