from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from safecorpus.errors import InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.io.reader import iter_corpus
from safecorpus.io.records import FileNotice, Record, Rejection


def split(items):
    items = list(items)
    return (
        [i for i in items if isinstance(i, Record)],
        [i for i in items if isinstance(i, Rejection)],
        [i for i in items if isinstance(i, FileNotice)],
    )


def jsonl(rows) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def test_plain_gz_and_zst_jsonl_read_the_same(tmp_path: Path) -> None:
    text = jsonl([{"id": f"r{i}", "text": f"文本 {i}"} for i in range(100)])
    (tmp_path / "a.jsonl").write_text(text, "utf-8")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(text)
    (tmp_path / "c.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(text.encode()))
    recs, rejs, _ = split(iter_corpus(tmp_path))
    assert not rejs
    by_file: dict[str, list[str]] = {}
    for r in recs:
        by_file.setdefault(r.file, []).append(r.text)
    assert by_file["a.jsonl"] == by_file["b.jsonl.gz"] == by_file["c.jsonl.zst"]
    assert {r.source for r in recs} == {"a", "b", "c"}


def test_bad_json_lines_are_rejected_with_file_and_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "ok"}),
        "{broken",
        "[1, 2]",
        json.dumps({"body": "x"}),
        json.dumps({"text": 5}),
        json.dumps({"text": "  "}),
        "",
        json.dumps({"text": "fine"}),
    ]
    (tmp_path / "x.jsonl").write_text("\n".join(lines) + "\n")
    recs, rejs, _ = split(iter_corpus(tmp_path / "x.jsonl"))
    assert [r.id for r in recs] == ["x.jsonl:1", "x.jsonl:8"]
    assert [(r.line, r.reason) for r in rejs] == [
        (2, "malformed_json"),
        (3, "not_an_object"),
        (4, "missing_text_field"),
        (5, "invalid_text_field"),
        (6, "empty_text"),
    ]
    assert all(r.file == "x.jsonl" for r in rejs)


def test_gbk_file_is_detected_without_a_flag(tmp_path: Path) -> None:
    rows = [{"id": i, "text": f"这是第{i}条中文记录，内容正常。"} for i in range(50)]
    (tmp_path / "gbk.jsonl").write_bytes(jsonl(rows).encode("gbk"))
    recs, rejs, notices = split(iter_corpus(tmp_path))
    assert not rejs and len(recs) == 50
    assert recs[3].text == "这是第3条中文记录，内容正常。"
    assert any(n.kind == "encoding" and "GB18030" in n.message for n in notices)


def test_utf8_file_with_a_few_bad_lines_stays_utf8(tmp_path: Path) -> None:
    good = [json.dumps({"text": f"中文内容{i}"}, ensure_ascii=False).encode() for i in range(40)]
    good[10] = (
        json.dumps({"text": "坏"}, ensure_ascii=False).encode().replace("坏".encode(), "坏".encode("gbk"))
    )
    good[20] = b'{"text": "\xff\xfe bad"}'
    (tmp_path / "u.jsonl").write_bytes(b"\n".join(good) + b"\n")
    recs, rejs, notices = split(iter_corpus(tmp_path))
    assert len(recs) == 38 and recs[0].text == "中文内容0"
    assert [(r.line, r.reason) for r in rejs] == [(11, "invalid_encoding"), (21, "invalid_encoding")]
    assert not any(n.kind == "encoding" for n in notices)


def test_huge_line_is_rejected_without_loading_it(tmp_path: Path) -> None:
    big = json.dumps({"text": "x" * (50 * 1024 * 1024)})
    (tmp_path / "big.jsonl").write_text(
        json.dumps({"text": "before"}) + "\n" + big + "\n" + json.dumps({"text": "after"}) + "\n"
    )
    recs, rejs, _ = split(iter_corpus(tmp_path, ReaderOptions(max_record_bytes=1024 * 1024)))
    assert [r.text for r in recs] == ["before", "after"]
    assert [(r.line, r.reason) for r in rejs] == [(2, "record_too_large")]


def test_corrupt_compressed_data_rejects_the_rest_and_names_the_line(tmp_path: Path) -> None:
    text = jsonl([{"text": f"row {i} " + "padding " * 50} for i in range(2000)]).encode()
    blob = gzip.compress(text)
    (tmp_path / "bad.jsonl.gz").write_bytes(blob[: len(blob) // 2])
    zblob = zstandard.ZstdCompressor().compress(text)
    (tmp_path / "bad2.jsonl.zst").write_bytes(zblob[:100] + b"\x00garbage" * 10 + zblob[200:])
    recs, rejs, _ = split(iter_corpus(tmp_path))
    assert {r.reason for r in rejs} == {"corrupt_compressed_data"}
    assert {r.file for r in rejs} == {"bad.jsonl.gz", "bad2.jsonl.zst"}
    gz_rej = next(r for r in rejs if r.file == "bad.jsonl.gz")
    gz_recs = [r for r in recs if r.file == "bad.jsonl.gz"]
    assert gz_rej.line == len(gz_recs) + 1 > 1


def test_empty_file_is_a_notice_not_a_record(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "empty.csv").write_bytes(b"")
    recs, rejs, notices = split(iter_corpus(tmp_path))
    assert not recs and not rejs
    assert sorted(n.file for n in notices if n.kind == "empty_file") == ["empty.csv", "empty.jsonl"]


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(iter_corpus(tmp_path / "nope"))


def test_csv_with_header_gbk_and_bad_rows(tmp_path: Path) -> None:
    content = 'id,text,source\n1,第一行,forum\n2,"第二行, 有逗号",forum\n3,only two\n4,第四行,\n'
    (tmp_path / "q.csv").write_bytes(content.encode("gbk"))
    recs, rejs, _ = split(iter_corpus(tmp_path))
    assert [r.text for r in recs] == ["第一行", "第二行, 有逗号", "第四行"]
    assert [r.source for r in recs] == ["forum", "forum", "q"]
    assert [(r.line, r.reason) for r in rejs] == [(4, "malformed_csv")]


def test_parquet_and_txt_folders(tmp_path: Path) -> None:
    pq.write_table(
        pa.table({"id": ["p1", "p2"], "text": ["甲", None], "url": ["https://a.example.org/x", ""]}),
        tmp_path / "t.parquet",
    )
    folder = tmp_path / "books"
    folder.mkdir()
    (folder / "one.txt").write_text("第一本书", "utf-8")
    (folder / "two.txt").write_bytes("第二本书".encode("gbk"))
    recs, rejs, _ = split(iter_corpus(tmp_path))
    by_id = {r.id: r for r in recs}
    assert by_id["p1"].source == "a.example.org"
    assert by_id["books/one.txt"].text == "第一本书" and by_id["books/two.txt"].text == "第二本书"
    assert by_id["books/one.txt"].source == "books"
    assert [(r.file, r.line, r.reason) for r in rejs] == [("t.parquet", 2, "invalid_text_field")]


def test_configurable_fields_and_provenance_carried(tmp_path: Path) -> None:
    (tmp_path / "f.jsonl").write_text(
        jsonl([{"doc_id": "d1", "content": "x", "site": "s1", "license": "MIT"}])
    )
    opts = ReaderOptions(text_field="content", id_field="doc_id", source_field="site")
    (rec,) = [i for i in iter_corpus(tmp_path, opts) if isinstance(i, Record)]
    assert (rec.id, rec.text, rec.source, rec.meta["license"]) == ("d1", "x", "s1", "MIT")
