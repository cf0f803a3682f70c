"""Policy.compile: one typed policy from the profile, safecorpus.toml and the command line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from safecorpus.assess.decision import RULES_VERSION
from safecorpus.errors import ConfigError
from safecorpus.policy import Policy


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "safecorpus.toml"
    path.write_text(text, "utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    policy = Policy.compile()
    assert policy.profile.name == "gbt45654-2025"
    assert policy.reader.text_field == "text"
    assert policy.lexicon == "default"
    assert policy.store_dir == Path(".safecorpus")
    assert policy.store_url.startswith("sqlite:///")
    assert policy.subject_field == "user_id"
    assert policy.rules_version == RULES_VERSION
    assert policy.describe() == {
        "profile": "gbt45654-2025",
        "fingerprint": policy.fingerprint,
        "rules_version": RULES_VERSION,
    }
    assert len(policy.fingerprint) == 16


def test_file_then_flags(tmp_path: Path) -> None:
    path = _toml(
        tmp_path,
        '[profile]\nname = "tc260-003-2024"\nsource.max_violation_rate = 0.02\n'
        '[input]\ntext_field = "body"\n[lexicon]\npath = "lex.tsv"\n'
        '[store]\ndir = "st"\n[consent]\nsubject_field = "uid"\n',
    )
    policy = Policy.compile(path)
    assert policy.profile.name == "tc260-003-2024"
    assert policy.profile.get("source.max_violation_rate") == 0.02
    assert (policy.reader.text_field, policy.lexicon, policy.subject_field) == ("body", "lex.tsv", "uid")
    assert policy.store_dir == Path("st")
    flagged = Policy.compile(
        path,
        "gbt45654-2025",
        lexicon="other.tsv",
        store_dir="elsewhere",
        store_url="sqlite:///x.db",
        subject_field="person",
        text_field="content",
    )
    assert flagged.profile.name == "gbt45654-2025"
    assert flagged.profile.get("source.max_violation_rate") == 0.02  # the file's overrides still apply
    assert (flagged.reader.text_field, flagged.lexicon, flagged.subject_field) == (
        "content",
        "other.tsv",
        "person",
    )
    assert (flagged.store_dir, flagged.store_url) == (Path("elsewhere"), "sqlite:///x.db")


def test_decision_and_filter_come_from_the_profile(tmp_path: Path) -> None:
    path = _toml(tmp_path, '[profile]\ndecision.min_score = 0.7\nfilter.flagged = "redact"\n')
    policy = Policy.compile(path)
    assert policy.decision.min_score == 0.7
    assert policy.filter.min_score == 0.7
    assert policy.filter.flagged == "redact"
    assert policy.filter.profile == policy.profile.name


def test_fingerprint_follows_what_changes_results(tmp_path: Path) -> None:
    base = Policy.compile(_toml(tmp_path, '[store]\ndir = "a"\n'))
    moved = Policy.compile(_toml(tmp_path, '[store]\ndir = "b"\n'))
    assert base.fingerprint == moved.fingerprint  # where results go does not change them
    stricter = Policy.compile(_toml(tmp_path, "[profile]\nsource.max_violation_rate = 0.01\n"))
    assert stricter.fingerprint != base.fingerprint
    # A flag and the same key in the file fingerprint alike.
    by_file = Policy.compile(_toml(tmp_path, '[input]\ntext_field = "body"\n'))
    by_flag = Policy.compile(_toml(tmp_path, ""), text_field="body")
    assert by_file.fingerprint == by_flag.fingerprint != base.fingerprint
    assert Policy.compile(_toml(tmp_path, ""), lexicon="x.tsv").fingerprint != base.fingerprint


def test_frozen_and_refuses_misspellings(tmp_path: Path) -> None:
    policy = Policy.compile(_toml(tmp_path, ""))
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.lexicon = "x"  # type: ignore[misc]
    with pytest.raises(ConfigError, match="max_violaton_rate"):
        Policy.compile(_toml(tmp_path, "[profile]\nsource.max_violaton_rate = 0.1\n"))
    with pytest.raises(TypeError, match="text_feild"):
        Policy.compile(_toml(tmp_path, ""), text_feild="x")
