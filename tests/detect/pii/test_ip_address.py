import pytest
from pii_helpers import one, spans


@pytest.mark.parametrize(
    "ip",
    [
        "192.168.10.20",
        "8.8.4.4",
        "2001:db8::8a2e:370:7334",
        "fe80::1",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    ],
)
def test_found(ip):
    text = f"登录IP {ip} 异常"
    assert one(text, "IP_ADDRESS").text_in(text) == ip


@pytest.mark.parametrize("text", ["version 1.2.3.4.5", "256.1.1.1", "time 12:30:45", "::", "ratio 3.14"])
def test_negatives(text):
    assert spans(text, "IP_ADDRESS") == []
