import pytest
from pii_helpers import one, rng, spans
from tests.support import synth

R = rng()


@pytest.mark.parametrize("address", [synth.email(R) for _ in range(10)])
def test_cjk_prefix_not_swallowed(address):
    text = f"邮箱{address}或电话"
    assert one(text, "EMAIL").text_in(text) == address


@pytest.mark.parametrize("text", ["contact me at a.b-c+tag@sub.example.co.uk.", "<x_y@example.org>"])
def test_english(text):
    s = one(text, "EMAIL")
    assert "@" in s.text_in(text) and not s.text_in(text).endswith(".")


@pytest.mark.parametrize("text", ["user@localhost", "a@b", "@handle on social media", "x..y@example.com"])
def test_negatives(text):
    assert spans(text, "EMAIL") == []
