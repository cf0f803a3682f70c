import itertools
import random

import pytest
from pii_helpers import rng
from tests.support import synth

from safecorpus.detect.pii.engine import PiiEngine, _hs

R = rng()


def _corpus() -> list[str]:
    parts = [
        "联系人：王小明，手机{m}，身份证{i}，邮箱{e}。",
        "Call Dr. Emily Carter at +1 650-253-0000 or {e}; card {c}.",
        "统一社会信用代码{u}，开户卡号{c}，地址：北京市朝阳区建国路88号。",
        "普通的一句话，没有任何个人信息。 Nothing personal here at all.",
        "",
    ]
    out = []
    for _ in range(40):
        t = random.Random(R.random()).choice(parts)
        out.append(
            t.format(m=synth.mobile(R), i=synth.resident_id(R, R.random() < 0.5), e=synth.email(R),
                     c=synth.card(R, R.random() < 0.5), u=synth.uscc(R))
        )  # fmt: skip
    return out


@pytest.mark.skipif(_hs is None, reason="hyperscan not installed")
def test_accelerated_and_pure_python_give_identical_results():
    fast, slow = PiiEngine(accelerate=True), PiiEngine(accelerate=False)
    assert fast.accelerated and not slow.accelerated
    for text in _corpus():
        assert fast.analyze(text) == slow.analyze(text)


def test_offsets_are_code_points_and_spans_do_not_overlap():
    eng = PiiEngine()
    for text in _corpus():
        spans = eng.analyze(text)
        for a, b in itertools.pairwise(spans):
            assert a.end <= b.start
        for s in spans:
            assert 0 <= s.start < s.end <= len(text)


def test_validated_wins_over_failed_check_on_same_digits():
    number = synth.card(R, prefix="62", length=18)
    (s,) = PiiEngine().analyze(f"卡号{number}")
    assert s.entity == "BANK_CARD" and s.validated is True


def test_min_score_filters():
    text = "我去过日本。"
    assert PiiEngine().analyze(text)
    assert PiiEngine(min_score=0.5).analyze(text) == []


def test_lower_case_patterns_find_what_ignorecase_finds() -> None:
    """Sensitive-category English terms run case-sensitively on the lower-cased text; spans must equal
    the IGNORECASE regex on the original, also for texts with characters that fold specially."""
    import re

    from safecorpus.detect.pii.engine import fold_case
    from safecorpus.detect.pii.sensitive import load_terms, sensitive_recognizers

    engine = PiiEngine(sensitive_recognizers(), accelerate=False)
    patterns = [p for r in engine.recognizers for p in r.patterns if p.lower_case]
    assert patterns, "no pattern uses the lower-case path"
    terms = [w for cat in load_terms()["category"].values() for w in cat.get("en", ())][:40]
    r = random.Random(3)
    pieces = terms + [t.upper() for t in terms] + [t.title() for t in terms]
    pieces += ["ı", "ſ", "İ", "K", "µ", "x", " ", "-", "。", "3", "ab"]
    texts = ["".join(r.choice(pieces) for _ in range(r.randint(1, 12))) for _ in range(1500)]
    for text in texts:
        for p in patterns:
            want = [m.span() for m in re.compile(p.regex, p.flags).finditer(text)]
            low = fold_case(text)
            if low is not None:
                assert len(low) == len(text)
                got = [m.span() for m in re.compile(p.regex, p.flags & ~re.IGNORECASE).finditer(low)]
                assert got == want, text
    assert fold_case("ınsulin") is None and fold_case("İ") is None
    assert fold_case("ABC 中文") == "abc 中文"
    # and the engine as a whole agrees with itself on the case-insensitive path
    for text in texts[:300]:
        spans = [(s.start, s.end) for s in engine.analyze(text)]
        assert spans == [(s.start, s.end) for s in engine.analyze(text.swapcase())] or fold_case(text) is None
