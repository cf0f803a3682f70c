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


IDENTIFYING = 0.85  # [decision.pii] address_min_score of the default profile


@pytest.mark.parametrize(
    "text",
    [
        "该教堂位于湖滨市望海大道2710号，毗邻州立大学。",  # a church on a street
        "博物馆位于江北省临川市解放街61号。",  # a museum
        "研究所地址：东川省平阳市文昌区北门路318号，邮编100000。",  # an institute's postal address
        "总部设于南关街212号，与竞争对手隔街相望。",  # a newspaper's headquarters
        "该校位于九龙某区凤鸣街7号，为区内两所女校之一。",  # a school
        "公路9号是该市的主街道。",  # a highway number
        "在东关街118号门外的一棵梧桐下签署协议",  # a historic building
    ],
)
def test_street_and_number_of_a_building_is_not_a_precise_address(text):
    assert [s.text_in(text) for s in spans(text, "ADDRESS") if s.score >= IDENTIFYING] == []


@pytest.mark.parametrize(
    "text,address,precision",
    [
        (
            "寄到北京市朝阳区建国路88号院3号楼2单元501室。",
            "北京市朝阳区建国路88号院3号楼2单元501室",
            "dwelling",
        ),
        ("他现居住于黑龙江省哈尔滨市南岗区中山路123号，", "黑龙江省哈尔滨市南岗区中山路123号", "residence"),
        ("收货地址：浙江省杭州市西湖区文三路90号", "浙江省杭州市西湖区文三路90号", "residence"),
        ("她家在江苏省南京市鼓楼区幸福小区12号。", "江苏省南京市鼓楼区幸福小区12号", "dwelling"),
        ("住址为上海市徐汇区某某路123弄4号", "上海市徐汇区某某路123弄4号", "dwelling"),
        ("上海市静安区南京西路66号12层", "上海市静安区南京西路66号12层", "dwelling"),
    ],
)
def test_precise_addresses_still_identify(text, address, precision):
    (s,) = [s for s in spans(text, "ADDRESS") if s.score >= IDENTIFYING]
    assert s.text_in(text) == address and s.extra["precision"] == precision
