"""Mainland resident identity card numbers (GB 11643-1999): 18 digits with a MOD 11-2 check character.

Layout: six-digit division code, eight-digit birth date, three-digit sequence (odd = male), check character.
The first-generation 15-digit form (two-digit year, no check character) is recognised too.
"""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import ALNUM, DIGIT, Check, Pattern, Recognizer, digits_of
from safecorpus.detect.pii.recognizers.cn_common import date_ok, region_ok

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2**(17-i) mod 11
CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)


def check_char(first17: str) -> str:
    """The GB 11643 MOD 11-2 check character for the first 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    s = digits_of(value)
    if len(s) == 18:
        region, birth = s[:6], s[6:14]
        checks = {
            "region": region_ok(region),
            "birth_date": date_ok(int(birth[:4]), int(birth[4:6]), int(birth[6:8])),
        }
        # Only the date and region make it look like an ID; without both it is just a long number.
        if not checks["birth_date"] and not checks["region"]:
            return None
        if not checks["birth_date"] and not (1900 <= int(birth[:4]) <= 2100):
            return None
        checks["gb11643_mod11_2"] = check_char(s[:17]) == s[17]
        ok = all(checks.values())
        extra: dict[str, object] = {}
        if checks["birth_date"]:
            extra["birth_date"] = f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"
        return Check(checks=checks, score=0.98 if ok else 0.6, extra=extra)
    if len(s) == 15 and s.isdigit():
        region, birth = s[:6], s[6:12]
        checks = {
            "region": region_ok(region),
            "birth_date": date_ok(1900 + int(birth[:2]), int(birth[2:4]), int(birth[4:6])),
        }
        if not all(checks.values()):
            return None  # a 15-digit number has no check digit: without both signals it is noise
        return Check(checks=checks, score=0.7, extra={"form": "15-digit"})
    return None


RECOGNIZER = Recognizer(
    name="cn_resident_id",
    entity="CN_RESIDENT_ID",
    patterns=(
        Pattern(
            "id18",
            rf"(?<![{ALNUM}])[1-9\uff11-\uff19][{DIGIT}]{{16}}[{DIGIT}Xx\uff38\uff58](?![{ALNUM}])",
            0.6,
        ),
        Pattern("id15", rf"(?<![{ALNUM}])[1-9\uff11-\uff19][{DIGIT}]{{14}}(?![{ALNUM}])", 0.4),
    ),
    validate=_validate,
    context=(
        "身份证",
        "身份證",
        "证件号",
        "公民身份号码",
        "id card",
        "identity card",
        "resident id",
        "id number",
    ),
    context_window=20,
)
