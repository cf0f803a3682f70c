"""The `assess` run summary, typed: what ``--json`` writes and the store keeps.

Code reads the attributes; :meth:`RunSummary.to_dict` gives the JSON document, field for field and in the
order it has always been written, so scripts reading ``sources[].verdict`` or ``records.read`` see no
change. The summary is also a read-only mapping over that document (``summary["sources"]``), so callers
written against the old dictionary keep working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RiskCount:
    risk: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"risk": self.risk, "count": self.count}


@dataclass(frozen=True)
class SourceSummary:
    """One source's estimate and verdict (``sequential``: the stopping details of a sequential design)."""

    name: str
    read: int
    rejected: int
    sampled: int
    violations: int
    rate: float
    ci_low: float
    ci_high: float
    census: bool
    verdict: str
    needed_sample_size: int | None
    top_risks: list[RiskCount]
    layers: dict[str, int]
    sampled_ids_file: str
    sequential: dict[str, Any] | None = None
    # The source's declared legal basis for personal information ({basis, scope[, registered_source]});
    # None when the run has no PI layer.
    pi_basis: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "name": self.name,
            "read": self.read,
            "rejected": self.rejected,
            "sampled": self.sampled,
            "violations": self.violations,
            "rate": self.rate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "census": self.census,
            "verdict": self.verdict,
            "needed_sample_size": self.needed_sample_size,
        }
        if self.sequential is not None:
            doc["sequential"] = self.sequential
        doc["top_risks"] = [r.to_dict() for r in self.top_risks]
        doc["layers"] = dict(self.layers)
        doc["sampled_ids_file"] = self.sampled_ids_file
        if self.pi_basis is not None:
            doc["pi_basis"] = dict(self.pi_basis)
        return doc


@dataclass(frozen=True)
class TechnicalSampleSummary:
    """The corpus-level technical sample, judged against the profile's minimum clean rate."""

    fraction: float
    sampled: int
    violations: int
    clean_rate: float
    ci_low: float
    ci_high: float
    min_clean_rate: float
    verdict: str
    marginal: bool
    layers: list[str]
    flagged_by_layer: dict[str, int]
    sampled_ids_file: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "fraction": self.fraction,
            "sampled": self.sampled,
            "violations": self.violations,
            "clean_rate": self.clean_rate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "min_clean_rate": self.min_clean_rate,
            "verdict": self.verdict,
            "marginal": self.marginal,
            "layers": list(self.layers),
            "flagged_by_layer": dict(self.flagged_by_layer),
            "sampled_ids_file": self.sampled_ids_file,
        }


@dataclass(frozen=True)
class RecordCounts:
    """Every record read is assessed or rejected (with its reason)."""

    assessed: int
    rejected: int
    rejected_reasons: dict[str, int]
    duplicate_ids: int

    @property
    def read(self) -> int:
        return self.assessed + self.rejected

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "assessed": self.assessed,
            "rejected": self.rejected,
            "rejected_reasons": dict(self.rejected_reasons),
            "duplicate_ids": self.duplicate_ids,
        }


@dataclass(frozen=True)
class Execution:
    executor: str
    workers: int
    files: int
    map_tasks: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "executor": self.executor,
            "workers": self.workers,
            "files": self.files,
            "map_tasks": self.map_tasks,
        }


@dataclass(frozen=True)
class RunSummary:
    """One assessment run. ``store`` is set by the command once the run is stored (the URL it went to)."""

    schema_version: str
    run_id: str
    corpus: str
    profile: str
    policy: dict[str, Any]
    started_at: str
    finished_at: str
    duration_s: float
    execution: Execution
    sampling: dict[str, Any]
    detectors: dict[str, Any]
    records: RecordCounts
    rejections: list[dict[str, Any]]
    files: list[dict[str, str]]
    max_violation_rate: float
    sources: list[SourceSummary]
    technical_sample: TechnicalSampleSummary
    lexicon_coverage: dict[str, Any]
    consent: dict[str, Any] | None
    evidence_dir: str
    store: str | None = field(default=None)

    @property
    def verdicts(self) -> dict[str, int]:
        """How many sources got each verdict, in the order sources are listed."""
        counts: dict[str, int] = {}
        for s in self.sources:
            counts[s.verdict] = counts.get(s.verdict, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schema_version": self.schema_version,
            "run_id": self.run_id,
            "corpus": self.corpus,
            "profile": self.profile,
            "policy": dict(self.policy),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_s": self.duration_s,
            "execution": self.execution.to_dict(),
            "sampling": self.sampling,
            "detectors": self.detectors,
            "records": self.records.to_dict(),
            "rejections": self.rejections,
            "files": self.files,
            "max_violation_rate": self.max_violation_rate,
            "sources": [s.to_dict() for s in self.sources],
            "technical_sample": self.technical_sample.to_dict(),
            "lexicon_coverage": self.lexicon_coverage,
            "consent": self.consent,
            "verdicts": self.verdicts,
            "evidence_dir": self.evidence_dir,
        }
        if self.store is not None:
            doc["store"] = self.store
        return doc
