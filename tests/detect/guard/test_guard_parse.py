"""Each template's verdict format is read, mapped onto risk ids, and unreadable text is rejected."""

from __future__ import annotations

import pytest

from safecorpus.detect.guard.parse import parse_verdict
from safecorpus.detect.guard.template import TEMPLATES, load_template
from safecorpus.endpoint.client import Unusable
from safecorpus.taxonomy.risks import load_taxonomy

RISK_IDS = set(load_taxonomy().ids)


def test_qwen3guard_unsafe_with_categories_and_refusal():
    v = parse_verdict("Safety: Unsafe\nCategories: Violent, PII\nRefusal: No", load_template("qwen3guard"))
    assert v.verdict == "unsafe" and v.categories == ["Violent", "PII"]
    assert v.risks == ["A.1.6", "A.4.5", "A.4.6"] and v.refusal is False


def test_qwen3guard_safe_and_controversial():
    tpl = load_template("qwen3guard")
    assert parse_verdict("Safety: Safe\nCategories: None", tpl).risks == []
    v = parse_verdict("Safety: Controversial\nCategories: Politically Sensitive Topics", tpl)
    assert v.verdict == "controversial" and v.risks == ["A.1.2"]


@pytest.mark.parametrize("name", ["llamaguard3", "llamaguard4"])
def test_llamaguard_codes(name):
    tpl = load_template(name)
    assert parse_verdict("safe", tpl).verdict == "safe"
    v = parse_verdict("\nunsafe\nS7,S10", tpl)
    assert v.verdict == "unsafe" and v.risks == ["A.4.5", "A.4.6", "A.2.9"]


def test_unknown_category_and_bare_unsafe_still_carry_a_risk():
    assert parse_verdict("unsafe\nS99", load_template("llamaguard3")).risks == ["A.1.8"]
    assert parse_verdict("unsafe", load_template("llamaguard3")).risks == ["A.1.8"]
    assert parse_verdict("Safety: Unsafe\nCategories: Jailbreak", load_template("qwen3guard")).risks == [
        "A.1.8"
    ]


def test_rubric_json_in_a_code_fence():
    tpl = load_template("rubric")
    v = parse_verdict('```json\n{"verdict": "unsafe", "risks": ["A.2.5", "bogus"], "reason": "r"}\n```', tpl)
    assert v.verdict == "unsafe" and v.risks == ["A.2.5", "A.1.8"] and v.reason == "r"
    assert parse_verdict('{"verdict": "safe", "risks": []}', tpl).risks == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("qwen3guard", "The text looks fine to me."),
        ("llamaguard3", "I think it is safe"),
        ("llamaguard4", "unsafe\nviolence and hate"),
        ("rubric", "verdict: safe"),
        ("rubric", '{"verdict": "maybe", "risks": []}'),
        ("rubric", '{"verdict": "unsafe", "risks": "A.1.6"}'),
        ("rubric", "{not json}"),
    ],
)
def test_unreadable_answers_are_rejected_not_taken_as_safe(name, text):
    with pytest.raises(Unusable):
        parse_verdict(text, load_template(name))


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_mapped_risk_is_a_real_risk_id(name):
    tpl = load_template(name)
    for _, risks in tpl.categories.values():
        assert set(risks) <= RISK_IDS


def test_prompt_mode_lists_categories_and_the_conversation():
    risk_names = {r.id: r.en for r in load_taxonomy().risks}
    msgs = load_template("llamaguard3").messages("ANSWER", "QUESTION", risk_names, send="prompt")
    body = msgs[-1]["content"]
    assert "S14: Code Interpreter Abuse." in body and "User: QUESTION" in body and "Agent: ANSWER" in body
    rubric = load_template("rubric").messages("TEXT", None, risk_names)
    assert (
        rubric[0]["role"] == "system" and "A.5.2" in rubric[1]["content"] and "TEXT" in rubric[1]["content"]
    )
    conv = load_template("qwen3guard").messages("ANSWER", "QUESTION", risk_names)
    assert conv == [{"role": "user", "content": "QUESTION"}, {"role": "assistant", "content": "ANSWER"}]
