import pytest
from pii_helpers import one, spans


@pytest.mark.parametrize(
    "text,value",
    [
        ("护照号E12345678", "E12345678"),
        ("passport no. EA1234567", "EA1234567"),
        ("护照：G12345678", "G12345678"),
    ],
)
def test_found(text, value):
    assert one(text, "PASSPORT").text_in(text) == value


@pytest.mark.parametrize("text", ["型号 G12345678", "E1234567", "E123456789"])
def test_negatives(text):
    assert spans(text, "PASSPORT") == []
