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
# 3: personal information counts only where it identifies a person ([decision.pii]): names, place names
#    and sensitive-category words with no identifier in the record are not violations on their own.
RULES_VERSION = 3

# PI types that identify a person on their own (entities of detect/pii/recognizers); a profile may change it.
DEFAULT_IDENTIFYING = (
    "BANK_CARD",
    "CN_LANDLINE",
    "CN_MOBILE",
    "CN_RESIDENT_ID",
    "CREDIT_CARD",
    "EMAIL",
    "HK_ID",
    "HK_MO_TW_PERMIT",
    "IBAN_CODE",
    "PASSPORT",
    "PHONE_NUMBER",
    "QQ_NUMBER",
    "TW_ID",
    "US_SSN",
    "WECHAT_ID",
)
SENSITIVE_PREFIX = "SENSITIVE_"  # the entity of the sensitive-category recognisers (detect/pii/sensitive.py)


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
class PersonalInfoRule:
    """Which personal-information findings are personal information that can need a legal basis.

    An identifier (ID, passport, bank-card and phone numbers, e-mail, …; ``identifying``) and a precise
    address (an address finding scoring at least ``address_min_score``: with a house number) identify a
    person. A sensitive-category finding (health, finance, minors, …) counts only when the record also
    has such an identifier or names its data subject (``subject_known``, set by the consent verdict)
    (``sensitive_needs_identifier``): the word alone is no one's data. A name, a
    place name or a public figure alone is not a violation (PIPL Art. 13, 27). A record-level finding
    without a PI type (a withdrawn subject's record) always counts.
    """

    identifying: frozenset[str] = frozenset(DEFAULT_IDENTIFYING)
    address_min_score: float = 0.85
    sensitive_needs_identifier: bool = True

    @classmethod
    def from_profile(cls, profile: Profile) -> PersonalInfoRule:
        table = profile.get("decision.pii", {}) or {}
        return cls(
            identifying=frozenset(table.get("identifying", DEFAULT_IDENTIFYING)),
            address_min_score=float(table.get("address_min_score", 0.85)),
            sensitive_needs_identifier=bool(table.get("sensitive_needs_identifier", True)),
        )

    @staticmethod
    def pi_type(finding: Finding) -> str | None:
        value = finding.evidence.get("type")
        return None if value is None else str(value)

    def identifies(self, finding: Finding) -> bool:
        kind = self.pi_type(finding)
        if kind == "ADDRESS":
            return finding.score >= self.address_min_score
        return kind in self.identifying

    def personal(self, findings: Iterable[Finding]) -> list[Finding]:
        """The record's PI findings that are personal information under this rule, in input order."""
        pi = [f for f in findings if f.layer == "pii"]
        # an identifier in the text, or a record that names its data subject (the consent ledger's field)
        identified = any(self.identifies(f) or f.evidence.get("subject_known") for f in pi)
        tied = identified or not self.sensitive_needs_identifier
        return [f for f in pi if self._is_personal(f, tied)]

    def _is_personal(self, finding: Finding, tied: bool) -> bool:
        kind = self.pi_type(finding)
        if kind is None or self.identifies(finding):
            return True
        return tied and kind.startswith(SENSITIVE_PREFIX)

    def describe(self) -> dict[str, Any]:
        return {
            "identifying": sorted(self.identifying),
            "address_min_score": self.address_min_score,
            "sensitive_needs_identifier": self.sensitive_needs_identifier,
        }


@dataclass(frozen=True)
class DecisionRule:
    """A record violates the policy when a finding of a decision layer flags a data risk at or above the
    risk's minimum score (``risk_min_score`` by longest risk-id prefix, else ``min_score``).

    Personal-information findings count only when they are personal information under ``pii`` (they
    identify a person; see :class:`PersonalInfoRule`) and say the record lacks a valid legal basis
    (``evidence["needs_basis"]`` is true): finding PI alone is not a violation. A judge of a decision
    layer that could not judge (``evidence["judge_failed"]``) counts: it never passes the content.
    """

    layers: frozenset[str]
    risks: frozenset[str]
    min_score: float
    risk_min_score: Mapping[str, float] = field(default_factory=dict)
    pii: PersonalInfoRule = field(default_factory=PersonalInfoRule)

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
            pii=PersonalInfoRule.from_profile(profile),
        )

    def threshold(self, risk: str) -> float:
        value = prefix_lookup(self.risk_min_score, risk)
        return self.min_score if value is None else float(value)

    def counts(self, finding: Finding) -> bool:
        """Whether one finding counts, judged on its own (a PI finding: as if it identified a person;
        :meth:`counted` applies the record-level PI rule on top)."""
        if finding.layer not in self.layers:
            return False
        if finding.evidence.get("judge_failed"):
            return True  # a judge that could not judge never passes the content (docs/guard.md)
        if finding.risk not in self.risks or finding.score < self.threshold(finding.risk):
            return False
        return finding.layer != Layer.PII or bool(finding.evidence.get("needs_basis"))

    def counted(self, findings: Iterable[Finding]) -> list[Finding]:
        """A record's findings that make it a violation (empty: it is not one)."""
        findings = list(findings)
        candidates = [f for f in findings if self.counts(f)]
        if not any(f.layer == "pii" for f in candidates):
            return candidates
        personal = {id(f) for f in self.pii.personal(findings)}
        return [f for f in candidates if f.layer != "pii" or id(f) in personal]

    def is_violation(self, findings: Iterable[Finding]) -> bool:
        return bool(self.counted(findings))

    def violation_layers(self, findings: Iterable[Finding]) -> list[str]:
        """The layers whose findings make the record a violation (empty: not a violation)."""
        return sorted({f.layer for f in self.counted(findings)})

    def describe(self) -> dict[str, Any]:
        return {
            "rules_version": RULES_VERSION,
            "layers": sorted(self.layers),
            "risks": sorted(self.risks),
            "min_score": self.min_score,
            "risk_min_score": dict(self.risk_min_score),
            "pii": self.pii.describe(),
        }
