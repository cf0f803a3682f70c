"""The detector layers: the one list of names a finding's ``layer`` may take.

A :class:`Layer` equals its string (``Layer.PII == "pii"``), so findings, JSON, stored rows and profiles
keep plain strings; code that compares or builds a layer name uses the enum so that a typo fails at
import time instead of silently matching nothing.
"""

from __future__ import annotations

from enum import StrEnum


class Layer(StrEnum):
    KEYWORD = "keyword"
    CLASSIFIER = "classifier"
    PII = "pii"
    GUARD = "guard"
    JUDGE = "judge"  # the model-test refusal judge
    BLOCKLIST = "blocklist"
    IP = "ip"
    MANUAL = "manual"  # a person's label (model test sheets, review)


# Layers a profile's ``[decision] layers`` may name: those whose findings can make a record a violation.
DECISION_LAYERS: tuple[Layer, ...] = (Layer.KEYWORD, Layer.CLASSIFIER, Layer.PII, Layer.GUARD, Layer.IP)
