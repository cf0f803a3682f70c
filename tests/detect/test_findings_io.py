"""The one findings format: what each pass writes reads back as (record id, source, findings)."""

from __future__ import annotations

import pytest

from safecorpus.detect import findings_io
from safecorpus.detect.base import Finding
from safecorpus.errors import InputError
from safecorpus.pipeline import FilterConfig, run_filter
from safecorpus.taxonomy.profile import load_profile
from tests.pipeline.corpus import write_corpus


def _finding(rid: str, score: float) -> Finding:
    return Finding(rid, "keyword@1", "keyword", "A.1.1", score, 0, 3, "t", {"term_id": "x", "n": [1, 2]})


def test_a_written_file_reads_back_with_its_header_and_extra_fields(tmp_path):
    path = tmp_path / "f.jsonl"
    with path.open("wb") as fh:
        fh.write(findings_io.header_line(["keyword@1"], 3, command="test"))
        fh.write(findings_io.record_line(0, "a", "s1", [_finding("a", 0.9)], violation=True))
        fh.write(findings_io.record_line(2, "c", None, [_finding("c", 0.2), _finding("c", 0.4)]))
    header = findings_io.read_header(path)
    assert header["schema"] == findings_io.FINDINGS_SCHEMA and header["records"] == 3
    rows = list(findings_io.read_findings(path))
    assert [(r.n, r.id, r.source) for r in rows] == [(0, "a", "s1"), (2, "c", None)]
    assert rows[0].findings == [_finding("a", 0.9)] and rows[0].extra == {"violation": True}
    assert [f.score for f in rows[1].findings] == [0.2, 0.4]


def test_a_file_of_another_schema_or_without_a_header_is_refused(tmp_path):
    other = tmp_path / "other.jsonl"
    other.write_bytes(b'{"schema": "safecorpus.findings/9", "detectors": []}\n')
    with pytest.raises(InputError, match="findings/9"):
        list(findings_io.read_findings(other))
    bare = tmp_path / "bare.jsonl"
    bare.write_bytes(findings_io.record_line(0, "a", "s", []))
    with pytest.raises(InputError, match="not a findings file"):
        findings_io.read_header(bare)


def test_filter_shard_findings_are_the_format(tmp_path, tiny_lexicon_path):
    corpus = write_corpus(tmp_path / "in", files=2, per_file=30)
    config = FilterConfig(
        corpus=str(corpus), out=str(tmp_path / "out"), profile=load_profile(), lexicon=str(tiny_lexicon_path),
        pii=False, default_blocklist=False, shard_size=25,
    )  # fmt: skip
    run_filter(config)
    files = sorted((tmp_path / "out" / "findings").glob("*.findings.jsonl"))
    assert len(files) == 4
    rows = [row for p in files for row in findings_io.read_findings(p)]
    assert rows and all(r.source in {"news", "forum", "books"} and r.findings for r in rows)
    assert {f.layer for r in rows for f in r.findings} >= {"keyword"}
    assert all(findings_io.read_header(p)["records"] in (25, 5) for p in files)
