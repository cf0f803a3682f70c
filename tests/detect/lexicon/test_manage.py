from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from safecorpus.detect.lexicon.library import Lexicon, Term, parse_lexicon
from safecorpus.detect.lexicon.manage import (
    bump_version,
    diff_lexicons,
    export_lexicon,
    merge_terms,
    read_any_terms,
)
from safecorpus.errors import LexiconError

TODAY = dt.date(2026, 12, 1)


def lex(*terms: Term, version: str = "2026.11.28") -> Lexicon:
    return Lexicon("t", version, dt.date(2026, 11, 28), list(terms))


def test_bump_version() -> None:
    assert bump_version("2026.11.28", TODAY) == "2026.12.01"
    assert bump_version("2026.12.01", TODAY) == "2026.12.01.1"
    assert bump_version("2026.12.01.4", TODAY) == "2026.12.01.5"
    assert bump_version("7", TODAY) == "8"
    assert bump_version("beta", TODAY) == "2026.12.01"


def test_merge_dedups_by_canonical_form_and_risk() -> None:
    target = lex(Term("甲乙", "A.1.8", "gambling"))
    new = [
        Term("甲 乙", "A.1.8", "gambling", source="x"),  # same canonical form and risk
        Term("ＡＢＣＤ", "A.1.6", source="x"),
        Term("abcd", "A.1.6", source="x"),  # same as the previous one
        Term("甲乙", "A.2.4", "region", source="x"),  # same form, other risk: kept
        Term("\u200b", "A.1.6", source="x"),  # nothing left after normalisation
    ]
    report = merge_terms(target, new, sources=["x.txt"], today=TODAY)
    assert (report.added, report.duplicates, report.empty) == (2, 2, 1)
    assert [t.term for t in target.terms] == ["甲乙", "ＡＢＣＤ", "甲乙"]
    assert target.version == "2026.12.01" and target.updated_at == TODAY
    assert "x.txt" in target.header["import_1"]


def test_export_formats_round_trip() -> None:
    lib = lex(Term("甲乙", "A.1.8", "gambling", 0.5, "zh", "s"), Term("丙丁", "A.2.4", None, 1.0, "zh", "s"))
    again = parse_lexicon(export_lexicon(lib, "tsv"))
    assert again.terms == lib.terms
    rows = list(csv.reader(io.StringIO(export_lexicon(lib, "csv"))))
    assert rows[0][:2] == ["term", "risk"] and rows[1][:4] == ["甲乙", "A.1.8", "gambling", "0.5"]
    filing = list(csv.reader(io.StringIO(export_lexicon(lib, "filing"))))
    assert filing[0] == ["关键词", "一级分类", "二级分类"]
    assert filing[1] == ["甲乙", "包含违反社会主义核心价值观的内容", "其他法律、行政法规禁止的内容"]
    assert filing[2][0] == "丙丁" and filing[2][1] == "包含歧视性内容"
    with pytest.raises(LexiconError):
        export_lexicon(lib, "xml")


def test_diff() -> None:
    a = lex(Term("甲乙", "A.1.8"), Term("丙丁", "A.2.4"), Term("戊己", "A.1.6", weight=1.0))
    b = lex(Term("甲 乙", "A.1.8"), Term("戊己", "A.1.6", weight=0.5), Term("庚辛", "A.1.6"))
    d = diff_lexicons(a, b)
    assert [c for c, _ in d.added] == ["庚辛"]
    assert [c for c, _ in d.removed] == ["丙丁"]
    assert [c for c, _, _ in d.changed] == ["戊己"]
    changes = {r["risk"]: r["change"] for r in d.per_risk}
    assert changes == {"A.1.6": 1, "A.1.8": 0, "A.2.4": -1}
    assert diff_lexicons(a, a).same


def test_read_any_terms(tmp_path: Path) -> None:
    plain = tmp_path / "list.txt"
    plain.write_text("甲乙\n丙丁,\n", "utf-8")
    with pytest.raises(LexiconError, match="--mapping"):
        read_any_terms(plain, None, "p")
    terms = read_any_terms(plain, {"list": "A.1.8/gambling"}, "p", weight=0.6)
    assert [(t.term, t.tag, t.weight, t.source) for t in terms] == [
        ("甲乙", "A.1.8/gambling", 0.6, "p/list.txt"),
        ("丙丁", "A.1.8/gambling", 0.6, "p/list.txt"),
    ]
