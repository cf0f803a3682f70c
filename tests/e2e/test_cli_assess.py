"""End-to-end: the real `safecorpus` console script on corpora salted with every kind of bad input."""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "safecorpus"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([str(BIN), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def salted_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = [
        {"id": f"g{i}", "text": f"普通的句子 {i}" + (" 违禁词甲" if i % 5 == 0 else ""), "source": "bad-site"}
        for i in range(300)
    ]
    clean = [{"id": f"c{i}", "text": f"clean text number {i}", "source": "good-site"} for i in range(300)]
    lines = [json.dumps(r, ensure_ascii=False) for r in good + clean]
    lines += ["{not json", json.dumps({"id": "nt", "source": "good-site"}), json.dumps({"text": ""})]
    (corpus / "main.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (corpus / "bytes.jsonl").write_bytes(b'{"text": "ok bytes"}\n{"text": "\xff\xfe"}\n')
    (corpus / "empty.jsonl").write_bytes(b"")
    (corpus / "huge.jsonl").write_text(json.dumps({"text": "y" * (3 * 1024 * 1024)}) + "\n")
    blob = gzip.compress(
        ("\n".join(json.dumps({"text": f"gz {i} " * 40}) for i in range(3000)) + "\n").encode()
    )
    (corpus / "cut.jsonl.gz").write_bytes(blob[: len(blob) // 2])
    return corpus


def test_counts_reconcile_and_nothing_crashes(
    salted_corpus: Path, tiny_lexicon_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "summary.json"
    proc = run(
        "assess",
        str(salted_corpus),
        "--lexicon",
        str(tiny_lexicon_path),
        "--max-record-bytes",
        "1048576",
        "--json",
        str(out),
        "--store-dir",
        str(tmp_path / "store"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    doc = json.loads(out.read_text())
    recs = doc["records"]
    assert recs["read"] == recs["assessed"] + recs["rejected"]
    assert recs["rejected"] == sum(recs["rejected_reasons"].values())
    assert recs["rejected_reasons"] == {
        "corrupt_compressed_data": 1,
        "empty_text": 1,
        "invalid_encoding": 1,
        "malformed_json": 1,
        "missing_text_field": 1,
        "record_too_large": 1,
    }
    rejected_file = Path(doc["evidence_dir"]) / "rejected.jsonl"
    assert len(rejected_file.read_text().splitlines()) == recs["rejected"]
    assert sum(s["read"] for s in doc["sources"]) == recs["assessed"]
    by_name = {s["name"]: s for s in doc["sources"]}
    assert by_name["bad-site"]["verdict"] == "blacklist"
    assert by_name["bad-site"]["top_risks"] == [{"risk": "A.1.8", "count": by_name["bad-site"]["violations"]}]
    assert by_name["good-site"]["verdict"] == "pass"
    assert {
        "name",
        "read",
        "sampled",
        "violations",
        "rate",
        "ci_low",
        "ci_high",
        "verdict",
        "top_risks",
    } <= set(by_name["bad-site"])
    assert {"technical_sample", "lexicon_coverage", "schema_version"} <= set(doc)
    assert "main.jsonl:601" in proc.stderr  # the malformed line is named with file and line
    assert any(n["kind"] == "empty_file" for n in doc["files"])
    # the store holds what was printed
    db = sqlite3.connect(tmp_path / "store" / "safecorpus.db")
    stored = dict(db.execute("select name, verdict from source_results").fetchall())
    assert stored == {s["name"]: s["verdict"] for s in doc["sources"]}
    # sampled ids are evidence
    ids_file = Path(by_name["bad-site"]["sampled_ids_file"])
    assert len([ln for ln in ids_file.read_text().splitlines()[2:] if ln]) == by_name["bad-site"]["sampled"]
    listing = run("sources", "list", "--store-dir", str(tmp_path / "store"), cwd=tmp_path)
    assert listing.returncode == 0 and "bad-site" in listing.stdout and "blacklist" in listing.stdout
    shown = run("sources", "show", "bad-site", "--store-dir", str(tmp_path / "store"), cwd=tmp_path)
    assert shown.returncode == 0 and "seed" in shown.stdout
    missing = run("sources", "show", "nope", "--store-dir", str(tmp_path / "store"), cwd=tmp_path)
    assert missing.returncode != 0 and "no stored results" in missing.stderr


def test_exit_codes(salted_corpus: Path, tiny_lexicon_path: Path, tmp_path: Path) -> None:
    store = ["--store-dir", str(tmp_path / "s")]
    proc = run("assess", str(tmp_path / "missing"), *store, cwd=tmp_path)
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "a.jsonl").write_text('{"body": 1}\n')
    proc = run("assess", str(empty), "--lexicon", str(tiny_lexicon_path), *store, cwd=tmp_path)
    assert proc.returncode == 2 and "nothing could be assessed" in proc.stderr
    proc = run(
        "assess",
        str(salted_corpus),
        "--lexicon",
        str(tiny_lexicon_path),
        "--fail-on-blacklist",
        *store,
        cwd=tmp_path,
    )
    assert proc.returncode == 3
    proc = run("assess", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "--fail-on-blacklist" in proc.stdout and "--seed" in proc.stdout


def test_same_seed_same_sample(salted_corpus: Path, tiny_lexicon_path: Path, tmp_path: Path) -> None:
    docs = []
    for i, seed in enumerate(("s1", "s1", "s2")):
        out = tmp_path / f"o{i}.json"
        run(
            "assess",
            str(salted_corpus),
            "--lexicon",
            str(tiny_lexicon_path),
            "--seed",
            seed,
            "--sample-size",
            "50",
            "--json",
            str(out),
            "--store-dir",
            str(tmp_path / f"st{i}"),
            cwd=tmp_path,
        )
        doc = json.loads(out.read_text())
        ids = Path(next(s for s in doc["sources"] if s["name"] == "bad-site")["sampled_ids_file"]).read_text()
        docs.append(ids.splitlines()[2:])
    assert docs[0] == docs[1] != docs[2]


def test_config_file_overrides_profile(salted_corpus: Path, tiny_lexicon_path: Path, tmp_path: Path) -> None:
    (tmp_path / "safecorpus.toml").write_text(
        f'[profile]\nsource.sample_size = 25\n[lexicon]\npath = "{tiny_lexicon_path}"\n[store]\ndir = "st"\n'
    )
    out = tmp_path / "o.json"
    proc = run("assess", str(salted_corpus), "--json", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["sampling"]["per_source_sample_size"] == 25
    assert all(s["sampled"] <= 25 for s in doc["sources"])
    (tmp_path / "safecorpus.toml").write_text("[profile]\nsource.sample_size = 'many'\n")
    proc = run("assess", str(salted_corpus), cwd=tmp_path)
    assert proc.returncode == 2 and "sample_size" in proc.stderr
