"""Mainland vehicle registration plates: province abbreviation, issuing-office letter, five characters
(six for new-energy vehicles), optionally with a separator dot, e.g. 京A·12345 (generated example)."""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE = (
    rf"(?<![A-Za-z0-9])[{PROVINCES}][A-HJ-NP-Z][·•\s]?"
    r"(?:[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])(?![A-Za-z0-9])"
)


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    body = value[2:].lstrip("·• ")
    if not any(c.isdigit() for c in body):
        return None  # 京A ABCDE is an English word more often than a plate
    ctx = RECOGNIZER.has_context(text, start, end)
    return Check(score=0.8 if ctx else 0.65)


RECOGNIZER = Recognizer(
    name="cn_vehicle_plate",
    entity="CN_VEHICLE_PLATE",
    patterns=(Pattern("plate", PLATE, 0.65),),
    validate=_validate,
    context=("车牌", "牌照", "号牌", "车辆", "plate"),
    context_window=12,
    context_boost=0.0,
)
