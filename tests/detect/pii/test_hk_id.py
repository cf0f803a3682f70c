import pytest
from pii_helpers import one, rng, spans
from tests.support import synth

from safecorpus.detect.pii.recognizers.hk_id import check_char

R = rng()


@pytest.mark.parametrize("number", [synth.hkid(R) for _ in range(10)])
def test_valid(number):
    assert one(f"香港身份證 {number}", "HK_ID").validated is True


@pytest.mark.parametrize("number", [synth.hkid(R, valid=False) for _ in range(5)])
def test_invalid_bracketed_reported(number):
    assert one(f"HKID {number}", "HK_ID").validated is False


def test_check_char_letter_a():
    for prefix in ("A000000", "B123456", "XY987654"):
        assert check_char(prefix) in "0123456789A"


def test_unbracketed_invalid_without_context_is_ignored():
    prefix = "K123456"
    bad = next(c for c in "0123456789" if c != check_char(prefix))
    assert spans(f"model {prefix}{bad}", "HK_ID") == []
