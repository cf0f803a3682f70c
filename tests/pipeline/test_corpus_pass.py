"""Every command that scans a corpus is a reducer over the one corpus pass: two workers (and an fsspec
URL) give what one process gives, byte for byte where the command writes a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from safecorpus.detect import findings_io

TEXTS = (
    "Copyright 2021 Example Press. All rights reserved. A short story about the sea.",
    "Released under CC BY-NC 4.0 by the authors; call 13812345678 for details.",
    "Plain words about gardens and weather, nothing more.",
    "Contact me at someone@example.com or 13912345678, thanks.",
)


def write_corpus(folder: Path, files: int = 3, per_file: int = 12) -> Path:
    """A few files over three sources, with IP marks, personal information and a broken line each."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        with (folder / f"part{f}.jsonl").open("w", encoding="utf-8") as fh:
            for i in range(per_file):
                rec = {
                    "id": f"p{f}-{i}",
                    "text": f"{TEXTS[(i + f) % len(TEXTS)]} ({f}.{i})",
                    "source": ["news", "forum", "books"][i % 3],
                    "user_id": ["u-plain", "u-gone", "nobody", "u3"][i % 4],
                }
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.write("{broken json\n")
    return folder


def invoke(*args: str) -> Any:
    from safecorpus.cli import _register, cli

    _register()
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


def _ip_scan(corpus: str, store: Path, *extra: str) -> tuple[dict[str, Any], bytes]:
    out = store / "scan.json"
    invoke("ip", "scan", corpus, "--store-dir", str(store), "--json", str(out), *extra)
    doc = json.loads(out.read_text())
    return doc, Path(doc["evidence_file"]).read_bytes()


def test_ip_scan_on_two_workers_and_a_memory_url_gives_one_process_results(corpus, tmp_path):
    fsspec = pytest.importorskip("fsspec")
    one, one_file = _ip_scan(str(corpus), tmp_path / "one")
    two, two_file = _ip_scan(str(corpus), tmp_path / "two", "--workers", "2")
    fs = fsspec.filesystem("memory")
    for path in sorted(corpus.iterdir()):
        fs.pipe_file(f"/pass-ip/{path.name}", path.read_bytes())
    try:
        mem, mem_file = _ip_scan("memory://pass-ip", tmp_path / "mem")
    finally:
        fs.rm("/pass-ip", recursive=True)
    assert one["records"] == 36 and sum(s["flagged"] for s in one["sources"]) > 0
    for doc in (two, mem):
        assert doc["sources"] == one["sources"] and doc["records"] == one["records"]
    assert two_file == one_file and mem_file == one_file
    header = json.loads(one_file.splitlines()[0])
    assert header["schema"] == findings_io.FINDINGS_SCHEMA and header["detectors"] == one["detectors"]
    rows = list(findings_io.read_findings(one["evidence_file"]))
    assert [r.n for r in rows] == sorted(r.n for r in rows) and all(r.findings for r in rows)
    assert {r.id for r in rows if r.extra["flagged"]} >= {"p0-0"}


def test_pii_scan_on_two_workers_writes_what_one_process_writes(corpus, tmp_path):
    outs = {}
    for workers in ("1", "2"):
        outs[workers] = tmp_path / f"pii-{workers}.jsonl"
        invoke("pii", "scan", str(corpus), "--out", str(outs[workers]), "--workers", workers)
    assert outs["2"].read_bytes() == outs["1"].read_bytes()
    rows = list(findings_io.read_findings(outs["1"]))
    assert [r.n for r in rows] == list(range(36))
    assert [r.id for r in rows[:3]] == ["p0-0", "p0-1", "p0-2"]
    assert sum(bool(r.findings) for r in rows) >= 18
    assert all(f.layer == "pii" for r in rows for f in r.findings)


def test_consent_report_on_two_workers_gives_one_process_verdicts(corpus, tmp_path, monkeypatch):
    from tests.consent.test_consent import CSV

    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_text(CSV, "utf-8")
    invoke("consent", "import", "c.csv")
    docs, outs = {}, {}
    for workers in ("1", "2"):
        rep, outs[workers] = tmp_path / f"rep-{workers}.json", tmp_path / f"v-{workers}.jsonl"
        invoke("consent", "report", str(corpus), "--json", str(rep), "--out", str(outs[workers]),
               "--workers", workers)  # fmt: skip
        docs[workers] = json.loads(rep.read_text())["corpus"]
    assert docs["2"] == docs["1"] and outs["2"].read_bytes() == outs["1"].read_bytes()
    by_verdict = docs["1"]["by_verdict"]
    assert docs["1"]["records"] == 36 and by_verdict["consent_withdrawn"] > 0 and by_verdict["no_pi"] > 0
    rows = [json.loads(line) for line in outs["1"].read_text().splitlines()]
    assert [r["id"] for r in rows[:2]] == ["p0-0", "p0-1"] and len(rows) == 36


def _items(items: list) -> list[tuple]:
    return [(i.queue, i.source, i.record_id, i.text, i.pii_spans, i.findings, i.flagged_layers, i.meta)
            for i in items]  # fmt: skip


def test_review_loaders_on_two_workers_queue_what_one_process_queues(corpus, tmp_path, tiny_lexicon_path):
    from safecorpus.assess.runner import AssessConfig, run_assessment
    from safecorpus.pipeline.corpus_pass import PassOptions
    from safecorpus.registry.db import open_store
    from safecorpus.registry.results import save_run
    from safecorpus.review.importers import manual_items, run_items
    from safecorpus.taxonomy.profile import load_profile

    one = manual_items(corpus, size=10, seed="t")
    two = manual_items(corpus, size=10, seed="t", run_on=PassOptions(workers=2))
    assert len(one) == 10 and _items(two) == _items(one)
    profile = load_profile("gbt45654-2025")
    lexicon = str(tiny_lexicon_path)
    config = AssessConfig(corpus, profile, store_dir=tmp_path / "store", lexicon=lexicon, sample_size=5)
    summary = run_assessment(config)
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    save_run(engine, summary, profile.data)
    runs = {w: run_items(engine, run_on=PassOptions(workers=w)) for w in (1, 2)}
    assert runs[1][1] == {"sampled": 15, "found": 15, "missing": 0}
    assert _items(runs[2][0]) == _items(runs[1][0]) and runs[2][1] == runs[1][1]


@pytest.mark.slow
def test_ip_scan_on_a_ray_the_command_starts_gives_the_local_results(corpus, tmp_path):
    pytest.importorskip("ray")
    import os
    import subprocess
    import sys

    binary = Path(sys.executable).parent / "safecorpus"
    # Ray writes an auth token under $HOME/.ray; a private home keeps it from other tests' clusters
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "HOME": str(home)}
    docs = {}
    for name, extra in (("local", []), ("ray", ["--executor", "ray"])):
        out = tmp_path / f"{name}.json"
        args = [
            str(binary),
            "ip",
            "scan",
            str(corpus),
            "--store-dir",
            str(tmp_path / name),
            "--json",
            str(out),
        ]
        proc = subprocess.run(
            [*args, *extra], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        docs[name] = json.loads(out.read_text())
    assert docs["ray"]["sources"] == docs["local"]["sources"]
    files = {name: Path(doc["evidence_file"]).read_bytes() for name, doc in docs.items()}
    assert files["ray"] == files["local"]
