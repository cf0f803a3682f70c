"""CreativeWorkDetector: chapters (literary), lyric credits (artistic), paper apparatus (scientific)."""

from __future__ import annotations

import pytest

from safecorpus.detect.ip.creative_work import CreativeWorkDetector

DET = CreativeWorkDetector()


def works(text: str) -> set[str]:
    return {f.evidence["work"] for f in DET.find("r", text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一章 初遇\n那年春天，他第一次来到小镇。", {"literary"}),
        ("CHAPTER IV\nThe storm broke at dawn.", {"literary"}),
        ("作词：某某\n作曲：某某\n[副歌]\n啦啦啦", {"artistic"}),
        ("Lyrics by A. Writer\n[Chorus]\nla la la", {"artistic"}),
        ("摘要：本文研究了……\n关键词：深度学习；语料", {"scientific"}),
        ("Abstract. We study X.\nKeywords: corpora, safety", {"scientific"}),
        ("See doi:10.1000/xyz123 for details", {"scientific"}),
        ("preprint arXiv:2401.01234", {"scientific"}),
    ],
)
def test_flags_works(text: str, expected: set[str]) -> None:
    assert works(text) == expected


@pytest.mark.parametrize(
    "text", ["周末市集拍摄了一组风景照片。", "The library hosted a reading evening.", "第一次见面很愉快"]
)
def test_ordinary_text_is_not_a_work(text: str) -> None:
    assert works(text) == set()


def test_record_level_finding_names_cues() -> None:
    (f,) = DET.find("r", "第三回 话说")
    assert f.start is None and f.risk == "A.3.1" and f.evidence["cues"] == ["chapter_zh"]
