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


@pytest.mark.parametrize(
    "text,place,kind",
    [
        ("我们下周去崇礼区滑雪。", "崇礼区", "place"),
        ("他常年住在那不勒斯。", "那不勒斯", "place"),
        ("项目就在丽泽商务区，交通便利。", "丽泽商务区", "landmark"),
        ("周末在海渔广场见面", "海渔广场", "landmark"),
    ],
)
def test_places_and_landmarks(text, place, kind):
    (s,) = spans(text, "ADDRESS")
    assert s.text_in(text) == place and s.extra["kind"] == kind and s.score < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "北京大学的学生",
        "美国海军发言人表示",
        "《洛杉矶时报》报道",
        "上海市规划局召开会议",
        "罗马客场让平半",
        "中国是一个大国",
        "农村的孩子",
    ],
)
def test_place_in_other_entity_is_not_a_place(text):
    assert spans(text, "ADDRESS") == []
