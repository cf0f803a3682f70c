"""Payment cards of the international brands (Visa, Mastercard, Amex, Discover, JCB, Diners, Maestro).

Needs an issuer range (IIN) and a length that fit one brand; the Luhn check decides ``validated``.
UnionPay numbers belong to ``bank_card``.
"""

from __future__ import annotations

from safecorpus.detect.pii.recognizers._cards import CARD_PATTERN, brand_of, separators_consistent
from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, digits_of, luhn_ok


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    if not separators_consistent(value):
        return None
    s = digits_of(value)
    brand = brand_of(s)
    if brand is None or brand == "unionpay":
        return None
    ok = luhn_ok(s)
    if not ok and not RECOGNIZER.has_context(text, start, end) and brand in ("maestro", "diners"):
        return None  # the broad ranges need a card word before a failing number counts
    return Check(checks={"luhn": ok, "issuer_range": True}, score=0.9 if ok else 0.5, extra={"brand": brand})


RECOGNIZER = Recognizer(
    name="credit_card",
    entity="CREDIT_CARD",
    patterns=(Pattern("card", CARD_PATTERN, 0.5),),
    validate=_validate,
    context=(
        "credit card",
        "debit card",
        "card number",
        "card no",
        "visa",
        "mastercard",
        "amex",
        "信用卡",
        "卡号",
    ),
    context_window=24,
    category="financial_account",
)
