"""Bank card numbers as issued in mainland China: UnionPay ranges (62, 81), 16–19 digits, Luhn check.

Cards of the international brands are ``credit_card``'s; this recogniser also claims a Luhn-valid
16–19 digit number of any range when a Chinese card word stands next to it (借记卡, 卡号 …).
"""

from __future__ import annotations

from safecorpus.detect.pii.recognizers._cards import CARD_PATTERN, brand_of, separators_consistent
from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, digits_of, luhn_ok

CONTEXT = (
    "银行卡",
    "卡号",
    "借记卡",
    "储蓄卡",
    "信用卡",
    "银联",
    "账号",
    "帐号",
    "账户",
    "开户行",
    "收款卡",
    "card no",
)


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    if not separators_consistent(value):
        return None
    s = digits_of(value)
    if not (16 <= len(s) <= 19):
        return None
    brand = brand_of(s)
    if brand != "unionpay" and not RECOGNIZER.has_context(text, start, end):
        return None
    ok = luhn_ok(s)
    if not ok and brand is None:
        return None
    return Check(
        checks={"luhn": ok, "issuer_range": brand is not None},
        score=0.9 if ok else 0.5,
        extra={"brand": brand} if brand else {},
    )


RECOGNIZER = Recognizer(
    name="bank_card",
    entity="BANK_CARD",
    patterns=(Pattern("card", CARD_PATTERN, 0.5),),
    validate=_validate,
    context=CONTEXT,
    context_window=16,
    category="financial_account",
)
