"""Unified social credit codes of organisations (GB 32100-2015): 18 characters, the last a check character.

Layout: registration-authority code, organisation-category code, six-digit division code, nine-character
organisation code (GB 11714), check character. The alphabet has 31 symbols (no I, O, S, V, Z).
"""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, halfwidth
from safecorpus.detect.pii.recognizers.cn_common import PROVINCE_CODES

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Registration authorities and the organisation categories each may issue (GB 32100 Annex A, condensed).
AUTHORITIES = {
    "1": "1239",
    "2": "19",
    "3": "12345679",
    "4": "19",
    "5": "1239",
    "6": "129",
    "7": "129",
    "8": "19",
    "9": "123",
    "A": "19",
    "G": "1",
    "N": "12349",
    "Y": "1",
}
_CLASS = "0-9A-HJ-NP-RTUW-Y"


def check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    s = halfwidth(value).upper()
    if len(s) != 18 or any(c not in _VALUE for c in s):
        return None
    has_letter = any(c.isalpha() for c in s)
    checks = {
        "authority": s[1] in AUTHORITIES.get(s[0], ""),
        "region": s[2:8].isdigit() and (s[2:4] in PROVINCE_CODES or s[2:4] == "10"),
        "gb32100_mod31": check_char(s[:17]) == s[17],
    }
    if not checks["authority"] or not checks["region"]:
        return None
    if not checks["gb32100_mod31"] and not has_letter:
        # An all-digit 18-character string failing the check is more likely an ID or an order number.
        return None
    return Check(checks=checks, score=0.95 if all(checks.values()) else 0.55)


RECOGNIZER = Recognizer(
    name="cn_uscc",
    entity="CN_USCC",
    patterns=(Pattern("uscc", rf"(?<![0-9A-Za-z])[1-9ANGY][{_CLASS}]{{17}}(?![0-9A-Za-z])", 0.5, 0),),
    validate=_validate,
    context=(
        "统一社会信用代码",
        "信用代码",
        "社会信用代码",
        "营业执照",
        "税号",
        "纳税人识别号",
        "uscc",
        "credit code",
    ),
    context_window=24,
)
