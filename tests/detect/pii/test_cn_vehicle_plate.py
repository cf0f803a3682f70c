import pytest
from pii_helpers import one, spans


@pytest.mark.parametrize("plate", ["京A12345", "粤B·D12345", "沪C 8K3L2", "苏E12345D", "川A1234学"])
def test_found(plate):
    text = f"车牌号{plate}的车"
    assert one(text, "CN_VEHICLE_PLATE").text_in(text) == plate


@pytest.mark.parametrize("text", ["京ABCDEF", "北A12345", "京I12345"])
def test_negatives(text):
    assert spans(text, "CN_VEHICLE_PLATE") == []
