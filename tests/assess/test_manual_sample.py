"""The corpus manual sample: ≥ 4,000 reviewed items, ≥ 96% clean, with its exact interval."""

from __future__ import annotations

import pytest

from safecorpus.assess import stats
from safecorpus.assess.manual_sample import from_profile, manual_sample_result, tally
from safecorpus.taxonomy.profile import load_profile


def test_meets_with_interval() -> None:
    got = manual_sample_result(3900, 4000)
    assert got.verdict == "meets" and not got.marginal and got.shortfall == 0
    assert (got.ci_low, got.ci_high) == pytest.approx(stats.clopper_pearson(3900, 4000))
    assert got.ci_low > 0.96


def test_marginal_when_the_interval_straddles() -> None:
    got = manual_sample_result(3850, 4000)  # 96.25%, interval ±0.6 pp
    assert got.verdict == "meets" and got.marginal


def test_fails() -> None:
    assert manual_sample_result(3700, 4000).verdict == "fails"


def test_below_the_fixed_minimum_is_incomplete_whatever_the_rate() -> None:
    got = manual_sample_result(3999, 3999)
    assert got.verdict == "incomplete" and got.shortfall == 1
    assert manual_sample_result(0, 0).verdict == "incomplete"


def test_profile_supplies_the_standard_numbers() -> None:
    got = from_profile(3900, 4000, load_profile())
    assert (got.min_items, got.min_clean_rate) == (4000, 0.96)


def test_tally_leaves_out_unreviewed_items() -> None:
    assert tally([True, False, None, True]) == (2, 3)


def test_bad_counts() -> None:
    with pytest.raises(ValueError):
        manual_sample_result(5, 4)
    with pytest.raises(ValueError):
        manual_sample_result(-1, 4)
