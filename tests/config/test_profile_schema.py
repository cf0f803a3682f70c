"""The profile schema: every key the engine reads is declared, typed and ranged; misspellings are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safecorpus.errors import ConfigError
from safecorpus.keyspec import MapOf, Table, dotted_keys
from safecorpus.taxonomy.profile import load_profile, packaged_profiles
from safecorpus.taxonomy.schema import PROFILE

SRC = Path(__file__).resolve().parents[2] / "src" / "safecorpus"


def _profile_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text('extends = "gbt45654-2025"\n' + body, "utf-8")
    return path


def _node(spec: Table, dotted: str) -> object:
    node: object = spec
    for part in dotted.split("."):
        assert isinstance(node, Table), f"{dotted}: {part} is below a value"
        node = node.fields[part]
    return node


def test_every_dotted_key_the_code_reads_is_in_the_schema() -> None:
    """A key read through profile.get("a.b") but missing from the schema would be refused in a profile."""
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        used |= set(
            re.findall(r'(?:profile\.get\(|_req\(profile,)\s*"([a-z_][a-z0-9_.]*)"', path.read_text("utf-8"))
        )
    assert {"source.max_violation_rate", "registry.max_foreign_share", "generated_bank.min_total"} <= used
    for key in sorted(used):
        _node(PROFILE, key)  # raises KeyError naming a key the schema lacks


@pytest.mark.parametrize("name", packaged_profiles())
def test_packaged_profiles_pass_and_declare_every_table(name: str) -> None:
    profile = load_profile(name)
    assert profile.get("source.max_violation_rate") == 0.05
    keys = set(dotted_keys(PROFILE))
    assert {"filter.risk_actions", "classifier.thresholds", "lexicon.variants.pinyin"} <= keys
    assert isinstance(_node(PROFILE, "filter.consent_actions"), MapOf)


def test_misspelt_key_in_a_profile_file_names_file_key_and_nearest(tmp_path: Path) -> None:
    path = _profile_file(tmp_path, "[source]\nmax_violaton_rate = 0.02\n")
    with pytest.raises(ConfigError) as info:
        load_profile(str(path))
    message = str(info.value)
    assert str(path) in message
    assert "'source.max_violaton_rate'" in message and "'source.max_violation_rate'" in message


@pytest.mark.parametrize(
    ("overrides", "named", "suggested"),
    [
        ({"decison": {"min_score": 0.4}}, "decison", "decision"),
        (
            {"source": {"sequential": {"enabld": True}}},
            "source.sequential.enabld",
            "source.sequential.enabled",
        ),
        ({"lexicon": {"variants": {"pinyn": False}}}, "lexicon.variants.pinyn", "lexicon.variants.pinyin"),
        ({"classifier": {"treshold": {"any": 0.5}}}, "classifier.treshold", "classifier.thresholds"),
        ({"filter": {"risk_action": {"A.1": "keep"}}}, "filter.risk_action", "filter.risk_actions"),
        ({"max_violation_rate": 0.1}, "max_violation_rate", "source.max_violation_rate"),
    ],
)
def test_misspelt_override_keys_are_refused(overrides: dict, named: str, suggested: str) -> None:
    with pytest.raises(ConfigError, match="unknown key") as info:
        load_profile(None, overrides, "proj/safecorpus.toml [profile]")
    message = str(info.value)
    assert message.startswith("proj/safecorpus.toml [profile]: ")
    assert f"{named!r}" in message and f"did you mean {suggested!r}" in message


def test_map_keys_are_checked_against_their_vocabulary() -> None:
    ok = load_profile(None, {"filter": {"risk_actions": {"A.1": "keep", "A.4.3": "redact"}}})
    assert ok.get("filter.risk_actions") == {"A.1": "keep", "A.4.3": "redact"}
    with pytest.raises(ConfigError, match=r"filter\.risk_min_score\.A\.9.*not a valid risk id or group"):
        load_profile(None, {"filter": {"risk_min_score": {"A.9": 0.3}}})
    with pytest.raises(ConfigError, match=r"did you mean 'pi_needs_consent'"):
        load_profile(None, {"filter": {"consent_actions": {"pi_need_consent": "drop"}}})
    with pytest.raises(ConfigError, match=r"classifier\.thresholds\.anyy"):
        load_profile(None, {"classifier": {"thresholds": {"anyy": 0.5}}})
    with pytest.raises(ConfigError, match=r"lexicon\.min_per_risk_in_group\.A\.1\.1"):
        load_profile(None, {"lexicon": {"min_per_risk_in_group": {"A.1.1": 3}}})


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"source": {"sample_size": 0}}, "source.sample_size = 0 is out of range [1, "),
        ({"source": {"confidence": 0.3}}, "source.confidence = 0.3 is out of range [0.5, 0.9999]"),
        (
            {"source": {"sequential": {"alpha": 1.0}}},
            "source.sequential.alpha = 1.0 is out of range (0.0, 1.0)",
        ),
        ({"technical_sample": {"fraction": True}}, "technical_sample.fraction must be a number"),
        ({"decision": {"layers": ["keyword", "clasifier"]}}, "decision.layers[1] = 'clasifier'"),
        ({"guard": {"concurrency": 2.5}}, "guard.concurrency must be a whole number"),
        ({"guard": {"enabled": "yes"}}, "guard.enabled must be true or false"),
        ({"filter": {"flagged": "burn"}}, "filter.flagged = 'burn' is not one of drop, redact, keep"),
        ({"source": 0.05}, "source must be a table"),
        ({"data_risk_groups": ["A.1", "A.7"]}, "data_risk_groups[1] = 'A.7'"),
    ],
)
def test_types_ranges_and_choices(overrides: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(None, overrides)
    assert fragment in str(info.value)


def test_required_keys_are_checked_after_merging(tmp_path: Path) -> None:
    path = tmp_path / "bare.toml"
    path.write_text('name = "bare"\n[source]\nmax_violation_rate = 0.05\n', "utf-8")
    with pytest.raises(ConfigError, match=r"required key 'source\.sample_size' is missing"):
        load_profile(str(path))
    # The same keys given by the base profile are enough.
    assert load_profile(str(_profile_file(tmp_path, 'name = "mine"\n'))).name == "mine"


def test_numbers_are_normalised_so_equal_settings_fingerprint_alike(tmp_path: Path) -> None:
    whole = load_profile(None, {"source": {"max_violation_rate": 0}})
    assert isinstance(whole.get("source.max_violation_rate"), float)
    assert whole.fingerprint() == load_profile(None, {"source": {"max_violation_rate": 0.0}}).fingerprint()
    base = load_profile()
    assert re.fullmatch(r"[0-9a-f]{16}", base.fingerprint())
    assert base.fingerprint() == load_profile().fingerprint()
    # Layering does not matter, only the merged result: a file that restates a default changes nothing.
    same = load_profile(str(_profile_file(tmp_path, "[source]\nmax_violation_rate = 0.05\n")))
    assert same.fingerprint() == base.fingerprint()
    changed = load_profile(None, {"source": {"max_violation_rate": 0.04}})
    assert changed.fingerprint() != base.fingerprint()
    assert load_profile("tc260-003-2024").fingerprint() != base.fingerprint()
    assert base.fingerprint({"input": {"text_field": "body"}}) != base.fingerprint()
    assert base.fingerprint({"a": 1, "b": 2}) == base.fingerprint({"b": 2, "a": 1})


def test_schema_tables_match_the_dataclasses_that_read_them() -> None:
    """The [filter] and [lexicon.variants] tables are read into dataclasses: their fields and the schema
    must not drift apart (a field without a schema key could never be set)."""
    from safecorpus.detect.lexicon.variants import VariantOptions
    from safecorpus.pipeline.policy import DERIVED_FIELDS, FilterPolicy

    assert set(_node(PROFILE, "filter").fields) == set(FilterPolicy.__dataclass_fields__) - DERIVED_FIELDS
    assert set(_node(PROFILE, "lexicon.variants").fields) == set(VariantOptions.__dataclass_fields__)


def test_guard_keys_cover_what_the_guard_reads() -> None:
    text = (SRC / "detect" / "guard" / "detector.py").read_text("utf-8")
    body = text[text.index("def guard_config") :]
    read = set(re.findall(r'merged(?:\.get\(|\[)"([a-z_]+)"', body))
    assert {"endpoint", "rps", "max_tokens", "unmapped_risk"} <= read
    assert read <= set(_node(PROFILE, "guard").fields)
