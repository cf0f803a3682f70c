"""Phone numbers written the international or North-American/European way, validated with the
``phonenumbers`` numbering-plan metadata (tried for a list of regions when no +country code is given).

Mainland numbers are ``cn_phone``'s; this recogniser skips candidates that parse as Chinese numbers.

Runs of figures in ordinary text (year ranges 2010-2011, spans 400-1000, fleet or catalogue numbers
1810-1825, times 0700-1620) often parse as valid numbers somewhere. So a candidate written without a
country code or brackets and without a context word (phone, tel, 电话 …) scores 0.45, below the default
PI threshold, unless it has the North-American 3-3-4 dashed shape (650-253-0000); a year range is never a
phone number.
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import ModuleType

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer

_pn: ModuleType | None
try:  # optional: without phonenumbers only +country-code numbers with context are reported
    import phonenumbers as _pn
except ImportError:  # pragma: no cover - exercised only where phonenumbers is missing
    _pn = None

REGIONS = ("US", "GB", "CA", "AU", "IN", "DE", "FR", "BR", "IT", "ES", "MX", "NL", "IL", "JP", "ZA", "PT")
PHONE = (
    r"(?<![0-9A-Za-z+\-./])(?:\+[1-9][0-9]{0,2}[\s.\-]?)?(?:\([0-9]{1,4}\)[\s.\-]?)?[0-9]{2,5}"
    r"(?:[\s.\-][0-9]{2,8}){1,4}(?![0-9A-Za-z]|[.\-/][0-9])"
)
_DATE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$")
_VERSIONISH = re.compile(r"^\d+(?:\.\d+)+$")
_SSN_SHAPE = re.compile(r"^\d{3}([- ])\d{2}\1\d{4}$")
_YEAR_RANGE = re.compile(r"^(1[0-9]{3}|20[0-9]{2})\s?[-\u2013]\s?(1[0-9]{3}|20[0-9]{2})$")
_NANP_DASHED = re.compile(r"^[2-9][0-9]{2}-[2-9][0-9]{2}-[0-9]{4}$")
UNSHAPED_SCORE = 0.45  # a bare run of digits with no context: below the default PI threshold (0.5)


@lru_cache(maxsize=16384)
def _parse(value: str):
    """(number, region) of a valid number, trying the regions in turn; cached because parsing with
    ``phonenumbers`` is slow and the same strings (numbers, years, figures) recur across a corpus."""
    if _pn is None:
        return None, None
    if not value.startswith("+"):
        try:  # a mainland number is cn_phone's
            if _pn.is_valid_number(_pn.parse(value, "CN")):
                return None, "CN"
        except _pn.NumberParseException:
            pass
    regions = (None,) if value.startswith("+") else REGIONS
    for region in regions:
        try:
            num = _pn.parse(value, region)
        except _pn.NumberParseException:
            continue
        if _pn.is_valid_number(num):
            return num, _pn.region_code_for_number(num)
    return None, None


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    digits = sum(c.isdigit() for c in value)
    if not (7 <= digits <= 15) or _DATE.match(value) or _VERSIONISH.match(value) or _SSN_SHAPE.match(value):
        return None
    if _YEAR_RANGE.match(value):
        return None
    shaped = value.startswith("+") or "(" in value
    ctx = RECOGNIZER.has_context(text, start, end)
    num, region = _parse(value)
    if region == "CN":
        return None
    if num is None:
        if not ctx or _pn is not None:
            return None
        return Check(score=0.4)
    if region == "CN":
        return None
    if shaped or ctx:
        score = 0.85 if (shaped and ctx) else 0.75
    else:
        score = 0.55 if _NANP_DASHED.match(value) else UNSHAPED_SCORE
    return Check(checks={"numbering_plan": True}, score=score, extra={"region": region})


RECOGNIZER = Recognizer(
    name="en_phone",
    entity="PHONE_NUMBER",
    patterns=(Pattern("phone", PHONE, 0.4),),
    validate=_validate,
    context=("phone", "tel", "call", "mobile", "cell", "fax", "contact", "reach", "whatsapp", "电话", "手机"),
    context_window=30,
    context_boost=0.05,
    languages=("en",),
    version="2",
)
