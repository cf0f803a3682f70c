"""safecorpus.toml: every section and key declared; misspellings refused; each key defaults an option."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from safecorpus.cli import _register, cli
from safecorpus.config import load_config
from safecorpus.config_schema import CONFIG
from safecorpus.errors import ConfigError
from safecorpus.keyspec import Table

# Sections read by Policy.compile (profile, reader options, lexicon, store).
READ_BY_HELPERS = {"profile", "input", "lexicon", "store"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "safecorpus.toml"
    path.write_text(text, "utf-8")
    return path


def test_documented_sections_load(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[profile]\nname = "tc260-003-2024"\nsource.sample_size = 600\n'
        '[input]\ntext_field = "body"\nmax_record_bytes = 1024\n[lexicon]\npath = "default"\n'
        '[store]\ndir = "st"\n[assess]\nseed = "s"\n[consent]\nsubject_field = "uid"\n'
        '[modeltest]\nendpoint = "http://h/v1"\nmodel = "m"\nbank_files = ["b.jsonl"]\n'
        "[bank]\ndupes_threshold = 0.7\n[review]\ndouble_share = 0.2\n[serve]\nport = 9000\n"
        "[classifier]\nthreshold = 0.4\n",
    )
    project = load_config(path)
    assert project.section("consent") == {"subject_field": "uid"}
    assert project.section("profile")["source"] == {"sample_size": 600}
    assert project.section("bank") == {"dupes_threshold": 0.7}
    assert set(project.policy_data()) == {
        "input",
        "lexicon",
        "assess",
        "consent",
        "modeltest",
        "bank",
        "review",
        "classifier",
    }


@pytest.mark.parametrize(
    ("text", "named", "suggested"),
    [
        ("[consnet]\nsubject_field = 'uid'\n", "consnet", "consent"),
        ("[consent]\nsubject_feild = 'uid'\n", "consent.subject_feild", "consent.subject_field"),
        (
            "[profile.source]\nmax_violaton_rate = 0.1\n",
            "profile.source.max_violaton_rate",
            "profile.source.max_violation_rate",
        ),
        ("[input]\ntext_feld = 'body'\n", "input.text_feld", "input.text_field"),
        ("[serve]\nprot = 80\n", "serve.prot", "serve.port"),
    ],
)
def test_misspelt_sections_and_keys_name_the_nearest(
    tmp_path: Path, text: str, named: str, suggested: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}: unknown key {named!r}")
    assert f"did you mean {suggested!r}?" in message


def test_far_off_key_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'zzz'; valid keys: assess, bank, classifier"):
        load_config(_write(tmp_path, "[zzz]\na = 1\n"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[serve]\nport = 70000\n", "serve.port = 70000 is out of range [1, 65535]"),
        ("[review]\ndouble_share = 1.5\n", "review.double_share = 1.5 is out of range"),
        ("[input]\nencoding = 'latin-1'\n", "input.encoding = 'latin-1' is not one of utf-8, gb18030"),
        ("[consent]\nsubject_field = 3\n", "consent.subject_field must be a string"),
        ("[modeltest]\nbank_files = 'a.jsonl'\n", "modeltest.bank_files must be a list"),
        ("[profile]\nsource.sample_size = 'many'\n", "profile.source.sample_size must be a whole number"),
        ("consent = 1\n", "consent must be a table"),
    ],
)
def test_types_and_ranges(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text))
    assert fragment in str(info.value)


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    out: dict[str, click.Command] = {}
    for name, cmd in group.commands.items():
        out[f"{prefix}{name}"] = cmd
        if isinstance(cmd, click.Group):
            out.update(_commands(cmd, f"{prefix}{name} "))
    return out


def test_every_command_section_key_defaults_an_option() -> None:
    """A key in [serve], [review], … that no command reads would be accepted and silently ignored."""
    _register()
    params: dict[str, set[str]] = {}
    for cmd in _commands(cli).values():
        section, rename = getattr(cmd.callback, "config_section", (None, {}))
        if section is None:
            continue
        names = {p.name for p in cmd.params}
        assert "config_path" in names, f"{cmd.name} reads [{section}] but takes no --config"
        params.setdefault(section, set()).update(k for k in names if k)
        params[section].update(key for key, name in rename.items() if name in names)
    for section, spec in CONFIG.fields.items():
        if section in READ_BY_HELPERS:
            continue
        assert isinstance(spec, Table)
        missing = set(spec.fields) - params.get(section, set())
        assert not missing, f"[{section}] keys no command reads: {sorted(missing)}"
