"""Finding.to_dict is hand-written for speed; it must stay what ``dataclasses.asdict`` gives."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import asdict, dataclass, fields

from safecorpus.detect.base import Finding

Pair = namedtuple("Pair", "a b")


@dataclass
class Inner:
    x: int
    y: list[int]


def _samples() -> list[Finding]:
    return [
        Finding("r1", "lexicon@1", "keyword", "A.1.1"),
        Finding(
            "r2", "pii@2", "pii", "A.4.6", 0.85, 3, 14, "MOBILE", {"type": "MOBILE", "checks": {"len": True}}
        ),
        Finding("r3", "x@1", "manual", "A.2.1", evidence={"terms": ["a", ("b", 1)], "pair": Pair(1, [2])}),
        Finding("r4", "x@1", "manual", "A.2.1", evidence={"inner": Inner(1, [2, 3]), "none": None}),
    ]


def test_to_dict_equals_asdict_in_keys_order_and_values() -> None:
    for f in _samples():
        fast, slow = f.to_dict(), asdict(f)
        assert fast == slow
        assert list(fast) == list(slow) == [fl.name for fl in fields(Finding)]


def test_to_dict_copies_evidence_deeply() -> None:
    f = _samples()[2]
    d = f.to_dict()
    d["evidence"]["terms"].append("c")
    assert f.evidence["terms"] == ["a", ("b", 1)]
