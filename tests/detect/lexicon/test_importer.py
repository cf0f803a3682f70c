"""The category-list importer: encodings, trailing commas, comments, and the category mapping."""

from __future__ import annotations

import pytest

from safecorpus.detect.lexicon.importer import import_category_lists, load_mapping, read_term_list
from safecorpus.errors import LexiconError


def test_reads_gb18030_and_utf8(tmp_path):
    gb = tmp_path / "alpha.txt"
    gb.write_bytes("第一词\n第二词\n".encode("gb18030"))
    utf = tmp_path / "beta.txt"
    utf.write_text("\ufeff第三词\n", "utf-8")
    assert list(read_term_list(gb)) == ["第一词", "第二词"]
    assert list(read_term_list(utf)) == ["第三词"]


def test_trailing_commas_blank_lines_and_comments(tmp_path):
    p = tmp_path / "alpha.txt"
    p.write_text("# header comment\n甲乙,\n\n  丙丁， \r\n戊己\n甲乙\n", "utf-8")
    assert list(read_term_list(p)) == ["甲乙", "丙丁", "戊己", "甲乙"]


def test_import_maps_category_to_risk_and_dedupes(tmp_path):
    p = tmp_path / "alpha.txt"
    p.write_text("甲乙\n丙丁\n甲乙\n", "utf-8")
    terms = import_category_lists([p], {"alpha": "A.1.8/weapons"}, "demo")
    assert [t.term for t in terms] == ["甲乙", "丙丁"]
    assert {(t.risk, t.topic, t.source, t.weight) for t in terms} == {
        ("A.1.8", "weapons", "demo/alpha.txt", 1.0)
    }


def test_skip_and_unknown_category(tmp_path):
    p = tmp_path / "alpha.txt"
    p.write_text("甲乙\n", "utf-8")
    assert import_category_lists([p], {"alpha": "skip"}, "demo") == []
    with pytest.raises(LexiconError, match="alpha"):
        import_category_lists([p], {"beta": "A.1.1"}, "demo")


def test_invalid_tag_is_a_lexicon_error(tmp_path):
    p = tmp_path / "alpha.txt"
    p.write_text("甲乙\n", "utf-8")
    with pytest.raises(LexiconError, match=r"alpha\.txt"):
        import_category_lists([p], {"alpha": "A.1.8/no_such_topic"}, "demo")


def test_load_mapping(tmp_path):
    m = tmp_path / "m.toml"
    m.write_text('[categories]\n"alpha" = "A.1.6/pornography"\n"beta" = "skip"\n', "utf-8")
    assert load_mapping(m) == {"alpha": "A.1.6/pornography", "beta": "skip"}
    bad = tmp_path / "bad.toml"
    bad.write_text('alpha = "A.1.1"\n', "utf-8")
    with pytest.raises(LexiconError, match="categories"):
        load_mapping(bad)
    with pytest.raises(LexiconError, match="not found"):
        load_mapping(tmp_path / "missing.toml")
