import pytest
from pii_helpers import one, rng, spans
from tests.support import synth

R = rng()


@pytest.mark.parametrize("number", [synth.card(R, length=n) for n in (16, 17, 18, 19) for _ in range(4)])
def test_unionpay_valid(number):
    text = f"请转账到卡号{number}，谢谢"
    s = one(text, "BANK_CARD")
    assert s.text_in(text) == number and s.validated is True and s.category == "financial_account"


def test_grouped_digits():
    number = synth.card(R, length=19)
    grouped = " ".join(number[i : i + 4] for i in range(0, 19, 4))
    text = f"银行卡 {grouped} 尾号"
    assert one(text, "BANK_CARD").text_in(text) == grouped


@pytest.mark.parametrize("number", [synth.card(R, valid=False) for _ in range(10)])
def test_failed_luhn_reported(number):
    s = one(f"卡号：{number}", "BANK_CARD")
    assert s.validated is False and s.checks["luhn"] is False


@pytest.mark.parametrize("text", ["订单 1234567890123456 已付款", "金额 62 元", "6222-0212 3456-7890"])
def test_negatives(text):
    assert spans(text, "BANK_CARD") == []
