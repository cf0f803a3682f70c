"""The one decision rule: whether a record's findings make it a violation (DESIGN.md "Violations").

Every command that decides uses this rule, built from the profile's ``[decision]`` table: `assess` counts
what it says, `filter` removes or redacts what it says (pipeline/policy.py adds only the *action*),
`report`, `review` and `modeltest` read the verdicts it produced. Change the semantics here, once, and bump
:data:`RULES_VERSION`: every output records it, so stored findings can be re-decided under the new rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.taxonomy.profile import Profile

# Version of the decision semantics below (not of the policy's numbers, which the fingerprint covers).
# 2: per-risk minimum scores ([decision] risk_min_score, formerly only [filter]) apply in `assess` too.
RULES_VERSION = 2


def policy_stamp(profile: Profile, fingerprint: str | None = None) -> dict[str, Any]:
    """The ``policy`` object every output records: which profile, the fingerprint of every setting that
    decided (``Policy.fingerprint``; the profile's own when no project settings are known) and the version
    of the decision rules."""
    return {
        "profile": profile.name,
        "fingerprint": fingerprint or profile.fingerprint(),
        "rules_version": RULES_VERSION,
    }


def prefix_lookup(table: Mapping[str, Any], risk: str) -> Any:
    """The value of the longest risk-id prefix of ``risk`` in ``table`` (``A.1`` covers ``A.1.2``)."""
    best: tuple[str, Any] | None = None
    for prefix, value in table.items():
        if (risk == prefix or risk.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, value)
    return None if best is None else best[1]


@dataclass(frozen=True)
class DecisionRule:
    """A record violates the policy when a finding of a decision layer flags a data risk at or above the
    risk's minimum score (``risk_min_score`` by longest risk-id prefix, else ``min_score``).

    Personal-information findings count only when they say the record lacks a valid legal basis
    (``evidence["needs_basis"]`` is true): finding PI alone is not a violation. A judge of a decision
    layer that could not judge (``evidence["judge_failed"]``) counts: it never passes the content.
    """

    layers: frozenset[str]
    risks: frozenset[str]
    min_score: float
    risk_min_score: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_profile(cls, profile: Profile) -> DecisionRule:
        # [filter] risk_min_score is the older home of the per-risk minima; [decision] wins on a clash.
        per_risk = {
            **(profile.get("filter.risk_min_score", {}) or {}),
            **(profile.get("decision.risk_min_score", {}) or {}),
        }
        return cls(
            layers=frozenset(profile.get("decision.layers", ())),
            risks=frozenset(profile.data_risk_ids),
            min_score=float(profile.get("decision.min_score")),
            risk_min_score={k: float(v) for k, v in sorted(per_risk.items())},
        )

    def threshold(self, risk: str) -> float:
        value = prefix_lookup(self.risk_min_score, risk)
        return self.min_score if value is None else float(value)

    def counts(self, finding: Finding) -> bool:
        if finding.layer not in self.layers:
            return False
        if finding.evidence.get("judge_failed"):
            return True  # a judge that could not judge never passes the content (docs/guard.md)
        if finding.risk not in self.risks or finding.score < self.threshold(finding.risk):
            return False
        return finding.layer != Layer.PII or bool(finding.evidence.get("needs_basis"))

    def counted(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if self.counts(f)]

    def is_violation(self, findings: Iterable[Finding]) -> bool:
        return any(self.counts(f) for f in findings)

    def violation_layers(self, findings: Iterable[Finding]) -> list[str]:
        """The layers whose findings make the record a violation (empty: not a violation)."""
        return sorted({f.layer for f in findings if self.counts(f)})

    def without(self, *layers: str) -> DecisionRule:
        """The same rule with some layers left out (``filter`` handles PI by its own action)."""
        return DecisionRule(self.layers - set(layers), self.risks, self.min_score, self.risk_min_score)

    def describe(self) -> dict[str, Any]:
        return {
            "rules_version": RULES_VERSION,
            "layers": sorted(self.layers),
            "risks": sorted(self.risks),
            "min_score": self.min_score,
            "risk_min_score": dict(self.risk_min_score),
        }
