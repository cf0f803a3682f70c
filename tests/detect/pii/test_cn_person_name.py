import pytest
from pii_helpers import spans


@pytest.mark.parametrize(
    "text,name",
    [
        ("患者王小明说他头疼", "王小明"),
        ("张伟先生今天来访", "张伟"),
        ("欧阳明月是一位教师", "欧阳明月"),
        ("姓名：李华，性别：男", "李华"),
        ("在刘建国医生的指导下", "刘建国"),
    ],
)
def test_found(text, name):
    assert [s.text_in(text) for s in spans(text, "PERSON")] == [name]


@pytest.mark.parametrize("text", ["我们今天很高兴", "这个方法很有效", "王国的历史很长"])
def test_negatives(text):
    assert spans(text, "PERSON") == []
