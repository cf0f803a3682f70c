"""The consent verdict with a source-level legal basis (sources/pi_basis.py): PI within the source's scope
is ``pi_with_basis``; the rest is judged against the ledger, as without a basis."""

from __future__ import annotations

import datetime as dt

import pytest

from safecorpus.assess.decision import DecisionRule
from safecorpus.consent import ledger as cl
from safecorpus.consent import records as cr
from safecorpus.consent import verdict as cv
from safecorpus.detect.base import Finding
from safecorpus.sources.pi_basis import SourceBasis
from safecorpus.taxonomy.profile import load_profile

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def pii(kind: str, category: str | None = None) -> Finding:
    return Finding("r1", "pii.x@1", "pii", "A.4.6", 0.9, 0, 3, "personal_information",
                   {"type": kind, "category": category})  # fmt: skip


@pytest.fixture(scope="module")
def rule() -> DecisionRule:
    return DecisionRule.from_profile(load_profile())


def decide(findings: list[Finding], basis: SourceBasis | None, meta: dict | None = None, ledger=None):
    return cv.consent_verdict(
        meta or {}, findings, ledger or cl.ConsentLedger(), record_id="r1", at=NOW, basis=basis
    )


def test_a_contract_covering_phone_numbers_is_a_basis(rule: DecisionRule) -> None:
    contract = SourceBasis.parse("contract", "phone", "t")
    found = [pii("PERSON"), pii("CN_MOBILE")]
    without = decide(found, None)
    assert without.verdict == "pi_needs_consent" and rule.is_violation(without.findings)
    with_basis = decide(found, contract)
    assert not rule.is_violation(with_basis.findings)
    (mobile,) = [f for f in with_basis.findings if f.evidence["type"] == "CN_MOBILE"]
    assert mobile.evidence["needs_basis"] is False and mobile.evidence["source_basis"] == "contract"
    assert decide([pii("CN_MOBILE")], contract).verdict == "pi_with_basis"


def test_pi_outside_the_scope_is_judged_by_the_ledger(rule: DecisionRule) -> None:
    contract = SourceBasis.parse("contract", "phone", "t")
    d = decide([pii("CN_MOBILE"), pii("CN_RESIDENT_ID")], contract)
    assert d.verdict == "pi_needs_consent" and rule.is_violation(d.findings)
    counted = {f.evidence["type"] for f in rule.counted(d.findings)}
    assert counted == {"CN_RESIDENT_ID"}


def test_news_reporting_covers_names_and_places_not_id_numbers(rule: DecisionRule) -> None:
    news = SourceBasis.parse("news_reporting", None, "t")
    assert decide([pii("PERSON"), pii("ADDRESS")], news).verdict == "pi_with_basis"
    d = decide([pii("PERSON"), pii("CN_RESIDENT_ID")], news)
    assert d.verdict == "pi_needs_consent" and rule.is_violation(d.findings)
    bank = decide([pii("BANK_CARD", "financial_account")], news)
    assert bank.verdict == "sensitive_needs_separate_consent" and rule.is_violation(bank.findings)


def test_sensitive_pi_outside_the_scope_still_needs_separate_consent(rule: DecisionRule) -> None:
    public = SourceBasis.parse("publicly_disclosed", None, "t")
    d = decide([pii("CN_MOBILE"), pii("SENSITIVE_MEDICAL_HEALTH", "medical_health")], public)
    assert d.verdict == "sensitive_needs_separate_consent"
    assert {f.evidence["type"] for f in rule.counted(d.findings)} == {"SENSITIVE_MEDICAL_HEALTH"}


def test_consent_ledger_and_none_keep_todays_behaviour() -> None:
    for name in ("consent_ledger", "none"):
        d = decide([pii("CN_MOBILE")], SourceBasis.parse(name, None, "t"))
        assert d.verdict == "pi_needs_consent"
        assert "source_basis" not in d.findings[0].evidence


def test_a_withdrawn_subject_counts_whatever_the_source_declares(tmp_path, rule: DecisionRule) -> None:
    p = tmp_path / "consent.csv"
    p.write_text(",".join(cr.FIELDS) + "\nu-gone,consent,model training,v2,training,no,no,2024-01-01,"
                 "2025-03-01,ev-4,,,\n", "utf-8")  # fmt: skip
    ledger = cl.ConsentLedger(cr.read_file(p), subject_field="user_id")
    contract = SourceBasis.parse("contract", "phone", "t")
    d = decide([pii("CN_MOBILE")], contract, {"user_id": "u-gone"}, ledger)
    assert d.verdict == "consent_withdrawn" and rule.is_violation(d.findings)


def test_consent_report_follows_the_sources_basis() -> None:
    from safecorpus.consent.report_pass import ConsentSettings, map_piece
    from safecorpus.io.records import Record
    from safecorpus.sources.catalog import SourceCatalog, parse_entry
    from safecorpus.sources.pi_basis import SourceBases

    crm = parse_entry(
        {"name": "crm", "provenance_type": "user-input", "pi_basis": "contract", "pi_scope": "phone"}, "e"
    )
    bases = SourceBases(SourceCatalog([crm]))
    lookup = cl.ConsentLedger().lookup(NOW)
    records = [Record(f"{src}-1", "手机 13912345678", src, "c.jsonl", 1) for src in ("crm", "web")]
    part = map_piece(iter(records), ConsentSettings(lookup, 0.5, bases))
    assert [row[2] for row in part.rows] == ["pi_with_basis", "pi_needs_consent"]
