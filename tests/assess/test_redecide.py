"""`redecide`: a stored run's findings decided again under a narrower policy give a fresh run's figures,
without building a detector or reading the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

POLICY = 'extends = "gbt45654-2025"\nname = "{name}"\n[decision]\nlayers = {layers}\nmin_score = {score}\n'


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    for f in range(3):
        with (folder / f"part{f}.jsonl").open("w", encoding="utf-8") as fh:
            for i in range(60):
                text = f"ordinary words {f} {i}"
                text += " bad phrase" if i % 7 == 0 else ""  # a weak keyword (weight 0.3)
                text += " 违禁词甲" if i % 11 == 0 else ""
                text += " 电话13812345678" if i % 5 == 0 else ""
                rec = {"id": f"p{f}-{i}", "text": text, "source": ["news", "forum", "books"][i % 3]}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return folder


def _invoke(*args: str) -> None:
    from safecorpus.cli import _register, cli

    _register()
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _policy(root: Path, name: str, layers: str, score: float) -> str:
    path = root / f"{name}.toml"
    path.write_text(POLICY.format(name=name, layers=layers, score=score), "utf-8")
    return str(path)


def _assess(root: Path, corpus: Path, profile: str, store: str, lexicon: Path) -> dict[str, Any]:
    out = root / f"{store}.json"
    args = ["--sample-size", "20", "--technical-fraction", "1.0", "--store-dir", str(root / store)]
    args += ["--json", str(out), "--no-progress"]
    _invoke("assess", str(corpus), "--profile", profile, "--lexicon", str(lexicon), *args)
    return json.loads(out.read_text())


def _figures(doc: dict[str, Any]) -> dict[str, Any]:
    sources = {s["name"]: (s["sampled"], s["violations"], s["verdict"]) for s in doc["sources"]}
    tech = doc["technical_sample"]
    return {"sources": sources, "technical": (tech["sampled"], tech["violations"], tech["verdict"])}


@pytest.mark.parametrize(("layers", "score"), [('["keyword", "pii"]', 0.5), ('["keyword"]', 0.2)])
def test_redecided_counts_equal_a_fresh_run(tmp_path, tiny_lexicon_path, monkeypatch, layers, score):
    monkeypatch.chdir(tmp_path)
    corpus = _corpus(tmp_path / "corpus")
    wide = _policy(tmp_path, "wide", '["keyword", "pii"]', 0.2)
    narrow = _policy(tmp_path, "narrow", layers, score)
    first = _assess(tmp_path, corpus, wide, "store", tiny_lexicon_path)
    fresh = _assess(tmp_path, corpus, narrow, "fresh", tiny_lexicon_path)
    # the lexicon the config names does not exist: re-deciding must not build the keyword detector
    config = tmp_path / "safecorpus.toml"
    config.write_text(f'[lexicon]\npath = "{tmp_path / "missing.tsv"}"\n', "utf-8")
    out = tmp_path / "redecided.json"
    _invoke("redecide", "--config", str(config), "--profile", narrow, "--store-dir", str(tmp_path / "store"),
            "--json", str(out))  # fmt: skip
    doc = json.loads(out.read_text())
    from safecorpus.cli import cli

    refused = CliRunner().invoke(cli, ["assess", str(corpus), "--config", str(config), "--no-progress"])
    assert refused.exit_code != 0  # building the detectors from that config fails
    assert doc["run_id"] == first["run_id"] and doc["decision"] == fresh["detectors"]["decision"]
    assert _figures(doc) == _figures(fresh)
    assert _figures(doc) != _figures(first)  # the narrower policy changes the counts


def test_a_policy_that_needs_findings_the_run_did_not_keep_is_refused(tmp_path, tiny_lexicon_path):
    from safecorpus.cli import _register, cli
    from safecorpus.errors import ConfigError

    corpus = _corpus(tmp_path / "corpus")
    _assess(tmp_path, corpus, _policy(tmp_path, "kw", '["keyword"]', 0.5), "store", tiny_lexicon_path)
    _register()
    for name, layers, score, says in (
        ("pii", '["keyword", "pii"]', 0.5, "adds pii"),
        ("low", '["keyword"]', 0.2, "below"),
    ):
        profile = _policy(tmp_path, name, layers, score)
        result = CliRunner().invoke(
            cli, ["redecide", "--profile", profile, "--store-dir", str(tmp_path / "store")]
        )
        error = result.exception  # main() turns it into its exit status and message
        assert isinstance(error, ConfigError) and error.exit_code == 2 and says in str(error), result.output
