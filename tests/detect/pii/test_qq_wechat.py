import pytest
from pii_helpers import one, spans


@pytest.mark.parametrize("text,value", [("加我QQ：12345678", "12345678"), ("qq号 987654321", "987654321")])
def test_qq(text, value):
    assert one(text, "QQ_NUMBER").text_in(text) == value


@pytest.mark.parametrize(
    "text,value", [("微信：abc_def123", "abc_def123"), ("加vx: Zhang-2024x", "Zhang-2024x")]
)
def test_wechat(text, value):
    assert one(text, "WECHAT_ID").text_in(text) == value


@pytest.mark.parametrize(
    "text", ["共 12345678 人参加", "password abcdef123", "QQ音乐很好听，总共12345678次播放量哦哦哦"]
)
def test_negatives(text):
    assert spans(text, "QQ_NUMBER") == [] and spans(text, "WECHAT_ID") == []
