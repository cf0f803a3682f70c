"""LicenceMarkDetector: Creative Commons and open-source marks mapped to SPDX ids; NC/ND are restrictive."""

from __future__ import annotations

import pytest

from safecorpus.detect.ip.licence_mark import LicenceMarkDetector, is_restrictive

DET = LicenceMarkDetector()


def marks(text: str) -> list[str]:
    return [f.evidence["spdx"] for f in DET.find("r", text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Licensed under CC BY-NC-ND 4.0.", ["CC-BY-NC-ND-4.0"]),
        ("Text is available under CC-BY-SA 3.0", ["CC-BY-SA-3.0"]),
        ("see https://creativecommons.org/licenses/by-nc/4.0/", ["CC-BY-NC-4.0"]),
        ("dedicated via creativecommons.org/publicdomain/zero/1.0/", ["CC0-1.0"]),
        ("Creative Commons Attribution-NonCommercial 4.0", ["CC-BY-NC-4.0"]),
        ("本作品采用知识共享署名-非商业性使用 4.0 许可协议", ["CC-BY-NC-4.0"]),
        ("SPDX-License-Identifier: Apache-2.0", ["Apache-2.0"]),
        ("Released under the MIT License.", ["MIT"]),
        ("Apache License, Version 2.0", ["Apache-2.0"]),
        ("This image is in the public domain.", ["public-domain"]),
    ],
)
def test_marks_map_to_spdx(text: str, expected: list[str]) -> None:
    assert marks(text) == expected


@pytest.mark.parametrize("text", ["我们去看了一场演出。", "The CCTV camera was installed.", "by the river"])
def test_no_mark_in_plain_text(text: str) -> None:
    assert marks(text) == []


def test_restrictive_flags() -> None:
    assert is_restrictive("CC-BY-NC-4.0") and is_restrictive("CC-BY-ND-4.0")
    assert not is_restrictive("CC-BY-SA-4.0") and not is_restrictive("MIT")
    (f,) = DET.find("r", "CC BY-ND 4.0")
    assert f.evidence["restrictive"] is True and f.risk == "A.3.1"
