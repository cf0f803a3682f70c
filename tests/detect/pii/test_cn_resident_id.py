import pytest
from pii_helpers import one, rng, spans
from tests.support import synth

from safecorpus.detect.pii.recognizers.cn_resident_id import check_char

R = rng()
VALID = [synth.resident_id(R) for _ in range(20)]
INVALID = [synth.resident_id(R, valid=False) for _ in range(20)]


@pytest.mark.parametrize("number", VALID)
def test_valid_ids_are_found_and_validated(number):
    text = f"她的身份证号码为{number}。"
    s = one(text, "CN_RESIDENT_ID")
    assert s.text_in(text) == number
    assert s.validated is True
    assert s.checks == {"region": True, "birth_date": True, "gb11643_mod11_2": True}


@pytest.mark.parametrize("number", INVALID)
def test_failed_check_digit_is_reported_not_dropped(number):
    s = one(f"ID number {number} on file", "CN_RESIDENT_ID")
    assert s.validated is False
    assert s.checks["gb11643_mod11_2"] is False


def test_lowercase_x_and_fullwidth_digits():
    first17 = "11010820000101123"
    c = check_char(first17)
    number = first17 + ("x" if c == "X" else c)
    assert one(f"证件{number}", "CN_RESIDENT_ID").validated is True
    full = "".join(chr(ord(d) + 0xFEE0) if d.isdigit() else d for d in first17 + c)
    assert one(f"证件{full}", "CN_RESIDENT_ID").validated is True


def test_fifteen_digit_form():
    s = one("老身份证：110108850101123", "CN_RESIDENT_ID")
    assert s.validated is True and s.extra["form"] == "15-digit"


@pytest.mark.parametrize(
    "text",
    [
        "订单号 123456789012345678 已发货",  # no valid date, no valid region
        "流水号 990101203013451234",  # region 99 does not exist, date invalid
        "1101082000010112345",  # 19 digits
    ],
)
def test_negatives(text):
    assert spans(text, "CN_RESIDENT_ID") == []


def test_valid_region_with_impossible_date_is_reported_as_failed():
    s = one("11010820001301123X", "CN_RESIDENT_ID")
    assert s.validated is False and s.checks["birth_date"] is False
