"""Passport numbers: the PRC ordinary passport (E + 8 digits, or E + letter + 7 digits; older G/D/S/P forms).

A bare letter-and-digits token is only a candidate; a passport word nearby makes it a finding, except for
the E-series, whose shape is distinctive enough on its own.
"""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, halfwidth

PASSPORT = r"(?<![0-9A-Za-z])(?:E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|[GDSP][0-9]{8}|[PSDG]E[0-9]{7})(?![0-9A-Za-z])"
CONTEXT = ("护照", "護照", "passport", "旅行证件", "证件号")


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    v = halfwidth(value).upper()
    ctx = RECOGNIZER.has_context(text, start, end)
    if not v.startswith("E") and not ctx:
        return None
    return Check(score=0.85 if ctx else 0.55, extra={"series": v[0]})


RECOGNIZER = Recognizer(
    name="passport",
    entity="PASSPORT",
    patterns=(Pattern("cn_passport", PASSPORT, 0.5),),
    validate=_validate,
    context=CONTEXT,
    context_window=20,
    context_boost=0.0,
)
