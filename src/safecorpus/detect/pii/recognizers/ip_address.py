"""IPv4 and IPv6 addresses; each candidate is parsed with :mod:`ipaddress` (octets ≤ 255, valid groups)."""

from __future__ import annotations

import ipaddress

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4 = rf"(?<![0-9A-Za-z.])(?:{_OCTET}\.){{3}}{_OCTET}(?![0-9A-Za-z]|\.[0-9])"
_H = r"[0-9A-Fa-f]{1,4}"
IPV6 = (
    rf"(?<![0-9A-Za-z:.])(?:(?:{_H}:){{7}}{_H}|(?:{_H}:){{1,7}}:(?:{_H}(?::{_H}){{0,6}})?|::(?:{_H}(?::{_H}){{0,6}})?)"
    r"(?![0-9A-Za-z:])"
)


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    if ip.version == 6 and value.count(":") < 2:
        return None
    if ip.version == 6 and ip.is_unspecified:
        return None
    score = 0.85 if ip.version == 6 else 0.75
    scope = "private" if ip.is_private else "global"
    return Check(checks={"parses": True}, score=score, extra={"version": ip.version, "scope": scope})


RECOGNIZER = Recognizer(
    name="ip_address",
    entity="IP_ADDRESS",
    patterns=(Pattern("ipv4", IPV4, 0.6), Pattern("ipv6", IPV6, 0.6)),
    validate=_validate,
    context=("ip", "地址", "address", "host", "服务器", "登录"),
)
