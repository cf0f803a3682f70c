from __future__ import annotations

import datetime as dt

import pytest
from _modeltest_helpers import item

from safecorpus.modeltest.bank import ASPECTS
from safecorpus.modeltest.coverage import check_bank
from safecorpus.taxonomy.profile import load_profile

AS_OF = dt.date(2026, 11, 28)


def _bank(bank, per_cat: dict[str, int], extra: int = 0, extra_cat=None, added_at="2026-11-20"):
    items, n = [], 0
    for cat, k in per_cat.items():
        for _ in range(k):
            items.append(item(n, bank, cat, added_at))
            n += 1
    for _ in range(extra):
        items.append(item(n, bank, extra_cat, added_at))
        n += 1
    return items


def _minima(profile, bank):
    tax = profile.taxonomy
    if bank == "generated":
        g = profile.get("generated_bank.min_per_risk_in_group")
        return {r.id: g[r.group] for r in tax.risks}, profile.get("generated_bank.min_total")
    if bank == "should_refuse":
        groups = profile.get("refusal_bank.should_refuse_groups")
        m = profile.get("refusal_bank.should_refuse_min_per_risk")
        return {r.id: m for r in tax.risks if r.group in groups}, profile.get(
            "refusal_bank.should_refuse_min_total"
        )
    m = profile.get("refusal_bank.should_not_refuse_min_per_aspect")
    return {a: m for a in ASPECTS}, profile.get("refusal_bank.should_not_refuse_min_total")


@pytest.mark.parametrize("bank", ["generated", "should_refuse", "should_not_refuse"])
def test_exactly_at_every_minimum_passes(bank):
    profile = load_profile()
    minima, total = _minima(profile, bank)
    first = next(iter(minima))
    items = _bank(bank, minima, extra=max(0, total - sum(minima.values())), extra_cat=first)
    assert len(items) == max(total, sum(minima.values()))
    cov = check_bank(items, bank, profile, AS_OF)
    assert cov.shortfalls == []


@pytest.mark.parametrize("bank", ["generated", "should_refuse", "should_not_refuse"])
def test_one_above_every_minimum_passes_and_counts_exactly(bank):
    profile = load_profile()
    minima, total = _minima(profile, bank)
    first = next(iter(minima))
    above = {c: m + 1 for c, m in minima.items()}
    items = _bank(bank, above, extra=max(0, total + 1 - sum(above.values())), extra_cat=first)
    cov = check_bank(items, bank, profile, AS_OF)
    assert cov.shortfalls == []
    assert all(cov.per_category[c] >= m + 1 for c, m in minima.items())
    assert sum(cov.per_category.values()) == len(items)


@pytest.mark.parametrize("bank", ["generated", "should_refuse", "should_not_refuse"])
def test_one_below_each_category_minimum_is_reported(bank):
    profile = load_profile()
    minima, total = _minima(profile, bank)
    first = next(iter(minima))
    for cat in minima:
        short = dict(minima)
        short[cat] -= 1
        # keep the total at its minimum so that only the category is short
        extra_cat = first if cat != first else list(minima)[1]
        items = _bank(bank, short, extra=max(0, total - sum(short.values())), extra_cat=extra_cat)
        cov = check_bank(items, bank, profile, AS_OF)
        assert [(s.check, s.category, s.required, s.actual) for s in cov.shortfalls] == [
            ("per_aspect" if bank == "should_not_refuse" else "per_risk", cat, minima[cat], minima[cat] - 1)
        ], cat


@pytest.mark.parametrize("bank", ["generated", "should_refuse", "should_not_refuse"])
def test_one_below_the_total_is_reported(bank):
    profile = load_profile()
    minima, total = _minima(profile, bank)
    first = next(iter(minima))
    items = _bank(bank, minima, extra=total - sum(minima.values()) - 1, extra_cat=first)
    cov = check_bank(items, bank, profile, AS_OF)
    assert [(s.check, s.required, s.actual) for s in cov.shortfalls] == [("total", total, total - 1)]


@pytest.mark.parametrize("bank", ["generated", "should_refuse", "should_not_refuse"])
def test_freshness_boundary(bank):
    profile = load_profile()
    minima, total = _minima(profile, bank)
    period = profile.get(
        "generated_bank.update_period_days" if bank == "generated" else "refusal_bank.update_period_days"
    )
    first = next(iter(minima))
    for age, ok in ((period, True), (period + 1, False)):
        added = (AS_OF - dt.timedelta(days=age)).isoformat()
        items = _bank(
            bank, minima, extra=max(0, total - sum(minima.values())), extra_cat=first, added_at=added
        )
        cov = check_bank(items, bank, profile, AS_OF)
        assert cov.ok is ok, age
        if not ok:
            assert cov.shortfalls[0].check == "freshness"


def test_identical_questions_count_once():
    profile = load_profile()
    items = [item(i, "should_refuse", "A.1.1", q="the same question") for i in range(30)]
    cov = check_bank(items, "should_refuse", profile, AS_OF)
    assert cov.per_category["A.1.1"] == 1


def test_excluded_aspect_needs_justification():
    from safecorpus.errors import ConfigError

    profile = load_profile(overrides={"refusal_bank": {"excluded_aspects": {"heroes_martyrs": ""}}})
    with pytest.raises(ConfigError, match="justification"):
        check_bank([], "should_not_refuse", profile, AS_OF)
    profile = load_profile(
        overrides={"refusal_bank": {"excluded_aspects": {"heroes_martyrs": "medical model"}}}
    )
    cov = check_bank([], "should_not_refuse", profile, AS_OF)
    assert "heroes_martyrs" not in cov.required_per_category
