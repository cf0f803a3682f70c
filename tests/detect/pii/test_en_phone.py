import pytest
from pii_helpers import one, spans


@pytest.mark.parametrize("shown", ["+1 650-253-0000", "(650) 253-0000", "+44 20 7946 0958", "+49 30 901820"])
def test_found(shown):
    text = f"Call me at {shown} tomorrow."
    s = one(text, "PHONE_NUMBER")
    assert s.text_in(text) == shown and s.validated is True


@pytest.mark.parametrize(
    "text", ["on 2024-01-15 we met", "version 1.2.3", "in 1999 and 2005", "chapter 12 34"]
)
def test_negatives(text):
    assert spans(text, "PHONE_NUMBER") == []
