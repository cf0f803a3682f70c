"""Turn findings into a per-record violation (DESIGN.md "Violations"), from the profile's decision set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from safecorpus.detect.base import Finding
from safecorpus.taxonomy.profile import Profile


@dataclass(frozen=True)
class DecisionRule:
    """A record violates the policy when a finding of a decision layer flags a data risk at ≥ min_score.

    Personal-information findings count only when they say the record lacks a valid legal basis
    (``evidence["needs_basis"]`` is true): finding PI alone is not a violation.
    """

    layers: frozenset[str]
    risks: frozenset[str]
    min_score: float

    @classmethod
    def from_profile(cls, profile: Profile) -> DecisionRule:
        return cls(
            layers=frozenset(profile.get("decision.layers", ())),
            risks=frozenset(profile.data_risk_ids),
            min_score=float(profile.get("decision.min_score")),
        )

    def counts(self, finding: Finding) -> bool:
        if finding.layer in self.layers and finding.evidence.get("judge_failed"):
            return True  # a judge that could not judge never passes the content (docs/guard.md)
        if (
            finding.layer not in self.layers
            or finding.risk not in self.risks
            or finding.score < self.min_score
        ):
            return False
        return finding.layer != "pii" or bool(finding.evidence.get("needs_basis"))

    def counted(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if self.counts(f)]

    def is_violation(self, findings: Iterable[Finding]) -> bool:
        return any(self.counts(f) for f in findings)

    def describe(self) -> dict[str, Any]:
        return {"layers": sorted(self.layers), "risks": sorted(self.risks), "min_score": self.min_score}
