import pytest
from pii_helpers import one, rng, spans
from tests.support import synth

R = rng()


@pytest.mark.parametrize("country", ["DE", "GB", "FR", "NL", "ES"])
def test_valid(country):
    code = synth.iban_code(R, country) if country != "GB" else None
    if code is None:  # GB has letters in the BBAN: build one by hand
        from safecorpus.detect.pii.recognizers.iban import mod97

        bban = "ABCD" + "12345612345678"
        code = f"GB{98 - mod97('GB00' + bban):02d}{bban}"
    grouped = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    for shown in (code, grouped):
        text = f"IBAN: {shown}."
        s = one(text, "IBAN_CODE")
        assert s.text_in(text) == shown and s.validated is True


def test_invalid_checksum_reported():
    assert one(f"IBAN {synth.iban_code(R, 'DE', valid=False)}", "IBAN_CODE").validated is False


@pytest.mark.parametrize("text", ["DE89 3704", "ZZ12345678901234567890", "AB12CDEF"])
def test_negatives(text):
    assert spans(text, "IBAN_CODE") == []
