"""Every output records the policy it was decided under: profile, fingerprint and decision-rules version."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from safecorpus.assess.decision import RULES_VERSION
from safecorpus.policy import Policy
from safecorpus.taxonomy.profile import load_profile
from tests.report._build import cli, model_test

CONFIG = '[profile]\nsource.sample_size = 40\n[input]\ntext_field = "body"\n[store]\ndir = "store"\n'


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("policy-recorded")
    (root / "safecorpus.toml").write_text(CONFIG, "utf-8")
    rows = [
        {"id": f"r{i}", "body": f"一句普通的话 {i}，联系人 user{i}", "source": f"s{i % 2}"}
        for i in range(120)
    ]
    (root / "corpus").mkdir()
    (root / "corpus" / "a.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8"
    )
    expected = Policy.compile(root / "safecorpus.toml").describe()
    return root, expected


def _read(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def test_the_expected_stamp_is_not_the_profile_alone(project: tuple[Path, dict[str, Any]]) -> None:
    _, expected = project
    assert expected["rules_version"] == RULES_VERSION
    assert expected["fingerprint"] != load_profile().fingerprint()  # the project settings count


def test_assess_summary_and_stored_run(project: tuple[Path, dict[str, Any]]) -> None:
    root, expected = project
    cli("assess", "corpus", "--no-progress", "--json", "summary.json", cwd=root)
    summary = _read(root / "summary.json")
    assert summary["policy"] == {**expected, "profile": "gbt45654-2025"}
    assert summary["profile"] == "gbt45654-2025"  # the old field stays
    assert {s["name"] for s in summary["sources"]} == {"s0", "s1"}
    with sqlite3.connect(root / "store" / "safecorpus.db") as db:
        (stored,) = db.execute("select summary from runs").fetchone()
    assert json.loads(stored)["policy"] == expected


def test_assess_flag_changes_the_fingerprint(project: tuple[Path, dict[str, Any]]) -> None:
    root, expected = project
    cli("assess", "corpus", "--no-progress", "--id-field", "body", "--json", "other.json", cwd=root)
    assert _read(root / "other.json")["policy"]["fingerprint"] != expected["fingerprint"]


def test_filter_summary_and_manifest(project: tuple[Path, dict[str, Any]]) -> None:
    root, expected = project
    cli("filter", "corpus", "out", "--no-assessment", "--json", "filter.json", cwd=root)
    summary = _read(root / "filter.json")
    assert {k: summary["policy"][k] for k in expected} == expected
    assert summary["policy"]["filter_fingerprint"] == summary["policy_fingerprint"]  # the old field stays
    manifest = _read(root / "out" / "manifest.json")
    assert manifest["policy"]["policy_fingerprint"] == expected["fingerprint"]
    assert manifest["policy"]["rules_version"] == RULES_VERSION
    assert manifest["policy"]["fingerprint"] == summary["policy_fingerprint"]  # the ledger's `policy`


def test_scans_and_audits(project: tuple[Path, dict[str, Any]]) -> None:
    root, expected = project
    cli("ip", "scan", "corpus", "--json", "ip.json", cwd=root)
    assert _read(root / "ip.json")["policy"] == expected
    cli("pii", "scan", "corpus", "--out", "pii.jsonl", cwd=root)
    header, *rows = [json.loads(line) for line in (root / "pii.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 120 and header["policy"] == expected  # the findings file's header line
    cli("consent", "report", "corpus", "--json", "consent.json", cwd=root)
    assert _read(root / "consent.json")["policy"] == expected
    (root / "sources.yaml").write_text(
        "sources:\n"
        + "".join(
            f"  - {{name: s{i}, provenance_type: user-input, service: App, languages: zh, modality: text,"
            " origin: domestic}\n"
            for i in range(2)
        )
    )
    cli("sources", "import", "sources.yaml", cwd=root)
    cli("sources", "audit", "corpus", "--json", "audit.json", cwd=root)
    assert _read(root / "audit.json")["policy"] == expected


def test_modeltest_and_report(project: tuple[Path, dict[str, Any]]) -> None:
    root, expected = project
    cli("assess", "corpus", "--no-progress", cwd=root)  # the report reads the latest run
    result, _ = model_test(root, lambda item: "抱歉，我不能回答这个问题。")
    assert _read(result)["policy"] == expected
    cli("report", "--out", "rep", "--lang", "en", "--no-pdf", cwd=root)
    assert _read(root / "rep" / "report.json")["policy"] == expected
