"""The filter policy: what happens to a record, read from the profile's ``[filter]`` table.

Every key has a default here; a profile (or a profile TOML passed to ``--policy``) overrides any of them.
Flagged content is decided by the profile's decision rule (layers, data risks, min_score), with
per-risk score thresholds and actions on top (risk-id prefixes; the longest prefix wins).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from safecorpus.assess.decision import (
    DEFAULT_IDENTIFYING,
    RULES_VERSION,
    DecisionRule,
    PersonalInfoRule,
    prefix_lookup,
)
from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.errors import ConfigError
from safecorpus.taxonomy.profile import Profile

ACTIONS = ("drop", "redact", "keep")
CONSENT_NEEDING = ("pi_needs_consent", "sensitive_needs_separate_consent", "child_needs_guardian_consent")


# Fields filled from the profile's other tables ([decision], [decision.pii], the data-risk groups), never
# from [filter].
DERIVED_FIELDS = frozenset(
    {
        "profile",
        "decision_layers",
        "data_risks",
        "min_score",
        "pii_identifying",
        "pii_address_min_score",
        "pii_sensitive_needs_identifier",
    }
)


@dataclass(frozen=True)
class FilterPolicy:
    profile: str = "gbt45654-2025"
    blacklisted_sources: str = "drop"  # drop | keep
    inconclusive_sources: str = "keep"  # drop | keep
    missing_provenance: str = "keep"  # drop | keep (reported either way)
    blocklist: str = "drop"  # drop | keep
    flagged: str = "drop"  # drop | redact | keep: records flagged by a decision layer
    redaction: str = "tag"  # tag (<A.1.2>) | mask (*)
    pii: str = "redact"  # drop | redact | keep
    pii_min_score: float = 0.5
    # With the consent ledger (filter --consent): `pii` applies to PI lacking a basis, per verdict
    # overridable in consent_actions; PI with a valid basis gets pii_with_basis. A withdrawn subject's
    # records are always dropped.
    pii_with_basis: str = "keep"  # drop | redact | keep
    consent_actions: dict[str, str] = field(default_factory=dict)
    near_duplicate_threshold: float = 0.8
    blocked_near_threshold: float = 0.6
    risk_actions: dict[str, str] = field(default_factory=dict)
    risk_min_score: dict[str, float] = field(default_factory=dict)
    # Which PI is personal information ([decision.pii]): only that is redacted or dropped by `pii`.
    pii_identifying: tuple[str, ...] = DEFAULT_IDENTIFYING
    pii_address_min_score: float = 0.85
    pii_sensitive_needs_identifier: bool = True
    decision_layers: tuple[str, ...] = (Layer.KEYWORD.value, Layer.CLASSIFIER.value)
    data_risks: tuple[str, ...] = ()
    min_score: float = 0.5

    @classmethod
    def from_profile(cls, profile: Profile) -> FilterPolicy:
        rule = DecisionRule.from_profile(profile)
        table = dict(profile.get("filter", {}) or {})
        known = {f for f in cls.__dataclass_fields__} - DERIVED_FIELDS
        unknown = set(table) - known
        if unknown:
            raise ConfigError(f"profile [filter]: unknown key(s) {', '.join(sorted(unknown))}")
        table.pop("risk_min_score", None)  # merged into the decision rule's per-risk minima
        policy = cls(
            profile=profile.name,
            decision_layers=tuple(sorted(rule.layers - {Layer.PII})),
            data_risks=tuple(sorted(rule.risks)),
            min_score=rule.min_score,
            risk_min_score=dict(rule.risk_min_score),
            pii_identifying=tuple(sorted(rule.pii.identifying)),
            pii_address_min_score=rule.pii.address_min_score,
            pii_sensitive_needs_identifier=rule.pii.sensitive_needs_identifier,
            **table,
        )
        policy.check()
        return policy

    def check(self) -> None:
        for key, allowed in (
            ("blacklisted_sources", ("drop", "keep")),
            ("inconclusive_sources", ("drop", "keep")),
            ("missing_provenance", ("drop", "keep")),
            ("blocklist", ("drop", "keep")),
            ("flagged", ACTIONS),
            ("redaction", ("tag", "mask")),
            ("pii", ACTIONS),
            ("pii_with_basis", ACTIONS),
        ):
            if getattr(self, key) not in allowed:
                raise ConfigError(
                    f"profile [filter] {key} = {getattr(self, key)!r}: use {' or '.join(allowed)}"
                )
        for risk, action in self.risk_actions.items():
            if action not in ACTIONS:
                raise ConfigError(
                    f"profile [filter.risk_actions] {risk!r} = {action!r}: use drop, redact or keep"
                )
        for verdict, action in self.consent_actions.items():
            if verdict not in CONSENT_NEEDING:
                raise ConfigError(
                    f"profile [filter.consent_actions] {verdict!r}: use {', '.join(CONSENT_NEEDING)}"
                )
            if action not in ACTIONS:
                raise ConfigError(
                    f"profile [filter.consent_actions] {verdict!r} = {action!r}: use drop, redact or keep"
                )
        for name in ("pii_min_score", "near_duplicate_threshold", "blocked_near_threshold"):
            if not 0.0 <= float(getattr(self, name)) <= 1.0:
                raise ConfigError(f"profile [filter] {name} must be between 0 and 1")

    @property
    def rule(self) -> DecisionRule:
        """The profile's one decision rule, less PI (which `filter` handles by its ``pii`` action)."""
        return DecisionRule(
            frozenset(self.decision_layers),
            frozenset(self.data_risks),
            self.min_score,
            self.risk_min_score,
            PersonalInfoRule(
                frozenset(self.pii_identifying),
                self.pii_address_min_score,
                self.pii_sensitive_needs_identifier,
            ),
        )

    def counts(self, layer: str, risk: str, score: float) -> bool:
        """Whether a finding is a violation of a data risk under this policy (the decision rule's answer)."""
        return self.rule.counts(Finding("", "", layer, risk, score))

    def consent_action(self, verdict: str) -> str:
        """The action for a record's PII under its consent verdict (``consent_withdrawn``: drop)."""
        if verdict == "consent_withdrawn":
            return "drop"
        if verdict == "pi_with_basis":
            return self.pii_with_basis
        if verdict in CONSENT_NEEDING:
            return self.consent_actions.get(verdict, self.pii)
        return "keep"

    def action_for(self, risk: str) -> str:
        action = prefix_lookup(self.risk_actions, risk)
        return self.flagged if action is None else action

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["decision_layers"] = list(self.decision_layers)
        d["data_risks"] = list(self.data_risks)
        d["pii_identifying"] = list(self.pii_identifying)
        d["rules_version"] = RULES_VERSION
        return d

    def fingerprint(self) -> str:
        return hashlib.sha256(orjson.dumps(self.to_dict(), option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
