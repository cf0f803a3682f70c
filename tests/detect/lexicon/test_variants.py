"""Obfuscation variants: each kind is caught, named in the evidence, and can be switched off.

Terms here are neutral words; what is tested is the matching, not the vocabulary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.detect.lexicon.library import Lexicon, Term
from safecorpus.detect.lexicon.variants import VariantOptions, split_forms, term_syllables
from safecorpus.io.records import Record

TERMS = [Term("图书馆", "A.1.8"), Term("风景照片", "A.1.8"), Term("window", "A.1.6"), Term("张明", "A.1.8")]


@pytest.fixture(scope="module")
def detector() -> LexiconDetector:
    return LexiconDetector(Lexicon("v", "1", dt.date.today(), TERMS), variants=VariantOptions())


def hits(det: LexiconDetector, text: str) -> list[tuple[str, str, list[str]]]:
    (found,) = det.detect([Record("r", text, "s", "f", 1)])
    return [(f.evidence["term"], text[f.start : f.end], f.evidence["variants"]) for f in found]


@pytest.mark.parametrize(
    ("text", "term", "span", "kind"),
    [
        ("去tu shu guan看书", "图书馆", "tu shu guan", "pinyin"),
        ("去tushuguan看书", "图书馆", "tushuguan", "pinyin"),
        ("去tú shū guǎn看书", "图书馆", "tú shū guǎn", "pinyin"),
        ("去tu2shu1guan3看书", "图书馆", "tu2shu1guan", "pinyin"),
        ("去图shu馆看书", "图书馆", "图shu馆", "pinyin"),
        ("I visited the Tu Shu Guan.", "图书馆", "Tu Shu Guan", "pinyin"),
        ("去涂书管看书", "图书馆", "涂书管", "homophone"),
        ("这组fjzp很好", "风景照片", "fjzp", "initials"),
        ("open the w1nd0w now", "window", "w1nd0w", "leetspeak"),
        ("open the wіndоw now", "window", "wіndоw", "confusables"),  # Cyrillic і and о
        ("open the w.i.n.d.o.w now", "window", "w.i.n.d.o.w", "letter_spacing"),
        ("open the wiiiindow now", "window", "wiiiindow", "repeats"),
        ("弓长明来了", "张明", "弓长明", "split_chars"),
    ],
)
def test_each_variant_kind_is_caught_and_named(
    detector: LexiconDetector, text: str, term: str, span: str, kind: str
) -> None:
    found = hits(detector, text)
    assert any(t == term and s == span for t, s, _ in found), found
    assert any(kind in kinds for t, s, kinds in found if t == term), found


@pytest.mark.parametrize("kind", ["pinyin", "homophones", "initials", "leetspeak", "split_chars"])
def test_a_kind_switched_off_no_longer_matches(kind: str) -> None:
    texts = {
        "pinyin": "去tushuguan看书",
        "homophones": "去涂书管看书",
        "initials": "这组fjzp很好",
        "leetspeak": "open the w1nd0w now",
        "split_chars": "弓长明来了",
    }
    off = dataclasses.replace(VariantOptions(), **{kind: False})
    det = LexiconDetector(Lexicon("v", "1", dt.date.today(), TERMS), variants=off)
    assert hits(det, texts[kind]) == []


def test_no_false_matches_inside_ordinary_text(detector: LexiconDetector) -> None:
    for text in ("The window-less room.", "windows", "tushuguanx", "我们去图书的馆"):
        assert not any(s for t, s, _ in hits(detector, text) if t == "window" and text == "windows")
    assert hits(detector, "tushuguanx") == []
    assert hits(detector, "我们去图书的馆") == []


def test_basic_mode_has_no_variants() -> None:
    det = LexiconDetector(Lexicon("v", "1", dt.date.today(), TERMS))
    assert hits(det, "去tushuguan看书") == [] and hits(det, "去涂书管看书") == []
    assert hits(det, "去圖書館看书")[0][2] == ["traditional"]


def test_term_derivations() -> None:
    assert term_syllables("图书馆") == ["tu", "shu", "guan"]
    assert term_syllables("abc") is None
    assert "弓长明" in split_forms("张明")
