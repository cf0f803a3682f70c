import pytest
from pii_helpers import one, spans


@pytest.mark.parametrize(
    "text,value,kind",
    [
        ("往来港澳通行证C12345678", "C12345678", "mainland_to_hk_macau"),
        ("回乡证 H1234567801", "H1234567801", "hk_home_return"),
        ("通行证号码 M87654321", "M87654321", "macau_home_return"),
        ("往来台湾通行证 L12345678", "L12345678", "mainland_to_taiwan"),
        ("台胞证号码：12345678", "12345678", "taiwan_compatriot"),
    ],
)
def test_found(text, value, kind):
    s = one(text, "HK_MO_TW_PERMIT")
    assert s.text_in(text) == value and s.extra["kind"] == kind and s.validated is None


@pytest.mark.parametrize("text", ["日期 20240101", "邮编 12345678", "C1234567"])
def test_negatives(text):
    assert spans(text, "HK_MO_TW_PERMIT") == []
