"""A flag for literary, artistic and scientific works (TC260-003 5.2.b.2: they need particular care).

Structural cues, not topics: chapter headings (novels), lyric credits and section tags (songs), and the
apparatus of a paper (abstract with keywords, references, DOI/arXiv ids). One record-level finding per
kind of work, with the cues that fired.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.io.records import Record

VERSION = "1.0.0"

_CUES: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    "literary": (
        ("chapter_zh", re.compile(r"第[一二三四五六七八九十百千零〇两\d]{1,5}[章回卷]")),
        ("chapter_en", re.compile(r"(?m)^\s*(?:chapter|CHAPTER)\s+(?:\d+|[IVXLC]+|[A-Z][a-z]+)\b")),
        ("isbn", re.compile(r"\bISBN(?:-1[03])?:?\s*[\d-]{10,17}", re.I)),
    ),
    "artistic": (
        ("lyric_credit_zh", re.compile(r"(?:作词|作曲|填词|编曲)\s*[:：]")),
        ("lyric_credit_en", re.compile(r"\b(?:lyrics|music)\s+by\b", re.I)),
        ("song_section", re.compile(r"\[(?:verse(?:\s*\d)?|chorus|bridge|主歌|副歌)\]", re.I)),
    ),
    "scientific": (
        ("abstract_keywords_zh", re.compile(r"摘\s*要\s*[:：][\s\S]{0,2000}?关键\s*词\s*[:：]")),
        ("abstract_keywords_en", re.compile(r"\babstract\b[\s\S]{0,3000}?\bkey\s*words?\s*[:：]", re.I)),
        ("references", re.compile(r"(?m)^\s*(?:参考文献|references|bibliography)\s*[:：]?\s*$", re.I)),
        ("doi", re.compile(r"\b(?:doi:\s*|https?://doi\.org/)10\.\d{4,9}/\S+", re.I)),
        ("arxiv", re.compile(r"\barXiv:\d{4}\.\d{4,5}", re.I)),
    ),
}
# How many distinct cues make a work of each kind (one chapter heading alone may be a manual).
_MIN_CUES = {"literary": 1, "artistic": 1, "scientific": 1}


class CreativeWorkDetector:
    """Flags records that look like a literary, artistic or scientific work (``evidence["work"]``)."""

    name = "ip_creative_work"
    version = VERSION
    layer = Layer.IP.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        return [self.find(r.id, r.text) for r in records]

    def find(self, record_id: str, text: str) -> list[Finding]:
        out = []
        for work, cues in _CUES.items():
            fired = [name for name, pattern in cues if pattern.search(text)]
            if len(fired) >= _MIN_CUES[work]:
                out.append(
                    Finding(
                        record_id=record_id,
                        detector=f"{self.name}@{self.version}",
                        layer=self.layer,
                        risk="A.3.1",
                        topic="copyright",
                        score=min(1.0, 0.5 + 0.25 * len(fired)),
                        evidence={"kind": "creative_work", "work": work, "cues": fired},
                    )
                )
        return out
