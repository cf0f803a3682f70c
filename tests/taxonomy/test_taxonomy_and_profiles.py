from __future__ import annotations

from pathlib import Path

import pytest

from safecorpus import load_profile, load_taxonomy
from safecorpus.errors import ConfigError
from safecorpus.taxonomy.profile import packaged_profiles


def test_taxonomy_has_31_risks_in_5_groups() -> None:
    tax = load_taxonomy()
    assert len(tax.risks) == 31
    assert [g.id for g in tax.groups] == ["A.1", "A.2", "A.3", "A.4", "A.5"]
    counts = {g.id: len(tax.in_group(g.id)) for g in tax.groups}
    assert counts == {"A.1": 8, "A.2": 9, "A.3": 5, "A.4": 7, "A.5": 2}
    assert len(tax.data_ids) == 29
    assert all(r.zh and r.en for r in tax.risks)
    assert "gambling" in tax.risk("A.1.8").topics and "pornography" in tax.risk("A.1.6").topics


def test_validate_tag() -> None:
    tax = load_taxonomy()
    assert tax.validate_tag("A.1.8/gambling") == ("A.1.8", "gambling")
    with pytest.raises(ConfigError):
        tax.validate_tag("A.9.9")
    with pytest.raises(ConfigError):
        tax.validate_tag("A.1.8/not-a-topic")


@pytest.mark.parametrize("name", ["gbt45654-2025", "tc260-003-2024"])
def test_packaged_profiles_hold_the_standard_numbers(name: str) -> None:
    assert name in packaged_profiles()
    p = load_profile(name)
    assert p.get("source.max_violation_rate") == 0.05
    assert p.get("manual_sample.min_items") == 4000 and p.get("manual_sample.min_clean_rate") == 0.96
    assert p.get("technical_sample.fraction") == 0.10 and p.get("technical_sample.min_clean_rate") == 0.98
    assert p.get("lexicon.min_total") == 10000
    assert p.lexicon_minimum("A.1.3") == 200 and p.lexicon_minimum("A.2.9") == 100
    assert p.lexicon_minimum("A.3.1") == 0
    assert len(p.data_risk_ids) == 29


def test_overrides_and_validation(tmp_path: Path) -> None:
    p = load_profile(None, {"source": {"sample_size": 900}})
    assert p.get("source.sample_size") == 900 and p.name == "gbt45654-2025"
    with pytest.raises(ConfigError, match="sample_size"):
        load_profile(None, {"source": {"sample_size": "lots"}})
    with pytest.raises(ConfigError, match="out of range"):
        load_profile(None, {"source": {"max_violation_rate": 5}})
    custom = tmp_path / "mine.toml"
    custom.write_text('extends = "gbt45654-2025"\nname = "mine"\n[source]\nmax_violation_rate = 0.02\n')
    mine = load_profile(str(custom))
    assert mine.name == "mine" and mine.get("source.max_violation_rate") == 0.02
    assert mine.get("technical_sample.fraction") == 0.10
    with pytest.raises(ConfigError, match="unknown profile"):
        load_profile("no-such-profile")
