"""US Social Security numbers (AAA-GG-SSSS). No check digit exists; the issuance rules (area not 000,
666 or 9xx; group not 00; serial not 0000) are the checks. Unseparated nine-digit numbers need context."""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer

SSN = r"(?<![0-9A-Za-z\-])[0-9]{3}([\- ])[0-9]{2}\1[0-9]{4}(?![0-9A-Za-z]|-[0-9])"
SSN_PLAIN = r"(?<![0-9A-Za-z\-])[0-9]{9}(?![0-9A-Za-z])"
CONTEXT = ("ssn", "social security", "social-security", "ss#", "ss #", "taxpayer")


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    s = "".join(c for c in value if c.isdigit())
    area, group, serial = s[:3], s[3:5], s[5:]
    checks = {
        "area": area not in ("000", "666") and area[0] != "9",
        "group": group != "00",
        "serial": serial != "0000",
    }
    ctx = RECOGNIZER.has_context(text, start, end)
    if len(value) == 9 and not ctx:
        return None
    ok = all(checks.values())
    if not ok and not ctx:
        return None
    sep = value[3] if len(value) == 11 else ""
    score = (0.85 if ctx else 0.6 if sep == "-" else 0.4) if ok else 0.4
    return Check(checks=checks, score=score)


RECOGNIZER = Recognizer(
    name="us_ssn",
    entity="US_SSN",
    patterns=(Pattern("ssn", SSN, 0.5), Pattern("ssn_plain", SSN_PLAIN, 0.3)),
    validate=_validate,
    context=CONTEXT,
    context_window=30,
    context_boost=0.0,
    languages=("en",),
)
