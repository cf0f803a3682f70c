import itertools
import random

import pytest
from pii_helpers import rng

from safecorpus.detect.pii import synth
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
