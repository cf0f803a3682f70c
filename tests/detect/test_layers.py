"""Layer names as an enum: every detector and registry entry uses one, and JSON keeps the plain strings."""

from __future__ import annotations

import orjson

from safecorpus.assess.decision import DecisionRule
from safecorpus.detect import registry
from safecorpus.detect.base import Finding
from safecorpus.detect.ip.copyright_notice import CopyrightNoticeDetector
from safecorpus.detect.layers import DECISION_LAYERS, Layer
from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.taxonomy.schema import LAYERS


def test_values_are_the_documented_names() -> None:
    assert [str(layer) for layer in Layer] == [
        "keyword",
        "classifier",
        "pii",
        "guard",
        "judge",
        "blocklist",
        "ip",
        "manual",
    ]
    assert Layer.PII == "pii" and Layer("keyword") is Layer.KEYWORD
    assert f"{Layer.GUARD}" == "guard"


def test_every_registry_entry_names_a_layer() -> None:
    for entry in registry.entries():
        assert isinstance(entry.layer, Layer), entry.name


def test_detector_classes_declare_a_layer_as_a_plain_string() -> None:
    assert LexiconDetector.layer == Layer.KEYWORD and type(LexiconDetector.layer) is str
    assert CopyrightNoticeDetector.layer == Layer.IP and type(CopyrightNoticeDetector.layer) is str
    # orjson refuses str subclasses as keys: counts keyed by a finding's layer must stay plain strings
    assert orjson.dumps({LexiconDetector.layer: 1}) == b'{"keyword":1}'


def test_profile_schema_accepts_exactly_the_decision_layers() -> None:
    assert LAYERS == ("keyword", "classifier", "pii", "guard", "ip")
    assert set(LAYERS) == set(DECISION_LAYERS)
    assert all(type(name) is str for name in LAYERS)  # error messages print plain names


def test_json_and_decisions_see_plain_strings() -> None:
    finding = Finding("r1", "kw@1", Layer.KEYWORD, "A.1.1", 1.0)
    assert orjson.loads(orjson.dumps({"layer": finding.layer})) == {"layer": "keyword"}
    rule = DecisionRule(frozenset({"keyword"}), frozenset({"A.1.1"}), 0.5)
    assert rule.counts(finding)
    assert rule.violation_layers([finding]) == ["keyword"]
    pii_rule = DecisionRule(frozenset({Layer.PII}), frozenset({"A.1.1"}), 0.5)
    pii = Finding("r1", "pii@1", "pii", "A.1.1", 1.0)
    assert not pii_rule.counts(pii)  # PI alone is not a violation
    assert pii_rule.counts(Finding("r1", "pii@1", "pii", "A.1.1", 1.0, evidence={"needs_basis": True}))
