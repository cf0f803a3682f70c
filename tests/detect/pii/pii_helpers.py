"""Helpers shared by the recognizer tests: every identifier is generated, never a real one."""

from __future__ import annotations

import random

from safecorpus.detect.pii.engine import PiiEngine, PiiSpan
from safecorpus.detect.pii.recognizers import default_recognizers

_ENGINE = PiiEngine(default_recognizers())


def spans(text: str, entity: str | None = None) -> list[PiiSpan]:
    out = _ENGINE.analyze(text)
    return [s for s in out if entity is None or s.entity == entity]


def one(text: str, entity: str) -> PiiSpan:
    found = spans(text, entity)
    assert len(found) == 1, (text, [(s.entity, s.text_in(text)) for s in _ENGINE.analyze(text)])
    return found[0]


def rng() -> random.Random:
    return random.Random(20251128)
