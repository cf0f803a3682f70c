import pytest
from pii_helpers import spans


@pytest.mark.parametrize(
    "text,address",
    [
        ("他现居住于黑龙江省哈尔滨市南岗区中山路123号，", "黑龙江省哈尔滨市南岗区中山路123号"),
        ("寄到北京市朝阳区建国路88号院3号楼2单元501室。", "北京市朝阳区建国路88号院3号楼2单元501室"),
        ("家住浙江省杭州市西湖区", "浙江省杭州市西湖区"),
    ],
)
def test_structured(text, address):
    found = spans(text, "ADDRESS")
    assert [s.text_in(text) for s in found] == [address]
    assert found[0].score >= 0.7


def test_bare_place_is_low_score():
    (s,) = spans("我去过日本。", "ADDRESS")
    assert s.score < 0.5


@pytest.mark.parametrize("text", ["北京大学的学生", "市场部的同事", "区别很大"])
def test_negatives(text):
    assert [s for s in spans(text, "ADDRESS") if s.score >= 0.5] == []
