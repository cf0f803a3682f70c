"""The packaged default keyword library and its build inputs."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

import safecorpus
from safecorpus.detect.lexicon.importer import load_mapping
from safecorpus.detect.lexicon.library import read_lexicon

REPO = Path(__file__).resolve().parents[3]
DATASETS = REPO.parent / "shared" / "datasets"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def lexicon():
    return read_lexicon("default")


def canonical(term: str) -> str:
    return "".join(unicodedata.normalize("NFKC", term).lower().split())


def test_parses_with_header(lexicon):
    assert lexicon.name == "default"
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", lexicon.version)
    assert lexicon.updated_at is not None
    assert lexicon.header.get("description")
    assert len(lexicon.terms) >= 10_000


def test_tags_are_valid_and_every_term_has_a_source(lexicon):
    tax = safecorpus.load_taxonomy()
    for t in lexicon.terms:
        tax.validate_tag(t.tag)
        assert t.source
        assert 0 < t.weight <= 1
        assert t.lang in {"zh", "en"}


def test_no_duplicate_canonical_terms(lexicon):
    counts = Counter((canonical(t.term), t.lang) for t in lexicon.terms)
    assert [k for k, n in counts.items() if n > 1] == []


def test_no_short_terms_numbers_or_urls(lexicon):
    url = re.compile(r"://|www\.|\.(com|cn|net|org)\b")
    for t in lexicon.terms:
        assert len(t.term) >= 2
        assert not re.fullmatch(r"[\W\d_]+", t.term)
        assert not url.search(t.term)
        if not CJK.search(t.term):
            assert sum(c.isalpha() for c in t.term) >= 3


def test_a1_risks_present(lexicon):
    per_risk = Counter(t.risk for t in lexicon.terms)
    for rid in ("A.1.1", "A.1.2", "A.1.3", "A.1.6", "A.1.8"):
        assert per_risk[rid] >= 200
    assert any(t.lang == "en" for t in lexicon.terms)


def test_domains_blocklist():
    text = resources.files("safecorpus.data").joinpath("blocklists/domains.txt").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert text.startswith("#") and "MIT" in text
    assert len(lines) == len(set(lines)) > 100
    assert all(re.fullmatch(r"[a-z0-9.\-]+\.[a-z0-9]+", d) for d in lines)


def test_mapping_files_cover_their_tags():
    tax = safecorpus.load_taxonomy()
    folder = REPO / "src/safecorpus/data/lexicons/mappings"
    for name in ("konsheng", "fwwdn", "houbb"):
        for value in load_mapping(folder / f"{name}.toml").values():
            if value != "skip":
                tax.validate_tag(value)


@pytest.mark.slow
@pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets not present")
def test_build_is_deterministic(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "lex.tsv"
    cmd = [sys.executable, str(REPO / "scripts/build_lexicon.py"), "--datasets", str(DATASETS)]
    cmd += ["--date", "2026-01-01", "--out", str(out), "--domains-out", str(tmp_path / "d.txt")]
    first = subprocess.run(cmd, check=True, capture_output=True)
    assert first.returncode == 0
    data = out.read_bytes()
    subprocess.run(cmd, check=True, capture_output=True)
    assert out.read_bytes() == data
