import pytest
from pii_helpers import one, spans


@pytest.mark.parametrize(
    "text", ["SSN: 123-45-6789", "social security number 321 54 9876", "my ssn is 123456789"]
)
def test_found(text):
    assert one(text, "US_SSN").validated is True


@pytest.mark.parametrize("text", ["SSN 000-12-3456", "ssn 666-12-3456", "SSN: 900-12-3456"])
def test_invalid_with_context_reported(text):
    assert one(text, "US_SSN").validated is False


@pytest.mark.parametrize("text", ["part 123456789", "000-12-3456", "phone 123-45-67890"])
def test_negatives(text):
    assert spans(text, "US_SSN") == []
