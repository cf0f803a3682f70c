"""`safecorpus assess`: stream a corpus, sample per source and corpus-wide, detect, estimate, decide.

One pass over the input:
- every record is counted against its source; rejected records are counted with their reason;
- a record whose keyed hash is below the technical-sample fraction is scanned at once by the fast layers;
- each source keeps its bottom-k records by hash (memory: k records per source).
After the pass each source's sample is scanned by the assessment layers, and rates, intervals and
verdicts are computed, written to the store and to evidence files beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from safecorpus import SCHEMA_VERSION
from safecorpus.assess import sampling, sequential, stats
from safecorpus.assess.decision import DecisionRule
from safecorpus.assess.pii import ConsentPiiDetector
from safecorpus.assess.sequential import SequentialDesign
from safecorpus.detect import registry
from safecorpus.detect.base import Detector, Finding, detector_id
from safecorpus.detect.lexicon.coverage import lexicon_coverage
from safecorpus.detect.registry import BuildContext
from safecorpus.errors import ConfigError, InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.io.reader import iter_corpus
from safecorpus.io.records import FileNotice, Record, Rejection
from safecorpus.taxonomy.profile import Profile

if TYPE_CHECKING:
    from safecorpus.registry.consent import ConsentLedger

DEFAULT_SEED = "safecorpus"


@dataclass
class AssessConfig:
    corpus: Path
    profile: Profile
    reader: ReaderOptions = field(default_factory=ReaderOptions)
    seed: str = DEFAULT_SEED
    sample_size: int | None = None  # None: the profile's source.sample_size
    technical_fraction: float | None = None  # None: the profile's technical_sample.fraction
    lexicon: str = "default"
    backend: str = "auto"
    batch_size: int = 1024
    store_dir: Path = Path(".safecorpus")
    # The consent ledger that decides whether PI is a violation (None: an empty ledger, so any PI
    # without a recorded basis counts). Used when the profile's [decision] layers include "pii".
    consent: ConsentLedger | None = None
    pii_in_fast_tier: bool = True  # scan the technical sample for PI too (≥ 5 MB/s)
    # The per-source design: True for the sequential test of [source.sequential], False for the fixed
    # sample, None for the profile's choice ([source.sequential] enabled, off by default).
    sequential: bool | None = None

    @property
    def design(self) -> SequentialDesign | None:
        """The sequential design in use, or None for the fixed-size sample."""
        use = sequential.enabled_in(self.profile) if self.sequential is None else self.sequential
        return sequential.design_from_profile(self.profile) if use else None

    @property
    def per_source_k(self) -> int:
        """Items kept per source: the fixed sample size, or the sequential design's maximum (or a cap)."""
        if self.sample_size:
            return int(self.sample_size)
        design = self.design
        return design.max_items if design else int(self.profile.get("source.sample_size"))

    @property
    def fraction(self) -> float:
        value = self.technical_fraction
        return float(self.profile.get("technical_sample.fraction") if value is None else value)


@dataclass
class Tiers:
    """Detectors per tier: ``fast`` scans the technical sample, ``assessment`` the per-source samples."""

    fast: list[Detector]
    assessment: list[Detector]
    lexicon_coverage: dict[str, Any]


def build_tiers(config: AssessConfig) -> Tiers:
    """The detectors of each tier, from the detector registry (the same ones `filter` runs)."""
    rule = DecisionRule.from_profile(config.profile)
    ctx = BuildContext(
        profile=config.profile,
        lexicon=config.lexicon,
        backend=config.backend,
        consent=config.consent,
        pii_min_score=rule.min_score,
    )
    keyword = registry.build("keyword", ctx)
    assert keyword is not None
    fast: list[Detector] = [keyword]
    assessment: list[Detector] = [keyword]
    if "pii" in rule.layers:
        pii = registry.build("pii.consent", ctx)
        if pii is not None:
            assessment.append(pii)
            if config.pii_in_fast_tier:
                fast.append(pii)
    if "classifier" in rule.layers:
        fast.extend(registry.build_all(["classifier.fast"], ctx))
        assessment.extend(registry.build_all(["classifier.assessment"], ctx))
    if "guard" in rule.layers:
        # a guard model is slow and costs requests: it judges the per-source samples only
        guard = registry.build("guard", ctx)
        if guard is None:
            raise ConfigError(
                "[decision] layers includes 'guard' but [guard] enabled is false; set enabled = true with "
                "an endpoint and a model (docs/guard.md), or remove 'guard' from the layers"
            )
        assessment.append(guard)
    lexicon = keyword.lexicon  # type: ignore[attr-defined]
    return Tiers(fast, assessment, lexicon_coverage(lexicon, config.profile))


@dataclass
class _SourceTally:
    read: int = 0
    rejected: int = 0
    sample: sampling.BottomK[Record] = field(default_factory=lambda: sampling.BottomK(0))


def _slug(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:60] or "source"
    return f"{safe}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def _scan(detectors: Sequence[Detector], records: Sequence[Record]) -> list[list[Finding]]:
    merged: list[list[Finding]] = [[] for _ in records]
    for detector in detectors:
        for i, found in enumerate(detector.detect(records)):
            merged[i].extend(found)
    return merged


class _Evidence:
    """Evidence files beside the store: sampled ids, findings of sampled items, every rejection."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "sources").mkdir(parents=True, exist_ok=True)
        self.findings = (folder / "findings.jsonl").open("wb")
        self.rejections = (folder / "rejected.jsonl").open("wb")
        self.technical = (folder / "technical_sample.ids.tsv").open("w", encoding="utf-8")
        self.technical.write("hash\tid\tviolation\tlayers\n")

    def write_findings(
        self, sample: str, record: Record, findings: list[Finding], counted: list[Finding]
    ) -> None:
        if findings:
            doc = {
                "sample": sample,
                "id": record.id,
                "source": record.source,
                "violation": bool(counted),
                "layers": sorted({f.layer for f in counted}),
                "findings": [f.to_dict() for f in findings],
            }
            self.findings.write(orjson.dumps(doc) + b"\n")

    def write_rejection(self, rej: Rejection) -> None:
        self.rejections.write(
            orjson.dumps(
                {
                    "file": rej.file,
                    "line": rej.line,
                    "reason": rej.reason,
                    "message": rej.message,
                    "source": rej.source,
                }
            )
            + b"\n"
        )

    def source_file(self, name: str) -> tuple[Path, TextIO]:
        path = self.folder / "sources" / f"{_slug(name)}.ids.tsv"
        handle = path.open("w", encoding="utf-8")
        handle.write(f"# source: {name}\nhash\tid\tviolation\trisks\tlayers\n")
        return path, handle

    def close(self) -> None:
        for handle in (self.findings, self.rejections, self.technical):
            handle.close()


def run_assessment(
    config: AssessConfig,
    tiers: Tiers | None = None,
    on_progress: Callable[[int], None] | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Run the whole assessment and return its summary document (what ``--json`` writes)."""
    profile = config.profile
    started = dt.datetime.now(dt.UTC)
    run_id = run_id or uuid.uuid4().hex
    tiers = tiers or build_tiers(config)
    rule = DecisionRule.from_profile(profile)
    design = config.design
    key = sampling.sampling_key(config.seed)
    cut = sampling.fraction_cut(config.fraction)
    k = config.per_source_k
    evidence = _Evidence(config.store_dir / "evidence" / run_id)

    tallies: dict[str, _SourceTally] = defaultdict(lambda: _SourceTally(sample=sampling.BottomK(k)))
    reasons: Counter[str] = Counter()
    notices: list[dict[str, str]] = []
    rejections_shown: list[dict[str, Any]] = []
    seen_hashes: set[int] = set()
    duplicate_ids = 0
    assessed = rejected = 0
    tech_batch: list[tuple[int, Record]] = []
    tech_n = tech_violations = 0
    tech_layers: Counter[str] = Counter()

    def flush_technical() -> None:
        nonlocal tech_n, tech_violations
        records = [r for _, r in tech_batch]
        for (h, record), findings in zip(tech_batch, _scan(tiers.fast, records), strict=True):
            counted = rule.counted(findings)
            violation = bool(counted)
            layers = sorted({f.layer for f in counted})
            tech_n += 1
            tech_violations += violation
            tech_layers.update(layers)
            evidence.technical.write(f"{h:016x}\t{record.id}\t{int(violation)}\t{','.join(layers)}\n")
            evidence.write_findings("technical", record, findings, counted)
        tech_batch.clear()

    try:
        for item in iter_corpus(config.corpus, config.reader):
            if isinstance(item, Record):
                assessed += 1
                tally = tallies[item.source]
                tally.read += 1
                h = sampling.record_hash(item.id, key)
                if h in seen_hashes:
                    duplicate_ids += 1
                seen_hashes.add(h)
                if tally.sample.would_keep(h):
                    tally.sample.offer(h, item.id, item)
                if h < cut:
                    tech_batch.append((h, item))
                    if len(tech_batch) >= config.batch_size:
                        flush_technical()
                if on_progress and assessed % 512 == 0:
                    on_progress(assessed + rejected)
            elif isinstance(item, Rejection):
                rejected += 1
                reasons[item.reason] += 1
                tallies[item.source or "unattributed"].rejected += 1
                evidence.write_rejection(item)
                if len(rejections_shown) < 200:
                    rejections_shown.append(
                        {"file": item.file, "line": item.line, "reason": item.reason, "message": item.message}
                    )
            elif isinstance(item, FileNotice):
                notices.append({"file": item.file, "kind": item.kind, "message": item.message})
        if tech_batch:
            flush_technical()
        if on_progress:
            on_progress(assessed + rejected)

        if assessed == 0:
            raise InputError(
                f"{config.corpus}: nothing could be assessed ({rejected} record(s) rejected"
                + (f": {', '.join(f'{r} {n}' for r, n in reasons.most_common())}" if reasons else "")
                + "); check --text-field and the file formats"
            )
        sources = [
            _assess_source_sequential(name, tally, tiers, rule, design, evidence, config.batch_size)
            if design
            else _assess_source(name, tally, tiers, rule, profile, evidence)
            for name, tally in sorted(tallies.items())
            if tally.read
        ]
    finally:
        evidence.close()

    min_clean = float(profile.get("technical_sample.min_clean_rate"))
    confidence = float(profile.get("source.confidence"))
    clean = stats.estimate(tech_n - tech_violations, tech_n, confidence=confidence)
    verdict, marginal = stats.threshold_verdict(clean, min_clean) if tech_n else ("fails", False)
    finished = dt.datetime.now(dt.UTC)
    summary: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "corpus": str(config.corpus),
        "profile": profile.name,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "duration_s": round((finished - started).total_seconds(), 3),
        "sampling": {
            "design": sampling.DESIGN,
            "seed": config.seed,
            "key_fingerprint": sampling.key_fingerprint(key),
            "per_source_sample_size": k,
            "per_source_design": "sequential" if design else "fixed",
            "sequential": _describe_design(design) if design else None,
            "technical_fraction": config.fraction,
            "confidence": confidence,
        },
        "detectors": {
            "assessment": [detector_id(d) for d in tiers.assessment],
            "fast": [detector_id(d) for d in tiers.fast],
            "decision": rule.describe(),
            # requests, retries, failures, tokens and latency of any judge that calls an endpoint
            "usage": {detector_id(d): d.summary() for d in tiers.assessment if hasattr(d, "summary")},
        },
        "records": {
            "read": assessed + rejected,
            "assessed": assessed,
            "rejected": rejected,
            "rejected_reasons": dict(sorted(reasons.items())),
            "duplicate_ids": duplicate_ids,
        },
        "rejections": rejections_shown,
        "files": notices,
        "max_violation_rate": float(profile.get("source.max_violation_rate")),
        "sources": sources,
        "technical_sample": {
            "fraction": config.fraction,
            "sampled": tech_n,
            "violations": tech_violations,
            "clean_rate": clean.rate,
            "ci_low": clean.ci_low,
            "ci_high": clean.ci_high,
            "min_clean_rate": min_clean,
            "verdict": verdict,
            "marginal": marginal,
            "layers": [detector_id(d) for d in tiers.fast],
            "flagged_by_layer": dict(sorted(tech_layers.items())),
            "sampled_ids_file": str(evidence.folder / "technical_sample.ids.tsv"),
        },
        "lexicon_coverage": tiers.lexicon_coverage,
        "consent": next((d.describe() for d in tiers.assessment if isinstance(d, ConsentPiiDetector)), None),
        "verdicts": dict(Counter(s["verdict"] for s in sources)),
        "evidence_dir": str(evidence.folder),
    }
    return summary


def _assess_source(
    name: str, tally: _SourceTally, tiers: Tiers, rule: DecisionRule, profile: Profile, evidence: _Evidence
) -> dict[str, Any]:
    entries = tally.sample.items()
    records = [record for _, _, record in entries]
    findings_per = _scan(tiers.assessment, records) if records else []
    risk_counts: Counter[str] = Counter()
    layer_counts: Counter[str] = Counter()
    violations = 0
    path, handle = evidence.source_file(name)
    with handle:
        for (h, rid, record), findings in zip(entries, findings_per, strict=True):
            counted = rule.counted(findings)
            violation = bool(counted)
            violations += violation
            risks = sorted({f.risk for f in counted})
            layers = sorted({f.layer for f in counted})
            risk_counts.update(risks)
            layer_counts.update(layers)
            handle.write(f"{h:016x}\t{rid}\t{int(violation)}\t{','.join(risks)}\t{','.join(layers)}\n")
            evidence.write_findings("source", record, findings, counted)
    max_rate = float(profile.get("source.max_violation_rate"))
    confidence = float(profile.get("source.confidence"))
    est = stats.estimate(violations, len(records), population=tally.read, confidence=confidence)
    verdict = stats.source_verdict(est, max_rate)
    needed = None
    if verdict == "inconclusive":
        needed = stats.sample_size_to_settle(est.rate, max_rate, confidence)
    return {
        "name": name,
        "read": tally.read,
        "rejected": tally.rejected,
        "sampled": len(records),
        "violations": violations,
        "rate": est.rate,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "census": est.census,
        "verdict": verdict,
        "needed_sample_size": needed,
        "top_risks": [
            {"risk": r, "count": c} for r, c in sorted(risk_counts.items(), key=lambda x: (-x[1], x[0]))
        ],
        "layers": dict(layer_counts),
        "sampled_ids_file": str(path),
    }


def _describe_design(design: sequential.SequentialDesign) -> dict[str, Any]:
    """The design with its exact error rates at the band edges and the fixed size it is matched to."""
    fixed = sequential.smallest_fixed_design(design.p0, design.p1, design.alpha, design.beta)
    edges = sequential.operating_characteristics(design, [design.p0, design.p1])
    return {
        **design.describe(),
        "error_at_p0": edges[0].error,
        "error_at_p1": edges[1].error,
        "average_items_at_p0": edges[0].average_items,
        "average_items_at_p1": edges[1].average_items,
        "matching_fixed_size": fixed.n,
    }


def _assess_source_sequential(
    name: str,
    tally: _SourceTally,
    tiers: Tiers,
    rule: DecisionRule,
    design: sequential.SequentialDesign,
    evidence: _Evidence,
    batch_size: int,
) -> dict[str, Any]:
    """Judge the source's items in hash-rank order and stop as soon as the sequential design decides.

    Items after the stopping point are neither used nor listed in the evidence: only the items the
    verdict rests on are. A source smaller than the design's maximum that ends undecided is a census.
    """
    entries = tally.sample.items()
    run = sequential.SequentialRun(design, limit=len(entries))
    risk_counts: Counter[str] = Counter()
    layer_counts: Counter[str] = Counter()
    path, handle = evidence.source_file(name)
    step = 16  # small first batches: clear sources stop after a few dozen items
    with handle:
        pos = 0
        while not run.done and pos < len(entries):
            batch = entries[pos : pos + step]
            pos += len(batch)
            step = min(step * 2, max(16, batch_size))
            found = _scan(tiers.assessment, [record for _, _, record in batch])
            for (h, rid, record), findings in zip(batch, found, strict=True):
                if run.done:
                    break
                counted = rule.counted(findings)
                run.add(bool(counted))
                risks = sorted({f.risk for f in counted})
                layers = sorted({f.layer for f in counted})
                risk_counts.update(risks)
                layer_counts.update(layers)
                handle.write(
                    f"{h:016x}\t{rid}\t{int(bool(counted))}\t{','.join(risks)}\t{','.join(layers)}\n"
                )
                evidence.write_findings("source", record, findings, counted)
    result = run.result(census=run.verdict is None and run.n >= tally.read)
    return {
        "name": name,
        "read": tally.read,
        "rejected": tally.rejected,
        "sampled": result.n,
        "violations": result.k,
        "rate": result.rate,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "census": result.stopped_by == "census",
        "verdict": result.verdict,
        "needed_sample_size": design.max_items if result.stopped_by == "cut-short" else None,
        "sequential": {
            "items_used": result.n,
            "items_available": len(entries),
            "stopped_by": result.stopped_by,
            "median_unbiased_rate": result.median_unbiased,
            "interval": "exact under the stopping rule (stage-wise ordering)",
        },
        "top_risks": [
            {"risk": r, "count": c} for r, c in sorted(risk_counts.items(), key=lambda x: (-x[1], x[0]))
        ],
        "layers": dict(layer_counts),
        "sampled_ids_file": str(path),
    }
