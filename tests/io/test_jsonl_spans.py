"""A plain JSON Lines file read in byte ranges gives the items of the whole file, numbered alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safecorpus.io.options import ReaderOptions
from safecorpus.io.reader import iter_file, splittable


def _file(tmp_path: Path) -> Path:
    lines = [json.dumps({"text": f"line {i} " + "x" * (i * 7 % 50)}) for i in range(60)]
    lines[10] = "{broken"  # a rejection keeps its line number
    lines[20] = ""  # a blank line is not a record
    lines[30] = json.dumps({"text": "y" * 400})  # over the size limit below
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _items(path: Path, span: tuple[int, int] | None) -> list[tuple]:
    options = ReaderOptions(max_record_bytes=300)
    out = []
    for item in iter_file(path, "a.jsonl", "a", options, span):
        out.append((type(item).__name__, getattr(item, "id", None), getattr(item, "line", None)))
    return out


@pytest.mark.parametrize("step", [1, 7, 64, 333, 4096])
def test_spans_give_the_whole_file(tmp_path, step):
    path = _file(tmp_path)
    size = path.stat().st_size
    whole = _items(path, None)
    pieces = [x for s in range(0, size, step) for x in _items(path, (s, min(s + step, size)))]
    assert pieces == whole
    assert ("Rejection", None, 11) in whole and ("Rejection", None, 31) in whole
    assert ("Record", "a.jsonl:60", 60) in whole and len(whole) == 59


def test_only_plain_json_lines_are_split():
    assert splittable("x/a.jsonl") and splittable("b.ndjson")
    assert not splittable("a.jsonl.gz") and not splittable("a.csv") and not splittable("a.parquet")
