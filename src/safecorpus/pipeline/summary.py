"""The `filter` run summary, typed: what ``filter --json`` writes.

Code reads the attributes; :meth:`FilterSummary.to_dict` gives the JSON document field for field, in the
order it has always been written. ``run_filter`` returns that document, as it always has;
``filter_corpus`` returns the summary itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FilterRecords:
    """Every record read is kept, removed (with a reason) or rejected; the counts reconcile."""

    read: int
    kept: int
    removed: int
    rejected: int
    removed_reasons: dict[str, int]
    rejected_reasons: dict[str, int]
    redacted: int
    pii_redactions: int
    kept_without_provenance: int
    consent_verdicts: dict[str, int] | None = None  # with the consent ledger only

    @property
    def reasons(self) -> dict[str, int]:
        """Removal and rejection reasons together (removals first)."""
        return {**self.removed_reasons, **self.rejected_reasons}

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "read": self.read,
            "kept": self.kept,
            "removed": self.removed,
            "rejected": self.rejected,
            "removed_reasons": dict(self.removed_reasons),
            "rejected_reasons": dict(self.rejected_reasons),
            "reasons": self.reasons,
            "redacted": self.redacted,
            "pii_redactions": self.pii_redactions,
            "kept_without_provenance": self.kept_without_provenance,
        }
        if self.consent_verdicts is not None:
            doc["consent_verdicts"] = dict(self.consent_verdicts)
        return doc


@dataclass(frozen=True)
class FilterSummary:
    """One filter run (the manifest in OUT holds the full provenance)."""

    schema_version: str
    corpus: str
    out: str
    manifest: str
    profile: str
    policy_fingerprint: str  # of the [filter] settings (the ledger's `policy`)
    policy: dict[str, Any]  # {profile, fingerprint, rules_version, filter_fingerprint}
    records: FilterRecords
    steps: list[dict[str, Any]]
    flagged_risks: dict[str, int]
    detectors: list[str]
    blocklists: list[dict[str, Any]]
    shards: int
    files: int
    notices: list[dict[str, str]]
    executor: str
    workers: int
    started_at: str
    finished_at: str
    duration_s: float
    records_per_s: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "corpus": self.corpus,
            "out": self.out,
            "manifest": self.manifest,
            "profile": self.profile,
            "policy_fingerprint": self.policy_fingerprint,
            "policy": dict(self.policy),
            "records": self.records.to_dict(),
            "steps": self.steps,
            "flagged_risks": dict(self.flagged_risks),
            "detectors": self.detectors,
            "blocklists": self.blocklists,
            "shards": self.shards,
            "files": self.files,
            "notices": self.notices,
            "executor": self.executor,
            "workers": self.workers,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_s": self.duration_s,
            "records_per_s": self.records_per_s,
        }
