"""International Bank Account Numbers (ISO 13616): country code, two check digits, country-specific BBAN;
validated by the length registered for the country and the mod-97 check (remainder 1)."""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer

# Registered total lengths (ISO 13616 registry) for the countries most often seen.
LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21,
    "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30,
    "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip

IBAN = r"(?<![0-9A-Za-z])[A-Z]{2}[0-9]{2}(?:[ ]?[0-9A-Z]{4}){2,7}(?:[ ]?[0-9A-Z]{1,4})?(?![0-9A-Za-z])"


def mod97(iban: str) -> int:
    """The ISO 7064 MOD 97-10 remainder of an IBAN (country and check digits moved to the end)."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    s = value.replace(" ", "").upper()
    length = LENGTHS.get(s[:2])
    if length is None or len(s) != length:
        return None
    ok = mod97(s) == 1
    return Check(checks={"iban_mod97": ok, "country_length": True}, score=0.95 if ok else 0.5)


RECOGNIZER = Recognizer(
    name="iban",
    entity="IBAN_CODE",
    patterns=(Pattern("iban", IBAN, 0.5),),
    validate=_validate,
    context=("iban", "bank account", "account number", "国际银行账号"),
    context_window=24,
    category="financial_account",
)
