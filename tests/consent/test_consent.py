"""The consent ledger: parsing, the store (real SQLite), per-record verdicts, the CLI."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from safecorpus.assess.decision import DecisionRule
from safecorpus.consent import ledger as cl
from safecorpus.consent import records as cr
from safecorpus.consent import verdict as cv
from safecorpus.detect.base import Finding
from safecorpus.errors import InputError
from safecorpus.registry import consent as store
from safecorpus.registry.db import open_store

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
CSV = (
    ",".join(cr.FIELDS)
    + """
u-plain,consent,model training,v2,training,no,no,2024-01-01,,ev-1,,,
u-sens,consent,model training,v2,training,yes,no,2024-01-01,,ev-2,pia-7,2024-01-01,2028-01-01
u-short,consent,model training,v2,training,yes,no,2024-01-01,,ev-3,pia-8,2024-01-01,2025-06-01
u-gone,consent,model training,v2,training,no,no,2024-01-01,2025-03-01,ev-4,,,
u-contract,contract,service,,training,no,no,2024-01-01,,ev-5,,,
u-ads,consent,advertising,v1,marketing,no,no,2024-01-01,,ev-6,,,
u-kid,consent,model training,v2,training,no,yes,2024-01-01,,ev-7,,,
"""
)


def pii(kind="CN_MOBILE", category=None, rid="r1"):
    return Finding(rid, "pii.x@1", "pii", "A.4.6", 0.9, 0, 3, "personal_information",
                   {"type": kind, "category": category})  # fmt: skip


@pytest.fixture
def ledger(tmp_path):
    p = tmp_path / "consent.csv"
    p.write_text(CSV, "utf-8")
    return cl.ConsentLedger(cr.read_file(p), subject_field="user_id")


@pytest.mark.parametrize(
    "subject,findings,verdict",
    [
        ("u-plain", [], "no_pi"),
        (None, [], "no_pi"),
        ("u-plain", [pii()], "pi_with_basis"),
        ("nobody", [pii()], "pi_needs_consent"),
        (None, [pii()], "pi_needs_consent"),
        ("u-ads", [pii()], "pi_needs_consent"),  # consent for another purpose/scope
        ("u-contract", [pii()], "pi_with_basis"),
        (
            "u-plain",
            [pii(), pii("SENSITIVE_MEDICAL_HEALTH", "medical_health")],
            "sensitive_needs_separate_consent",
        ),
        ("u-sens", [pii("SENSITIVE_BIOMETRIC", "biometric")], "pi_with_basis"),
        ("u-plain", [pii("SENSITIVE_MINOR_UNDER_14", "minor_under_14")], "child_needs_guardian_consent"),
        ("nobody", [pii("SENSITIVE_MINOR_UNDER_14", "minor_under_14")], "child_needs_guardian_consent"),
        ("u-kid", [pii("SENSITIVE_MINOR_UNDER_14", "minor_under_14")], "pi_with_basis"),
        ("u-gone", [pii()], "consent_withdrawn"),
        ("u-gone", [], "consent_withdrawn"),
    ],
)
def test_verdicts(ledger, subject, findings, verdict):
    meta = {"user_id": subject} if subject else {}
    d = cv.consent_verdict(meta, findings, ledger, record_id="r1", at=NOW)
    assert d.verdict == verdict
    rule = DecisionRule(frozenset({"pii"}), frozenset({"A.4.6"}), 0.5)
    assert rule.is_violation(d.findings) is (verdict in cv.VIOLATING)
    for f in d.findings:
        assert f.evidence["needs_basis"] is (verdict in cv.VIOLATING)


def test_withdrawal_takes_effect_at_its_date(ledger):
    before = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    assert cv.consent_verdict({"user_id": "u-gone"}, [pii()], ledger, at=before).verdict == "pi_with_basis"


def test_nested_subject_field(ledger):
    led = cl.ConsentLedger(ledger.by_subject["u-gone"], subject_field="author.uid")
    assert cv.consent_verdict({"author": {"uid": "u-gone"}}, [], led, at=NOW).verdict == "consent_withdrawn"


def test_non_pii_findings_untouched(ledger):
    kw = Finding("r1", "lexicon@1", "keyword", "A.1.1", 1.0)
    d = cv.consent_verdict({"user_id": "nobody"}, [kw, pii()], ledger, at=NOW)
    assert d.findings[0] is kw and d.findings[1].evidence["needs_basis"] is True


def test_pipia_retention_and_problems(ledger):
    short = ledger.by_subject["u-short"][0]
    assert "PIPIA retention ends before 3 years" in short.problems()
    assert ledger.by_subject["u-sens"][0].problems() == []
    assert "consent without a consent-text version" not in ledger.by_subject["u-plain"][0].problems()


@pytest.mark.parametrize(
    "row,msg",
    [
        ({"subject_id": "a", "legal_basis": "vibes"}, "legal_basis"),
        ({"subject_id": "", "legal_basis": "consent"}, "subject_id is empty"),
        ({"subject_id": "a", "legal_basis": "consent", "granted_at": "yesterday"}, "ISO date"),
        ({"subject_id": "a", "legal_basis": "consent", "separate_consent": "maybe"}, "yes/no"),
        ({"subject_id": "a", "legal_basis": "consent", "colour": "red"}, "unknown field"),
    ],
)
def test_bad_rows(row, msg):
    with pytest.raises(InputError, match=msg):
        cr.parse_record(row, "x")


def test_store_roundtrip_json(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    p = tmp_path / "c.json"
    p.write_text(json.dumps([
        {"subject_id": "s1", "legal_basis": "同意", "purpose": "训练", "consent_version": "v1",
         "scope": ["training"], "separate_consent": True, "granted_at": "2024-05-01T08:00:00+08:00",
         "evidence_ref": "e",
         "pipia_ref": "pia-1", "pipia_retained_until": "2030-01-01"},
        {"subject_id": "s1", "legal_basis": "consent", "purpose": "训练", "granted_at": "2024-06-01",
         "withdrawn_at": "2025-01-01"},
    ]), "utf-8")  # fmt: skip
    assert store.import_records(engine, cr.read_file(p), source=str(p)) == 2
    recs = store.query(engine, "s1")
    assert [r.legal_basis for r in recs] == ["consent", "consent"]
    assert recs[0].granted_at == dt.datetime(2024, 5, 1, 0, 0, tzinfo=dt.UTC)
    led = cl.ConsentLedger.load(engine)
    assert led.current("s1", NOW)[1] is True  # the later grant was withdrawn
    assert led.current("s1", dt.datetime(2024, 5, 15, tzinfo=dt.UTC)) == (recs[0], False)
    summary = cl.ledger_summary(engine, at=NOW)
    assert summary["records"] == 2 and summary["withdrawn_subjects"] == ["s1"]


def test_cli_import_query_report(tmp_path, monkeypatch):
    from safecorpus.cli import _register, cli

    _register()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_text(CSV, "utf-8")
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {"id": "a", "user_id": "u-plain", "text": "我的手机号是13812345678"},
        {"id": "b", "user_id": "u-gone", "text": "今天天气不错"},
        {"id": "c", "user_id": "nobody", "text": "联系邮箱 x1@example.cn"},
        {"id": "d", "user_id": "u-plain", "text": "今天天气不错"},
        {"id": "e", "user_id": "u-plain", "text": "他确诊了糖尿病，电话13812345678"},
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    r = CliRunner().invoke(cli, ["consent", "import", "c.csv"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["consent", "query", "u-short", "--json", "q.json"])
    assert r.exit_code == 0 and "PIPIA retention ends before 3 years" in r.output
    r = CliRunner().invoke(cli, ["consent", "report", str(corpus), "--json", "rep.json", "--out", "v.jsonl"])
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "rep.json").read_text())
    assert doc["corpus"]["by_verdict"] == {
        "no_pi": 1, "pi_with_basis": 1, "pi_needs_consent": 1, "sensitive_needs_separate_consent": 1,
        "child_needs_guardian_consent": 0, "consent_withdrawn": 1,
    }  # fmt: skip
    assert doc["corpus"]["violations"] == 3
    assert doc["ledger"]["pipia_retention_short"] == ["u-short"]
