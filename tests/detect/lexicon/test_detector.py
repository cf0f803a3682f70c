from __future__ import annotations

import datetime as dt
import random

import pytest

from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.detect.lexicon.library import Lexicon, Term
from safecorpus.detect.lexicon.matcher import available_backends
from safecorpus.detect.lexicon.normalize import NormalizerOptions
from safecorpus.detect.lexicon.variants import VariantOptions
from safecorpus.io.records import Record


def rec(text: str, i: int = 0) -> Record:
    return Record(f"r{i}", text, "s", "f", i + 1)


def test_finds_obfuscated_terms_with_spans_in_the_original(tiny_lexicon: Lexicon) -> None:
    det = LexiconDetector(tiny_lexicon)
    texts = ["前面违.禁 词甲后面", "测试词丙 and 測\u200b試詞丙", "ＢＡＤＷＯＲＤ!", "nobadwordhere badwords"]
    found = det.detect([rec(t, i) for i, t in enumerate(texts)])
    spans = [[(f.start, f.end, f.risk) for f in fs] for fs in found]
    assert spans[0] == [(2, 8, "A.1.8")]
    assert texts[0][2:8] == "违.禁 词甲"
    assert spans[1] == [(0, 4, "A.2.4"), (9, 14, "A.2.4")]
    assert spans[2] == [(0, 7, "A.1.6")]
    assert spans[3] == []  # English terms need word boundaries
    f = found[0][0]
    assert f.layer == "keyword" and f.detector.startswith("lexicon@") and f.evidence["normalized"]


def test_weight_is_the_score(tiny_lexicon: Lexicon) -> None:
    (found,) = LexiconDetector(tiny_lexicon).detect([rec("a bad phrase here")])
    assert [(f.risk, f.score) for f in found] == [("A.2.5", 0.3)]


def test_same_canonical_term_with_two_risks_reports_both() -> None:
    lex = Lexicon("t", "1", dt.date.today(), [Term("词语", "A.1.8"), Term("詞語", "A.2.9")])
    det = LexiconDetector(lex)
    assert len(det.patterns) == 1
    (found,) = det.detect([rec("这是词语")])
    assert sorted(f.risk for f in found) == ["A.1.8", "A.2.9"]


@pytest.mark.skipif(len(available_backends()) < 2, reason="hyperscan unavailable on this platform")
def test_backends_give_identical_results() -> None:
    rng = random.Random(7)
    alphabet = (
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
        "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都"
        "两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重"
        "新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
        "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知"
        "较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造"
        "百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白"
        "教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集"
        "温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿"
        "千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存"
        "候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该"
        "铁价严龙飞 abcdefghij"
    )
    terms = []
    for _ in range(3000):
        n = rng.randint(2, 4)
        terms.append(Term("".join(rng.choice(alphabet[:-11]) for _ in range(n)), "A.1.8", weight=1.0))
    terms += [Term("abc", "A.1.6"), Term("hij", "A.1.6")]
    lex = Lexicon("r", "1", dt.date.today(), terms)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(300)]
    results = [LexiconDetector(lex, backend=b).match_batch(texts) for b in available_backends()]
    assert results[0] == results[1]
    assert len(results[0]) > 100
    # and batching does not change anything
    det = LexiconDetector(lex, backend="ahocorasick")
    one_by_one = [(m.start, m.end, m.pattern) for t in texts for m in det.match_batch([t])]
    assert one_by_one == [(m.start, m.end, m.pattern) for m in results[0]]


def test_empty_batch_and_no_terms(tiny_lexicon: Lexicon) -> None:
    assert LexiconDetector(tiny_lexicon).detect([]) == []
    with pytest.raises(Exception, match="no terms"):
        LexiconDetector(Lexicon("e", "1", None, []))


def test_normalised_matching_finds_every_raw_match() -> None:
    """Whatever a matcher without normalisation finds, the normalising detector finds too."""
    terms = [Term(t, "A.1.8") for t in ("违禁词", "违禁词.", "词甲乙", "abc", "abc def", "Ｘ乙")]
    lex = Lexicon("t", "1", dt.date.today(), terms)
    raw = LexiconDetector(lex, options=NormalizerOptions(False, False, False, False, False))
    full = LexiconDetector(lex, variants=VariantOptions())
    texts = ["有违禁词. 然后", "违禁词.后面", "ABC def", "x abc def y", "Ｘ乙与词甲乙", "违 禁 词"]
    for i, text in enumerate(texts):
        found = {(m.start, m.end) for m in full.match_batch([text])}
        for m in raw.match_batch([text]):
            assert any(s < m.end and m.start < e for s, e in found), (i, m)


def test_term_with_separator_ends_needs_them_in_the_text() -> None:
    lex = Lexicon("t", "1", dt.date.today(), [Term("违禁*", "A.1.8"), Term("禁词.", "A.1.8")])
    det = LexiconDetector(lex)
    spans = [
        [(m.start, m.end) for m in det.match_batch([t])]
        for t in ("有违禁* 在", "有违禁在", "禁词. 好", "禁词好")
    ]
    assert spans == [[(1, 4)], [], [(0, 3)], []]


def test_char_span_counts_code_points_before_byte_offsets() -> None:
    import random

    import numpy as np

    from safecorpus.detect.lexicon.detector import _char_span

    rng = random.Random(2)
    text = "".join(rng.choice(["a", "é", "字", "🙂", " ", "\n"]) for _ in range(3000))
    data = text.encode("utf-8")
    bounds = [len(text[:i].encode("utf-8")) for i in range(len(text) + 1)]
    picks = sorted(rng.sample(range(len(text)), 200))
    starts = np.array([bounds[i] for i in picks] + [bounds[picks[0]]], dtype=np.int64)  # a repeated offset
    ends = np.array(
        [bounds[min(i + rng.randint(1, 5), len(text))] for i in picks] + [bounds[-1]], dtype=np.int64
    )
    s, e = _char_span(data, starts, ends)
    assert s.tolist() == [len(data[:b].decode("utf-8")) for b in starts.tolist()]
    assert e.tolist() == [len(data[:b].decode("utf-8")) for b in ends.tolist()]
    empty = np.empty(0, dtype=np.int64)
    assert [a.tolist() for a in _char_span(data, empty, empty)] == [[], []]
