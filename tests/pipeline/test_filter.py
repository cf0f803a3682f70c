from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from safecorpus.pipeline import BlocklistSpec, FilterConfig, run_filter
from safecorpus.taxonomy.profile import load_profile
from tests.pipeline.corpus import write_corpus


def _profile(tmp_path: Path, filter_table: str = "") -> object:
    path = tmp_path / "policy.toml"
    path.write_text(f'extends = "gbt45654-2025"\n[filter]\n{filter_table}\n', encoding="utf-8")
    return load_profile(str(path))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "in")


@pytest.fixture
def blocked_domains(tmp_path: Path) -> BlocklistSpec:
    p = tmp_path / "domains.txt"
    p.write_text("# test list\nblocked.example\nexample.org/private\n", encoding="utf-8")
    return BlocklistSpec("domains", str(p))


def _config(corpus: Path, out: Path, lexicon: Path, **kw: object) -> FilterConfig:
    base = dict(
        profile=load_profile(),
        lexicon=str(lexicon),
        pii=False,
        default_blocklist=False,
        shard_size=25,
    )
    base.update(kw)
    return FilterConfig(corpus=str(corpus), out=str(out), **base)  # type: ignore[arg-type]


def _ledger(out: Path) -> list[dict]:
    return [
        orjson.loads(line) for p in sorted((out / "ledger").iterdir()) for line in p.read_bytes().splitlines()
    ]


def _kept(out: Path) -> list[dict]:
    return [
        orjson.loads(line) for p in sorted((out / "data").iterdir()) for line in p.read_bytes().splitlines()
    ]


def test_every_record_is_accounted_for(tmp_path, corpus, tiny_lexicon_path, blocked_domains):
    out = tmp_path / "out"
    s = run_filter(_config(corpus, out, tiny_lexicon_path, blocklists=[blocked_domains], dedup="exact"))
    r = s["records"]
    assert r["read"] == 123 and r["rejected"] == 3
    assert r["read"] == r["kept"] + r["removed"] + r["rejected"]
    assert r["removed_reasons"] == {"blocklist_domain": 12, "flagged": 24, "duplicate_exact": 12}
    ledger, kept = _ledger(out), _kept(out)
    assert len(kept) == r["kept"] and len(ledger) == r["removed"] + r["rejected"]
    ids = [x["id"] for x in ledger] + [x["id"] for x in kept]
    assert len(ids) == len(set(ids)) == r["read"]
    flagged = next(x for x in ledger if x["reason"] == "flagged")
    assert flagged["rule"]["risks"] and flagged["detectors"][0].startswith("lexicon@")
    dup = next(x for x in ledger if x["reason"] == "duplicate_exact")
    assert dup["rule"]["duplicate_of"] == "p0-0"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["records"] == r
    assert manifest["blocklists"][0]["version"] and len(manifest["input"]["files"]) == 3
    shard = manifest["output"]["shards"][0]
    assert (out / shard["data"]["path"]).stat().st_size == shard["data"]["bytes"]
    assert s["steps"][0]["step"] == "read" and s["steps"][-1]["out"] == r["kept"]


def test_redaction_policy_and_reapply_without_rescanning(tmp_path, corpus, tiny_lexicon_path, monkeypatch):
    out = tmp_path / "out"
    run_filter(_config(corpus, out, tiny_lexicon_path))
    findings_before = {p.name: p.read_bytes() for p in (out / "findings").iterdir()}
    from safecorpus.detect.lexicon.detector import LexiconDetector

    def boom(*a, **k):
        raise AssertionError("re-scanned")

    monkeypatch.setattr(LexiconDetector, "detect", boom)
    s = run_filter(_config(corpus, out, tiny_lexicon_path, profile=_profile(tmp_path, 'flagged = "redact"')))
    assert "flagged" not in s["records"]["removed_reasons"]
    assert s["records"]["redacted"] == 24
    assert {p.name: p.read_bytes() for p in (out / "findings").iterdir()} == findings_before
    texts = [r["text"] for r in _kept(out)]
    assert any("<A.1.8>" in t for t in texts) and not any("违禁词甲" in t for t in texts)


def test_source_verdicts_and_provenance(tmp_path, corpus, tiny_lexicon_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - name: news\n    provenance_type: open-source\n    url: https://news.example\n"
        "    licence: CC-BY-4.0\n"
        "  - name: books\n    provenance_type: commercial\n    dataset: Books\n    organisation: Pub Co\n"
        "    licence: contract-17\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    s = run_filter(
        _config(
            corpus,
            out,
            tiny_lexicon_path,
            verdicts={"forum": "blacklist"},
            sources=str(sources),
            profile=_profile(tmp_path, 'missing_provenance = "drop"'),
        )
    )
    reasons = s["records"]["removed_reasons"]
    assert reasons["source_blacklisted"] == 39
    assert "provenance_missing" not in reasons  # forum is removed first, everything else has provenance
    kept = _kept(out)
    assert {r["provenance"]["type"] for r in kept} == {"open-source", "commercial"}
    assert all(r["provenance"].get("licence") for r in kept)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["assessment"]["blacklisted"] == ["forum"] and manifest["sources_file"]["entries"] == 2


def test_sources_csv_with_patterns(tmp_path):
    from safecorpus.pipeline import load_sources

    p = tmp_path / "s.csv"
    p.write_text(
        "name,match,provenance_type,service,user_id_field,url,licence\n"
        "chat,path:chat/*,user-input,Our Chat,uid,,\n"
        "web,example.com;https://other.org/docs/,open-source,,,,CC0\n",
        encoding="utf-8",
    )
    cat = load_sources(p)
    assert cat.provenance("x", {"uid": 7}, "chat/a.jsonl", "url") == {
        "source": "chat",
        "type": "user-input",
        "service": "Our Chat",
        "user_id": "7",
    }
    assert cat.provenance("x", {}, "chat/a.jsonl", "url") is None  # no user id: incomplete
    assert cat.provenance("y", {"url": "https://a.example.com/p"}, "f", "url")["source"] == "web"
    assert (
        cat.provenance("y", {"url": "https://other.org/docs/1"}, "f", "url")["url"]
        == "https://other.org/docs/1"
    )
    assert cat.provenance("y", {"url": "https://other.org/blog"}, "f", "url") is None


@pytest.mark.parametrize("fmt", ["jsonl.zst", "parquet"])
def test_formats_and_pool_match_in_process(tmp_path, corpus, tiny_lexicon_path, fmt):
    a, b = tmp_path / "a", tmp_path / "b"
    run_filter(_config(corpus, a, tiny_lexicon_path, fmt=fmt))
    run_filter(_config(corpus, b, tiny_lexicon_path, fmt=fmt, workers=2))
    for sub in ("data", "ledger", "findings"):
        assert {p.name: p.read_bytes() for p in (a / sub).iterdir()} == {
            p.name: p.read_bytes() for p in (b / sub).iterdir()
        }


def test_pii_redaction_when_detector_present(tmp_path, tiny_lexicon_path):
    pytest.importorskip("safecorpus.detect.pii")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "1", "text": "请联系 13812345678 或 a.person@example.com 谢谢"}) + "\n")
    out = tmp_path / "out"
    s = run_filter(_config(src, out, tiny_lexicon_path, pii=True))
    assert s["records"]["pii_redactions"] >= 1
    text = _kept(out)[0]["text"]
    assert "13812345678" not in text
    s = run_filter(
        _config(src, tmp_path / "o2", tiny_lexicon_path, pii=True, profile=_profile(tmp_path, 'pii = "drop"'))
    )
    assert s["records"]["removed_reasons"] == {"pii": 1}


def test_near_dedup_removes_edited_copies(tmp_path, tiny_lexicon_path):
    import random

    from tests.pipeline.corpus import document, edit

    rng = random.Random(3)
    src = tmp_path / "in.jsonl"
    docs = [document(rng) for _ in range(20)]
    lines = [{"id": f"o{i}", "text": d} for i, d in enumerate(docs)]
    lines += [{"id": f"e{i}", "text": edit(rng, d, 4, shuffle=True)} for i, d in enumerate(docs[:10])]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines))
    s = run_filter(_config(src, tmp_path / "out", tiny_lexicon_path, dedup="near"))
    assert s["records"]["removed_reasons"] == {"duplicate_near": 10}
    ledger = _ledger(tmp_path / "out")
    assert {x["id"]: x["rule"]["duplicate_of"] for x in ledger} == {f"e{i}": f"o{i}" for i in range(10)}


def test_cli_json_summary(tmp_path, corpus, tiny_lexicon_path):
    from click.testing import CliRunner

    from safecorpus.cli import _register, cli

    _register()
    res = CliRunner().invoke(
        cli,
        [
            "filter",
            str(corpus),
            str(tmp_path / "out"),
            "--no-assessment",
            "--lexicon",
            str(tiny_lexicon_path),
            "--no-pii",
            "--json",
            str(tmp_path / "s.json"),
            "--store-dir",
            str(tmp_path / "store"),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "s.json").read_text())
    assert set(doc["records"]) >= {"read", "kept", "removed", "rejected", "reasons"}
    res = CliRunner().invoke(
        cli, ["filter", str(corpus), str(tmp_path / "o2"), "--store-dir", str(tmp_path / "store")]
    )
    assert res.exit_code != 0 and "no stored assessment" in str(res.exception or res.output)
