"""The worker serialises findings with its own field list; it must stay ``Finding.to_dict``."""

from __future__ import annotations

import orjson

from safecorpus.detect.base import Finding
from safecorpus.pipeline.worker import _dumps


def test_uncopied_to_dict_equals_to_dict_in_keys_order_and_bytes() -> None:
    """The worker serialises ``to_dict(copy=False)``; it must give the same keys, order and bytes."""
    findings = [
        Finding(
            "r1", "pii.email@1", "pii", "pii", 0.9, 3, 9, "email", {"type": "EMAIL", "n": [1, {"a": None}]}
        ),
        Finding("r2", "blocklist.x@2", "blocklist", "blocklist", topic="domain", evidence={"rule": "a.b"}),
        Finding("r3", "lexicon@2", "keyword", "A.1", 1.0, None, None, None, {}),
    ]
    for f in findings:
        shared = f.to_dict(copy=False)
        assert list(shared) == list(f.to_dict())
        assert _dumps(shared) == _dumps(f.to_dict())
        assert orjson.loads(_dumps(shared)) == f.to_dict()
        assert shared["evidence"] is f.evidence
