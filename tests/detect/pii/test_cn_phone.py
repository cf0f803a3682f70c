import pytest
from pii_helpers import one, rng, spans
from tests.support import synth

R = rng()


@pytest.mark.parametrize("number", [synth.mobile(R) for _ in range(10)])
@pytest.mark.parametrize("fmt", ["{}", "+86 {}", "+86-{}", "{a} {b} {c}", "{a}-{b}-{c}"])
def test_mobile_formats(number, fmt):
    shown = fmt.format(number, a=number[:3], b=number[3:7], c=number[7:])
    text = f"手机{shown}联系"
    s = one(text, "CN_MOBILE")
    assert s.text_in(text) == shown and s.validated is True


def test_unallocated_prefix_is_flagged():
    assert one("电话 14012345678", "CN_MOBILE").validated is False


@pytest.mark.parametrize("shown", ["010-62345678", "(021)52345678", "0755-8234 5678", "0571-82345678转123"])
def test_landlines(shown):
    text = f"座机 {shown} 。"
    assert one(text, "CN_LANDLINE").text_in(text) == shown


@pytest.mark.parametrize(
    "text", ["编号 1381234567890", "价格 13.81234567", "2024年12月31日", "共 12345678 人"]
)
def test_negatives(text):
    assert spans(text, "CN_MOBILE") == [] and spans(text, "CN_LANDLINE") == []


@pytest.mark.parametrize(
    "text",
    [
        "全年客流量达15034567892人次",  # a statistic with a unit
        "总投资13800000000元",  # an amount
        "ISBN 978-7-5322-1234-5，2008年出版",  # an ISBN
        "人口为13 456 789人（2010年）",  # a population figure
        "位于北纬39 54 27，东经116 23 17",  # coordinates
        "编号1358 2012的机车",  # a serial number
    ],
)
def test_figures_in_encyclopedic_text_are_not_phone_numbers(text):
    assert [s for s in spans(text) if s.entity in ("CN_MOBILE", "CN_LANDLINE", "PHONE_NUMBER")] == []


def test_mobile_before_a_unit_word_with_a_phone_word_still_counts():
    text = "联系电话15034567892人工客服"
    assert one(text, "CN_MOBILE").text_in(text) == "15034567892"
