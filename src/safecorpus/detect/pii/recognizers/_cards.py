"""Payment-card facts shared by ``bank_card`` and ``credit_card``: issuer ranges (BIN/IIN) and lengths."""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import DIGIT

# (brand, prefix ranges as (low, high) over the first N digits, allowed lengths)
BRANDS: tuple[tuple[str, tuple[tuple[str, str], ...], tuple[int, ...]], ...] = (
    ("unionpay", (("62", "62"), ("81", "81")), (16, 17, 18, 19)),
    ("visa", (("4", "4"),), (13, 16, 19)),
    ("mastercard", (("51", "55"), ("2221", "2720")), (16,)),
    ("amex", (("34", "34"), ("37", "37")), (15,)),
    ("discover", (("6011", "6011"), ("644", "649"), ("65", "65")), (16, 19)),
    ("jcb", (("3528", "3589"),), (16, 17, 18, 19)),
    ("diners", (("300", "305"), ("36", "36"), ("38", "39")), (14, 16, 19)),
    ("maestro", (("50", "50"), ("56", "58"), ("60", "60"), ("63", "63"), ("67", "69")), (12, 13, 16, 18, 19)),
)


def brand_of(digits: str) -> str | None:
    """The card brand whose issuer range and length fit ``digits``, else ``None``."""
    for brand, ranges, lengths in BRANDS:
        if len(digits) not in lengths:
            continue
        for low, high in ranges:
            head = digits[: len(low)]
            if low <= head <= high:
                return brand
    return None


# 12–19 digits, optionally in groups separated by single spaces or hyphens.
CARD_PATTERN = (
    rf"(?<![{DIGIT}A-Za-z.\-])[1-9][{DIGIT}]{{3}}(?:[ \-]?[{DIGIT}]{{2,6}}){{2,4}}"
    rf"(?![{DIGIT}A-Za-z]|[.\-][{DIGIT}])"
)


def separators_consistent(value: str) -> bool:
    """Either no separators, or one kind of separator between groups of 2–6 digits."""
    seps = {ch for ch in value if ch in " -"}
    if not seps:
        return True
    if len(seps) > 1:
        return False
    groups = value.split(seps.pop())
    return all(2 <= len(g) <= 6 for g in groups) and len(groups[0]) == 4
