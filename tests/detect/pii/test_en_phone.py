import pytest
from pii_helpers import one, spans


@pytest.mark.parametrize("shown", ["+1 650-253-0000", "(650) 253-0000", "+44 20 7946 0958", "+49 30 901820"])
def test_found(shown):
    text = f"Call me at {shown} tomorrow."
    s = one(text, "PHONE_NUMBER")
    assert s.text_in(text) == shown and s.validated is True


@pytest.mark.parametrize(
    "text", ["on 2024-01-15 we met", "version 1.2.3", "in 1999 and 2005", "chapter 12 34"]
)
def test_negatives(text):
    assert spans(text, "PHONE_NUMBER") == []


@pytest.mark.parametrize(
    "text",
    [
        "该球队在1998-1999赛季获得联赛第三名。",  # a season
        "他于2011-2015年出任协会主席。",  # a term of office
        "山脉的高度在600-1200公尺之间。",  # a span of figures
        "车队编号3410-3427的巴士于同年退役。",  # fleet numbers
        "平日改为0630-1845提供服务。",  # opening hours
        "化石见于3400-2300万年前的地层。",  # a range of ages
        "热线（4521 7730）自2001年开始服务",  # a hotline written with no phone word nearby
    ],
)
def test_number_runs_in_encyclopedic_text_do_not_count(text):
    # not found, or scored below the default PI threshold (0.5): not identifying
    assert [s for s in spans(text, "PHONE_NUMBER") if s.score >= 0.5] == []


@pytest.mark.parametrize(
    "text,shown",
    [
        ("如有疑问请致电 +44 20 7946 0958。", "+44 20 7946 0958"),
        ("Tel: 650-253-0000", "650-253-0000"),
        ("联系电话：03-9782345", "03-9782345"),
        ("Office 650-253-0000 is open", "650-253-0000"),  # the North-American dashed shape on its own
    ],
)
def test_phone_numbers_still_count(text, shown):
    s = one(text, "PHONE_NUMBER")
    assert s.text_in(text) == shown and s.score >= 0.5


def test_year_range_is_not_a_phone_number_even_near_a_phone_word():
    assert spans("电话业务在1995-2005年间增长", "PHONE_NUMBER") == []
