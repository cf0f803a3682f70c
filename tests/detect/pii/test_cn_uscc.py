import pytest
from pii_helpers import one, rng, spans
from tests.support import synth

from safecorpus.detect.pii.recognizers.cn_uscc import check_char

R = rng()


@pytest.mark.parametrize("code", [synth.uscc(R) for _ in range(20)])
def test_valid_codes(code):
    text = f"统一社会信用代码：{code}，"
    s = one(text, "CN_USCC")
    assert s.text_in(text) == code and s.validated is True


@pytest.mark.parametrize("code", [synth.uscc(R, valid=False) for _ in range(20)])
def test_invalid_check_char_reported(code):
    found = spans(f"信用代码{code}")
    if any(c.isalpha() for c in code):
        assert [s.validated for s in found if s.entity == "CN_USCC"] == [False]


def test_check_char_is_in_alphabet():
    assert check_char("91110108MA01ABCDE") in "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.mark.parametrize(
    "text", ["编号 ZZ1101081234567890", "代码 9111010812345678OI", "abc91110108MA01ABCDEFG"]
)
def test_negatives(text):
    assert spans(text, "CN_USCC") == []
