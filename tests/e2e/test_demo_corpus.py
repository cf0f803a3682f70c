"""The bundled demo corpus: generated deterministically, and it keeps showing all three verdicts."""

from __future__ import annotations

import json
from pathlib import Path

from safecorpus.assess.runner import AssessConfig, run_assessment
from safecorpus.demo import generate
from safecorpus.io.reader import iter_corpus
from safecorpus.io.records import Record
from safecorpus.taxonomy.profile import load_profile

from ..conftest import REPO

DEMO = REPO / "examples" / "demo-corpus"


def records(path: Path) -> list[tuple[str, str, str]]:
    return [(i.id, i.source, i.text) for i in iter_corpus(path) if isinstance(i, Record)]


def test_generator_is_deterministic_and_matches_the_committed_corpus(tmp_path: Path) -> None:
    generate(tmp_path / "a")
    generate(tmp_path / "b")
    for f in sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert records(tmp_path / "a") == records(DEMO), "regenerate with: python scripts/make_demo_corpus.py"


def test_demo_shows_blacklist_pass_and_inconclusive(tmp_path: Path) -> None:
    summary = run_assessment(AssessConfig(corpus=DEMO, profile=load_profile(), store_dir=tmp_path))
    verdicts = {s["name"]: s["verdict"] for s in summary["sources"]}
    assert set(verdicts.values()) == {"blacklist", "pass", "inconclusive"}, verdicts
    assert verdicts["forum-dump"] == "blacklist"
    assert verdicts["qa-community"] == "inconclusive"
    passing = ("news-portal.example.cn", "ugc-shortposts", "encyclopedia")
    assert all(verdicts[name] == "pass" for name in passing)
    recs = summary["records"]
    assert recs["read"] == recs["assessed"] + recs["rejected"] and recs["rejected"] == 2
    json.dumps(summary)  # the summary is plain JSON
