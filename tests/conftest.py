"""Shared fixtures: small lexicons and corpora written to tmp folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safecorpus.detect.lexicon.library import Lexicon, Term, write_lexicon

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def tiny_lexicon() -> Lexicon:
    terms = [
        Term("违禁词甲", "A.1.8", "gambling", 1.0, "zh", "test"),
        Term("违禁词乙", "A.1.6", "violence", 1.0, "zh", "test"),
        Term("測試詞丙", "A.2.4", "region", 1.0, "zh", "test"),
        Term("badword", "A.1.6", "violence", 1.0, "en", "test"),
        Term("bad phrase", "A.2.5", "gender", 0.3, "en", "test"),
    ]
    return Lexicon("tiny", "1", dt.date.today(), terms)


@pytest.fixture
def tiny_lexicon_path(tmp_path: Path, tiny_lexicon: Lexicon) -> Path:
    path = tmp_path / "tiny.tsv"
    write_lexicon(tiny_lexicon, path)
    return path
