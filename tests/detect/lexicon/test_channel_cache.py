"""The derived view patterns are cached on disk: a detector loaded from the cache matches exactly what a
freshly derived one does, and a damaged cache file is rebuilt, never trusted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.detect.lexicon.library import Lexicon, Term
from safecorpus.detect.lexicon.variants import VariantOptions

TERMS = [Term("图书馆", "A.1.8"), Term("风景照片", "A.1.8"), Term("window", "A.1.6"), Term("张明", "A.1.8")]
TEXTS = [
    "去涂书管看书",  # homophone
    "去tu shu guan看书",  # pinyin
    "这组fjzp很好",  # initials
    "open the w1nd0w now, the wіndоw, w.i.n.d.o.w and wiiiindow",
    "弓长明来了",  # split characters
    "图书馆 and window, plain",
    "图书 馆 no match here; 涂书 odd units: 书管看",
]


def lexicon() -> Lexicon:
    return Lexicon("cache-test", "1", dt.date.today(), TERMS)


def spans(det: LexiconDetector) -> list[tuple[int, int, int, int, int]]:
    m = det.match_batch(TEXTS)
    return list(
        zip(
            m.docs.tolist(),
            m.starts.tolist(),
            m.ends.tolist(),
            m.patterns.tolist(),
            m.channels.tolist(),
            strict=True,
        )
    )


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SAFECORPUS_CACHE", str(tmp_path))
    return tmp_path


def test_a_detector_loaded_from_the_cache_matches_like_a_fresh_one(cache: Path) -> None:
    fresh = LexiconDetector(lexicon(), variants=VariantOptions())
    stored = list(cache.glob("channels-*.npz"))
    assert len(stored) == 1
    loaded = LexiconDetector(lexicon(), variants=VariantOptions())
    assert [c.name for c in loaded.channels] == [c.name for c in fresh.channels]
    assert spans(loaded) == spans(fresh)
    assert {kind for *_, kind in spans(fresh)} >= {1, 3, 6, 7}  # word, initials, homophone, pinyin


def test_other_options_use_another_cache_entry(cache: Path) -> None:
    LexiconDetector(lexicon(), variants=VariantOptions())
    no_homophones = LexiconDetector(lexicon(), variants=VariantOptions(homophones=False))
    assert len(list(cache.glob("channels-*.npz"))) == 2
    assert "homophone" not in [c.name for c in no_homophones.channels]


def test_a_damaged_cache_file_is_rebuilt(cache: Path) -> None:
    fresh = LexiconDetector(lexicon(), variants=VariantOptions())
    (path,) = cache.glob("channels-*.npz")
    path.write_bytes(b"not an npz file")
    rebuilt = LexiconDetector(lexicon(), variants=VariantOptions())
    assert spans(rebuilt) == spans(fresh)
    assert path.read_bytes()[:2] == b"PK"  # written again


def test_no_variants_writes_no_cache(cache: Path) -> None:
    LexiconDetector(lexicon(), variants=VariantOptions.none())
    assert not list(cache.glob("channels-*.npz"))
