"""Travel permits between the mainland and Hong Kong, Macau and Taiwan.

- 往来港澳通行证 (mainland residents to HK/Macau): C + 8 digits, or C + letter + 7 digits.
- 港澳居民来往内地通行证 (home-return permit): H or M + 8 digits (+ 2 digit issue count in the old form).
- 往来台湾通行证 (mainland residents to Taiwan): L + 8 digits.
- 台湾居民来往大陆通行证 (Taiwan compatriot permit): 8 digits — only next to its name.
None of them carries a check digit, so ``validated`` is null.
"""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, halfwidth

CONTEXT = ("通行证", "通行證", "回乡证", "回鄉證", "台胞证", "台胞證", "港澳证", "permit", "home return")
LETTER_FORM = (
    r"(?<![0-9A-Za-z])(?:C[0-9]{8}|C[A-HJ-NP-Z][0-9]{7}|[HM][0-9]{8}(?:[0-9]{2})?|L[0-9]{8})(?![0-9A-Za-z])"
)
TW_COMPATRIOT = r"(?<![0-9A-Za-z])[0-9]{8}(?![0-9A-Za-z])"

_KIND = {
    "C": "mainland_to_hk_macau",
    "H": "hk_home_return",
    "M": "macau_home_return",
    "L": "mainland_to_taiwan",
}


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    v = halfwidth(value).upper()
    ctx = RECOGNIZER.has_context(text, start, end)
    if v[0].isdigit():
        if not ctx:
            return None
        return Check(score=0.75, extra={"kind": "taiwan_compatriot"})
    return Check(score=0.85 if ctx else 0.5, extra={"kind": _KIND[v[0]]})


RECOGNIZER = Recognizer(
    name="hk_mo_tw_permit",
    entity="HK_MO_TW_PERMIT",
    patterns=(Pattern("letter_form", LETTER_FORM, 0.5), Pattern("tw_compatriot", TW_COMPATRIOT, 0.5)),
    validate=_validate,
    context=CONTEXT,
    context_window=16,
    context_boost=0.0,
)
