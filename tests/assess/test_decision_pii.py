"""The one decision rule on personal information: only PI that identifies a person can be a violation.

Names, place names and sensitive-category words alone are not someone's personal data; identifiers and
precise addresses are, and a sensitive category counts beside an identifier (DESIGN "Violations").
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from safecorpus.assess.decision import DecisionRule, PersonalInfoRule
from safecorpus.assess.runner import AssessConfig, run_assessment
from safecorpus.detect.base import Finding
from safecorpus.taxonomy.profile import load_profile
from tests.support import synth


def pi(kind: str, score: float = 0.9, needs_basis: bool = True) -> Finding:
    evidence = {"type": kind, "needs_basis": needs_basis}
    return Finding("r", "pii@1", "pii", "A.4.6", score, 0, 2, None, evidence)


@pytest.fixture(scope="module")
def rule() -> DecisionRule:
    return DecisionRule.from_profile(load_profile())


def test_a_name_or_a_place_alone_is_not_a_violation(rule: DecisionRule) -> None:
    assert rule.counted([pi("PERSON")]) == []
    assert rule.counted([pi("ADDRESS", 0.5), pi("PERSON")]) == []  # a place name
    assert rule.counted([pi("SENSITIVE_MEDICAL_HEALTH")]) == []  # a word of a sensitive category


def test_identifiers_and_precise_addresses_count(rule: DecisionRule) -> None:
    for kind in ("CN_RESIDENT_ID", "BANK_CARD", "CN_MOBILE", "EMAIL", "PASSPORT"):
        assert rule.counted([pi(kind)]), kind
    assert rule.counted([pi("ADDRESS", 0.85)])


def test_a_sensitive_category_counts_beside_an_identifier(rule: DecisionRule) -> None:
    found = [pi("PERSON"), pi("SENSITIVE_MEDICAL_HEALTH"), pi("CN_MOBILE")]
    counted = rule.counted(found)
    assert {f.evidence["type"] for f in counted} == {"SENSITIVE_MEDICAL_HEALTH", "CN_MOBILE"}


def test_pi_with_a_legal_basis_never_counts(rule: DecisionRule) -> None:
    assert rule.counted([pi("CN_RESIDENT_ID", needs_basis=False)]) == []


def test_a_withdrawn_subjects_record_level_finding_counts(rule: DecisionRule) -> None:
    withdrawn = Finding("r", "consent@1", "pii", "A.4.6", 1.0, evidence={"needs_basis": True})
    assert rule.counted([withdrawn]) == [withdrawn]


def test_the_profile_sets_the_pi_rule() -> None:
    profile = load_profile(
        overrides={"decision": {"pii": {"identifying": ["PERSON"], "sensitive_needs_identifier": False}}}
    )
    rule = DecisionRule.from_profile(profile)
    assert rule.pii == PersonalInfoRule(frozenset({"PERSON"}), 0.85, False)
    assert rule.counted([pi("PERSON")]) and rule.counted([pi("SENSITIVE_RELIGION")])
    assert not rule.counted([pi("CN_MOBILE")])


SENTENCES = [
    "客户{n}号的办理记录已经归档，请经办人核对。",
    "本次登记的联系人信息见附表{n}，核对后签字。",
    "第{n}批次的会员资料已经整理完毕。",
]


def _probe(tmp_path: Path, with_identifiers: bool) -> dict:
    rng = random.Random(5)
    rows = []
    for i in range(200):
        text = SENTENCES[i % len(SENTENCES)].format(n=i)
        if with_identifiers:
            text += f" 身份证 {synth.resident_id(rng)}，银行卡 {synth.card(rng)}，电话 {synth.mobile(rng)}"
        rows.append({"id": f"p{i}", "text": text, "source": "member-records"})
    corpus = tmp_path / ("with" if with_identifiers else "without")
    corpus.mkdir()
    (corpus / "p.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    profile = load_profile(overrides={"classifier": {"enabled": False}})
    summary = run_assessment(AssessConfig(corpus=corpus, profile=profile, store_dir=tmp_path / "store"))
    (source,) = summary["sources"]
    return source


@pytest.mark.slow
def test_identifiers_without_a_basis_blacklist_and_the_same_sentences_without_them_pass(tmp_path) -> None:
    exposed = _probe(tmp_path, with_identifiers=True)
    assert exposed["verdict"] == "blacklist"
    assert exposed["top_risks"][0]["risk"] == "A.4.6"
    clean = _probe(tmp_path, with_identifiers=False)
    assert clean["verdict"] == "pass" and clean["violations"] == 0
