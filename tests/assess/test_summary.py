"""The typed assess summary: attributes for code, and to_dict() the JSON document users and scripts read."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import orjson
import pytest

from safecorpus.assess.decision import RULES_VERSION
from safecorpus.assess.runner import AssessConfig, assess_corpus, run_assessment
from safecorpus.assess.summary import RunSummary, SourceSummary
from safecorpus.taxonomy.profile import load_profile

TOP_KEYS = [
    "schema_version",
    "run_id",
    "corpus",
    "profile",
    "policy",
    "started_at",
    "finished_at",
    "duration_s",
    "execution",
    "sampling",
    "detectors",
    "records",
    "rejections",
    "files",
    "max_violation_rate",
    "sources",
    "technical_sample",
    "lexicon_coverage",
    "consent",
    "verdicts",
    "evidence_dir",
]
SOURCE_KEYS = [
    "name",
    "read",
    "rejected",
    "sampled",
    "violations",
    "rate",
    "ci_low",
    "ci_high",
    "census",
    "verdict",
    "needed_sample_size",
    "top_risks",
    "layers",
    "sampled_ids_file",
    "pi_basis",  # the source's declared legal basis for PI (the default profile decides on PI)
]


@pytest.fixture
def config(tmp_path: Path, tiny_lexicon_path: Path) -> AssessConfig:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [
        {"id": f"b{i}", "text": f"句子 {i}" + (" 违禁词甲" if i % 4 == 0 else ""), "source": "bad"}
        for i in range(80)
    ]
    rows += [{"id": f"g{i}", "text": f"平常的句子 {i}", "source": "good"} for i in range(80)]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + ["{broken"]
    (corpus / "a.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return AssessConfig(
        corpus=corpus,
        profile=load_profile(),
        store_dir=tmp_path / "store",
        lexicon=str(tiny_lexicon_path),
        policy_fingerprint="0123456789abcdef",
    )


@pytest.fixture
def summary(config: AssessConfig) -> RunSummary:
    return assess_corpus(config)


def test_typed_fields_agree_with_the_document(summary: RunSummary) -> None:
    doc = summary.to_dict()
    assert list(doc) == TOP_KEYS
    assert all(isinstance(s, SourceSummary) for s in summary.sources)
    bad, good = summary.sources
    assert (bad.name, good.name) == ("bad", "good")
    assert bad.violations == 20 and good.violations == 0
    assert [r.to_dict() for r in bad.top_risks] == doc["sources"][0]["top_risks"]
    assert list(doc["sources"][0]) == SOURCE_KEYS  # a fixed design has no `sequential` entry
    assert doc["records"] == {
        "read": 161,
        "assessed": 160,
        "rejected": 1,
        "rejected_reasons": summary.records.rejected_reasons,
        "duplicate_ids": 0,
    }
    assert summary.records.read == summary.records.assessed + summary.records.rejected
    tech = doc["technical_sample"]
    assert (tech["sampled"], tech["violations"], tech["clean_rate"]) == (
        summary.technical_sample.sampled,
        summary.technical_sample.violations,
        summary.technical_sample.clean_rate,
    )
    assert doc["verdicts"] == dict(Counter(s.verdict for s in summary.sources))
    assert doc["policy"] == {
        "profile": "gbt45654-2025",
        "fingerprint": "0123456789abcdef",
        "rules_version": RULES_VERSION,
    }


def test_json_document(summary: RunSummary, config: AssessConfig) -> None:
    doc = summary.to_dict()
    assert "store" not in doc
    stored = dataclasses.replace(summary, store="sqlite:///x.db")
    assert list(stored.to_dict())[-1] == "store" and stored.to_dict()["store"] == "sqlite:///x.db"
    assert orjson.loads(orjson.dumps(doc)) == json.loads(json.dumps(doc))
    plain = run_assessment(config)  # the document, as returned before the summary was typed
    assert isinstance(plain, dict) and list(plain) == TOP_KEYS
    assert plain["sources"] == [
        {**s, "sampled_ids_file": s["sampled_ids_file"].replace(summary.run_id, plain["run_id"])}
        for s in doc["sources"]
    ]


def test_sequential_entry_sits_before_top_risks() -> None:
    s = SourceSummary(
        "x", 10, 0, 10, 1, 0.1, 0.0, 0.4, True, "inconclusive", None, [], {}, "f", {"items_used": 10}
    )
    assert list(s.to_dict()) == [*SOURCE_KEYS[:11], "sequential", *SOURCE_KEYS[11:-1]]  # no pi_basis given
