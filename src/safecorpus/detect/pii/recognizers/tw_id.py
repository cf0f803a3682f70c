"""Taiwan national identification numbers: a letter (the issuing area), 1 or 2 (sex; 8/9 for residents'
new-format certificates), seven digits and a check digit; the weighted sum must be a multiple of 10."""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, halfwidth

# Area letters to their two-digit codes (I, O, W, X, Y, Z were added later, so out of order).
AREA = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
TWID = r"(?<![0-9A-Za-z])[A-Z][1289][0-9]{8}(?![0-9A-Za-z])"


def checksum_ok(v: str) -> bool:
    code = AREA[v[0]]
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(v[1:9], range(8, 0, -1), strict=True)) + int(v[9])
    return total % 10 == 0


def check_digit(first9: str) -> str:
    """The digit completing ``first9`` (letter + 8 digits) into a valid number."""
    for d in "0123456789":
        if checksum_ok(first9 + d):
            return d
    raise AssertionError("unreachable")


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    v = halfwidth(value).upper()
    ok = checksum_ok(v)
    ctx = RECOGNIZER.has_context(text, start, end)
    if not ok and not ctx:
        return None
    return Check(checks={"twid_mod10": ok}, score=0.9 if ok else 0.5)


RECOGNIZER = Recognizer(
    name="tw_id",
    entity="TW_ID",
    patterns=(Pattern("twid", TWID, 0.6),),
    validate=_validate,
    context=("身分證", "身份證", "身分证", "统一编号", "統一編號", "taiwan id", "national id"),
    context_window=20,
    context_boost=0.05,
)
