"""CopyrightNoticeDetector: notices and reservations, in Chinese and English, and plain text that has none."""

from __future__ import annotations

import pytest

from safecorpus.detect.ip.copyright_notice import CopyrightNoticeDetector

DET = CopyrightNoticeDetector()


def kinds(text: str) -> set[str]:
    return {f.evidence["kind"] for f in DET.find("r", text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("© 2024 Example Press. All rights reserved.", {"notice", "reservation"}),
        ("Copyright (c) 2019-2023 Some Author", {"notice"}),
        ("本文版权所有，未经许可不得转载。", {"notice", "reservation"}),
        ("未经本站书面授权，不得转载或摘编", {"reservation"}),
        ("转载须注明出处。禁止转载到其他平台", {"reservation"}),
        ("著作权归作者所有。", {"notice"}),
        ("No part of this publication may be reproduced without permission.", {"reservation"}),
        ("侵权必究", {"reservation"}),
    ],
)
def test_finds_notices_and_reservations(text: str, expected: set[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "今天天气很好，我们去公园散步。",
        "The copying machine is broken again.",
        "欢迎转载，请注明出处。",
        "He reserved a table for two.",
    ],
)
def test_plain_text_has_no_notice(text: str) -> None:
    assert DET.find("r", text) == []


def test_findings_feed_a31_with_offsets_in_the_original_text() -> None:
    text = "前言\n© 2020 某出版社"
    (f,) = DET.find("r", text)
    assert f.risk == "A.3.1" and f.layer == "ip" and f.detector.startswith("ip_copyright_notice@")
    assert text[f.start : f.end].startswith("© 2020")
