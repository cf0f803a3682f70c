import pytest
from pii_helpers import one, rng, spans
from tests.support import synth

R = rng()


@pytest.mark.parametrize("number", [synth.twid(R) for _ in range(10)])
def test_valid(number):
    assert one(f"身分證字號 {number}", "TW_ID").validated is True


@pytest.mark.parametrize("number", [synth.twid(R, valid=False) for _ in range(5)])
def test_invalid_with_context_reported(number):
    assert one(f"身分證 {number}", "TW_ID").validated is False


@pytest.mark.parametrize("number", [synth.twid(R, valid=False) for _ in range(5)])
def test_invalid_without_context_ignored(number):
    assert spans(f"part {number}", "TW_ID") == []
