"""The typed filter summary: attributes for code, and to_dict() the JSON document `filter --json` writes."""

from __future__ import annotations

import json
from pathlib import Path

from safecorpus.assess.decision import RULES_VERSION
from safecorpus.pipeline import FilterConfig, filter_corpus, run_filter
from safecorpus.pipeline.summary import FilterRecords, FilterSummary
from safecorpus.taxonomy.profile import load_profile
from tests.pipeline.corpus import write_corpus

TOP_KEYS = [
    "schema_version",
    "corpus",
    "out",
    "manifest",
    "profile",
    "policy_fingerprint",
    "policy",
    "records",
    "steps",
    "flagged_risks",
    "detectors",
    "blocklists",
    "shards",
    "files",
    "notices",
    "executor",
    "workers",
    "started_at",
    "finished_at",
    "duration_s",
    "records_per_s",
]


def _config(tmp_path: Path, lexicon: Path, out: str) -> FilterConfig:
    return FilterConfig(
        corpus=str(write_corpus(tmp_path / "in")),
        out=str(tmp_path / out),
        profile=load_profile(),
        lexicon=str(lexicon),
        pii=False,
        default_blocklist=False,
        shard_size=25,
        policy_fingerprint="fedcba9876543210",
    )


def test_typed_summary_and_its_document(tmp_path: Path, tiny_lexicon_path: Path) -> None:
    summary = filter_corpus(_config(tmp_path, tiny_lexicon_path, "out"))
    assert isinstance(summary, FilterSummary) and isinstance(summary.records, FilterRecords)
    r = summary.records
    assert r.read == r.kept + r.removed + r.rejected and r.removed > 0
    assert r.consent_verdicts is None
    doc = summary.to_dict()
    assert list(doc) == TOP_KEYS
    assert doc["records"]["read"] == r.read and doc["records"]["reasons"] == r.reasons
    assert list(doc["records"]) == [
        "read",
        "kept",
        "removed",
        "rejected",
        "removed_reasons",
        "rejected_reasons",
        "reasons",
        "redacted",
        "pii_redactions",
        "kept_without_provenance",
    ]
    assert doc["policy"] == {
        "profile": "gbt45654-2025",
        "fingerprint": "fedcba9876543210",
        "rules_version": RULES_VERSION,
        "filter_fingerprint": summary.policy_fingerprint,
    }
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["records"] == doc["records"]
    assert json.loads(json.dumps(doc)) == doc


def test_run_filter_returns_the_plain_document(tmp_path: Path, tiny_lexicon_path: Path) -> None:
    doc = run_filter(_config(tmp_path, tiny_lexicon_path, "again"))
    assert isinstance(doc, dict) and list(doc) == TOP_KEYS
    assert (
        doc["records"]["read"]
        == doc["records"]["kept"] + doc["records"]["removed"] + doc["records"]["rejected"]
    )


def test_reasons_list_removals_before_rejections() -> None:
    r = FilterRecords(5, 1, 2, 2, {"flagged": 2}, {"bad_json": 2}, 0, 0, 0, {"no_pi": 3})
    assert list(r.reasons) == ["flagged", "bad_json"]
    assert r.to_dict()["consent_verdicts"] == {"no_pi": 3}
    assert list(r.to_dict())[-1] == "consent_verdicts"
