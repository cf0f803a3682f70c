from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.detect.lexicon.library import Lexicon, Term, read_lexicon, write_lexicon
from safecorpus.detect.lexicon.rules import (
    AllowList,
    AllowPhrase,
    ContextRule,
    LexiconRules,
    apply_rules,
    context_rule,
    load_rules,
    read_allow_list,
    with_context_rule,
    write_allow_list,
)
from safecorpus.errors import LexiconError

# Placeholder terms (invented words, not real keywords).
TERMS = [
    Term("甲乙", "A.1.8", "gambling", 1.0, "zh", "test"),
    Term("丙丁", "A.1.6", "violence", 0.5, "zh", "test"),
    Term("zork", "A.2.5", "gender", 0.7, "en", "test"),
]


def lexicon(terms: list[Term] = TERMS) -> Lexicon:
    return Lexicon("t", "1", dt.date.today(), list(terms))


def allow(*phrases: str) -> AllowList:
    return AllowList("allow_t", "1", dt.date.today(), [AllowPhrase(p, None, "test") for p in phrases])


def spans(texts: list[str], rules: LexiconRules, det: LexiconDetector) -> list[tuple[int, int, int]]:
    return [(m.doc, m.start, m.end) for m in apply_rules(texts, det.match_batch(texts), rules)]


def test_allow_phrase_covering_the_match_suppresses_it() -> None:
    det = LexiconDetector(lexicon())
    rules = LexiconRules(det, allow("甲乙镇", "老丙丁"))
    texts = ["住在甲乙镇的人", "甲乙在这里", "老丙丁和丙丁", "甲乙 镇"]
    assert spans(texts, rules, det) == [(1, 0, 2), (2, 4, 6)]


def test_allow_phrase_is_normalised_like_the_text() -> None:
    det = LexiconDetector(lexicon())
    rules = LexiconRules(det, allow("甲乙鎮"))  # traditional form in the allow-list
    texts = ["住在甲·乙镇", "ＺＯＲＫ town"]
    assert spans(texts, rules, det) == [(1, 0, 4)]


def test_overlapping_but_not_covering_phrase_keeps_the_match() -> None:
    det = LexiconDetector(lexicon())
    rules = LexiconRules(det, allow("乙镇"))
    assert spans(["甲乙镇"], rules, det) == [(0, 0, 2)]


def test_explain_names_the_phrase() -> None:
    det = LexiconDetector(lexicon())
    rules = LexiconRules(det, allow("甲乙镇"))
    texts = ["在甲乙镇"]
    (decision,) = rules.explain(texts, det.match_batch(texts))
    assert not decision.kept and decision.allow_phrase == "甲乙镇" and decision.allow_span == (1, 4)


def test_context_require_and_exclude() -> None:
    terms = [
        with_context_rule(TERMS[0], ContextRule(require=("下注", "赔率"), window=5)),
        with_context_rule(TERMS[1], ContextRule(exclude=("电影",))),
        TERMS[2],
    ]
    det = LexiconDetector(lexicon(terms))
    rules = LexiconRules(det)
    texts = [
        "甲乙下注",  # required word adjacent: counts
        "甲乙这里很远很远很远的地方赔率",  # required word too far: suppressed
        "这部电影里的丙丁",  # excluded word nearby: suppressed
        "丙丁",  # no excluded word: counts
    ]
    assert spans(texts, rules, det) == [(0, 0, 2), (3, 0, 2)]
    decisions = rules.explain(texts, det.match_batch(texts))
    assert [d.context for d in decisions] == [None, "require", "exclude", None]


def test_context_rule_round_trips_through_the_tsv(tmp_path: Path) -> None:
    term = with_context_rule(TERMS[0], ContextRule(require=("下注",), exclude=("游戏", "电影"), window=8))
    path = tmp_path / "lex.tsv"
    write_lexicon(lexicon([term, TERMS[1]]), path)
    back = read_lexicon(path)
    assert context_rule(back.terms[0]) == ContextRule(("下注",), ("游戏", "电影"), 8)
    assert context_rule(back.terms[1]) is None


def test_bad_context_window_is_a_lexicon_error() -> None:
    term = Term("甲乙", "A.1.8", extra=(("context_require", "下注"), ("context_window", "near")))
    with pytest.raises(LexiconError, match="context_window"):
        LexiconRules(LexiconDetector(lexicon([term])))


def test_allow_list_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "allow.tsv"
    write_allow_list(allow("甲乙镇", "老丙丁"), path)
    back = read_allow_list(path)
    assert [p.phrase for p in back.phrases] == ["甲乙镇", "老丙丁"] and back.ident == "allow_t@1"
    bad = tmp_path / "bad.tsv"
    bad.write_text("# safecorpus-allowlist: 1\nphrase\tnote\tsource\n甲\tb\tc\td\n", "utf-8")
    with pytest.raises(LexiconError, match=r"bad\.tsv:3"):
        read_allow_list(bad)
    with pytest.raises(LexiconError, match="line 1"):
        read_allow_list(_write(tmp_path / "x.tsv", "phrase\n"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def test_lexicon_header_names_its_allow_list(tmp_path: Path) -> None:
    write_allow_list(allow("甲乙镇"), tmp_path / "mine.tsv")
    lex = lexicon()
    lex.header["allow_list"] = "mine.tsv"
    write_lexicon(lex, tmp_path / "lex.tsv")
    lex = read_lexicon(tmp_path / "lex.tsv")
    rules = load_rules(lex, LexiconDetector(lex))
    assert rules.allow is not None and rules.allow.name == "allow_t"
    assert load_rules(lex, LexiconDetector(lex), use_allow=False).allow is None


def test_default_library_ships_an_allow_list_that_covers_only_library_terms() -> None:
    lex = read_lexicon("default")
    det = LexiconDetector(lex)
    rules = load_rules(lex, det)
    assert rules.allow is not None and len(rules.allow.phrases) >= 50
    phrases = [p.phrase for p in rules.allow.phrases]
    # every phrase contains a library term (else it is useless) and no phrase is a term itself
    matches = det.match_batch(phrases)
    assert set(matches.docs.tolist()) == set(range(len(phrases)))
    assert not any((m.start, m.end) == (0, len(phrases[m.doc])) for m in matches)
    # and each suppresses the term inside it
    assert not len(apply_rules(phrases, matches, rules))
