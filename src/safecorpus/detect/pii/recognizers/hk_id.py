"""Hong Kong identity card numbers: one or two letters, six digits and a check character (0–9 or A),
usually written as ``A123456(7)``. The check is a weighted sum modulo 11 (letters A=10 … Z=35, a
missing first letter counts 36)."""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, halfwidth

HKID = r"(?<![0-9A-Za-z])[A-Z]{1,2}[0-9]{6}(?:\([0-9A]\)|（[0-9A]）|[0-9A])(?![0-9A-Za-z])"


def check_char(prefix: str) -> str:
    """The check character for letters + six digits (``prefix`` like ``A123456`` or ``AB123456``)."""
    letters, digits = prefix[:-6], prefix[-6:]
    values = [36] if len(letters) == 1 else []
    values += [ord(c) - 55 for c in letters] + [int(d) for d in digits]
    total = sum(v * w for v, w in zip(values, range(9, 1, -1), strict=True))
    r = (11 - total % 11) % 11
    return "A" if r == 10 else str(r)


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    v = "".join(c for c in halfwidth(value) if c.isalnum()).upper()
    bracketed = "(" in halfwidth(value)
    ctx = RECOGNIZER.has_context(text, start, end)
    ok = check_char(v[:-1]) == v[-1]
    if not ok and not (bracketed or ctx):
        return None
    return Check(checks={"hkid_mod11": ok}, score=0.9 if ok and (bracketed or ctx) else 0.7 if ok else 0.5)


RECOGNIZER = Recognizer(
    name="hk_id",
    entity="HK_ID",
    patterns=(Pattern("hkid", HKID, 0.5),),
    validate=_validate,
    context=("香港身份证", "香港身份證", "身份證", "hkid", "hong kong identity", "hong kong id"),
    context_window=20,
    context_boost=0.05,
)
