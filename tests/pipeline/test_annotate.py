"""The worker serialises findings with its own field list; it must stay ``Finding.to_dict``."""

from __future__ import annotations

import orjson

from safecorpus.detect.base import Finding
from safecorpus.pipeline.worker import _dumps, _fields


def test_fields_equal_to_dict_in_keys_order_and_bytes() -> None:
    findings = [
        Finding(
            "r1", "pii.email@1", "pii", "pii", 0.9, 3, 9, "email", {"type": "EMAIL", "n": [1, {"a": None}]}
        ),
        Finding("r2", "blocklist.x@2", "blocklist", "blocklist", topic="domain", evidence={"rule": "a.b"}),
        Finding("r3", "lexicon@2", "keyword", "A.1", 1.0, None, None, None, {}),
    ]
    for f in findings:
        assert list(_fields(f)) == list(f.to_dict())
        assert _dumps(_fields(f)) == _dumps(f.to_dict())
        assert orjson.loads(_dumps(_fields(f))) == f.to_dict()
