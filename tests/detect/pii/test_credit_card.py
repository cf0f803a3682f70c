import pytest
from pii_helpers import one, rng, spans
from tests.support import synth

R = rng()
CARDS = [
    synth.card(R, prefix="4", length=16),
    synth.card(R, prefix="52", length=16),
    synth.card(R, prefix="37", length=15),
]


@pytest.mark.parametrize("number", CARDS)
def test_valid_cards(number):
    s = one(f"Charge card {number} please.", "CREDIT_CARD")
    assert s.validated is True and s.extra["brand"] in {"visa", "mastercard", "amex"}


def test_failed_luhn_is_reported():
    bad = synth.card(R, prefix="4", length=16, valid=False)
    assert one(f"credit card number {bad}", "CREDIT_CARD").validated is False


@pytest.mark.parametrize("text", ["tracking 1234 5678 9012 3456", "version 4.1.1.1", "call 4155550100"])
def test_negatives(text):
    assert spans(text, "CREDIT_CARD") == []
