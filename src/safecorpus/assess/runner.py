"""`safecorpus assess`: stream a corpus, sample per source and corpus-wide, detect, estimate, decide.

One pass over the input, one task per file (assess/passes.py; in this process, a local pool or Ray):
- every record is counted against its source; rejected records are counted with their reason;
- a record whose keyed hash is below the technical-sample fraction is scanned at once by the fast layers;
- each source keeps its bottom-k records by hash (memory: k records per source and file).
The driver merges the files' parts in plan order. Each source's sample is then scanned by the assessment
layers (spread over the same workers), and rates, intervals and verdicts are computed, written to the
store and to evidence files beside it, in an order that depends on the input and the seed only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from safecorpus import SCHEMA_VERSION
from safecorpus.assess import passes, sampling, sequential, stats
from safecorpus.assess.decision import DecisionRule, policy_stamp
from safecorpus.assess.pii import ConsentPiiDetector, describe_consent
from safecorpus.assess.sequential import SequentialDesign
from safecorpus.assess.summary import (
    Execution,
    RecordCounts,
    RiskCount,
    RunSummary,
    SourceSummary,
    TechnicalSampleSummary,
)
from safecorpus.detect import findings_io, registry
from safecorpus.detect.base import Detector, Finding, detector_id
from safecorpus.detect.layers import Layer
from safecorpus.detect.lexicon.coverage import lexicon_coverage
from safecorpus.detect.registry import BuildContext
from safecorpus.errors import ConfigError, InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import Record
from safecorpus.pipeline.executors import run_tasks, session
from safecorpus.pipeline.run import plan
from safecorpus.sources.pi_basis import SourceBases
from safecorpus.taxonomy.profile import Profile

if TYPE_CHECKING:
    from safecorpus.consent.ledger import ConsentLedger, ConsentLookup

DEFAULT_SEED = "safecorpus"


@dataclass
class AssessConfig:
    corpus: Path | str  # a local path, or an fsspec URL (memory://, s3://, file://)
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
    # Workers get a lookup made at the run's start (picklable); a lookup may be given directly.
    consent: ConsentLedger | ConsentLookup | None = None
    pii_in_fast_tier: bool = True  # scan the technical sample for PI too (≥ 5 MB/s)
    # The sources' declared legal bases for PI (the source registry's pi_basis/pi_scope; None: none
    # declared, the ledger alone decides). Reported per source as ``pi_basis``.
    pi_bases: SourceBases | None = None
    # The per-source design: True for the sequential test of [source.sequential], False for the fixed
    # sample, None for the profile's choice ([source.sequential] enabled, off by default).
    sequential: bool | None = None
    # Where the work runs (results are identical either way): in this process (workers=1), a local pool
    # of worker processes, or Ray (address: auto, host:port, ray://host:10001; none starts a local one).
    executor: str = "local"
    workers: int = 1
    address: str | None = None
    # The fingerprint of the command's Policy, recorded in the summary (None: the profile's own).
    policy_fingerprint: str | None = None

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
        pi_bases=config.pi_bases,
        pii_min_score=rule.min_score,
    )
    keyword = registry.build("keyword", ctx)
    assert keyword is not None
    fast: list[Detector] = [keyword]
    assessment: list[Detector] = [keyword]
    if Layer.PII in rule.layers:
        pii = registry.build("pii.consent", ctx)
        if pii is not None:
            assessment.append(pii)
            if config.pii_in_fast_tier:
                fast.append(pii)
    if Layer.CLASSIFIER in rule.layers:
        fast.extend(registry.build_all(["classifier.fast"], ctx))
        assessment.extend(registry.build_all(["classifier.assessment"], ctx))
    if Layer.GUARD in rule.layers:
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


class _Evidence:
    """Evidence files beside the store: sampled ids, findings of sampled items, every rejection."""

    def __init__(self, folder: Path, header: bytes) -> None:
        self.folder = folder
        (folder / "sources").mkdir(parents=True, exist_ok=True)
        self.findings = (folder / "findings.jsonl").open("wb")
        self.findings.write(header)
        self.rejections = (folder / "rejected.jsonl").open("wb")
        self.technical = (folder / "technical_sample.ids.tsv").open("wb")
        self.technical.write(b"hash\tid\tviolation\tlayers\n")

    def write_findings(
        self, sample: str, n: int, record: Record, findings: list[Finding], counted: list[Finding]
    ) -> None:
        self.findings.write(passes.findings_line(sample, n, record.id, record.source, findings, counted))

    def source_file(self, name: str) -> tuple[Path, TextIO]:
        path = self.folder / "sources" / f"{_slug(name)}.ids.tsv"
        handle = path.open("w", encoding="utf-8")
        handle.write(f"# source: {name}\nhash\tid\tviolation\trisks\tlayers\n")
        return path, handle

    def close(self) -> None:
        for handle in (self.findings, self.rejections, self.technical):
            handle.close()


@dataclass
class _Totals:
    """The driver's reduce of every file's part, in plan order."""

    sources: dict[str, _SourceTally]
    assessed: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    rejections_shown: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, str]] = field(default_factory=list)
    duplicate_ids: int = 0
    tech_n: int = 0
    tech_violations: int = 0
    tech_layers: Counter[str] = field(default_factory=Counter)


class _Reducer:
    """Merges the pieces' parts in plan order as they arrive (a part that comes early waits for the ones
    before it), writing their evidence lines in that order; only merged samples stay in memory."""

    def __init__(self, k: int, evidence: _Evidence, on_progress: Progress | None) -> None:
        self.totals = _Totals(sources=defaultdict(lambda: _SourceTally(sample=sampling.BottomK(k))))
        self.evidence = evidence
        self.on_progress = on_progress
        self.waiting: dict[int, passes.FilePart] = {}
        self.next = 0
        self.hashes: list[np.ndarray] = []

    def add(self, i: int, part: passes.FilePart) -> None:
        self.waiting[i] = part
        while self.next in self.waiting:
            self._merge(self.waiting.pop(self.next))
            self.next += 1
        if self.on_progress:
            done = self.totals.assessed + self.totals.rejected
            early = sum(p.assessed + p.rejected for p in self.waiting.values())
            self.on_progress("records", done + early, None)

    def _merge(self, part: passes.FilePart) -> None:
        totals = self.totals
        for name, src in part.sources.items():
            tally = totals.sources[name]
            tally.read += src.read
            tally.rejected += src.rejected
            tally.sample.merge(src.sample)
        self.hashes.append(part.hashes)
        totals.assessed += part.assessed
        totals.rejected += part.rejected
        totals.reasons.update(part.reasons)
        room = passes.REJECTIONS_SHOWN - len(totals.rejections_shown)
        totals.rejections_shown.extend(part.rejections_shown[: max(room, 0)])
        totals.notices.extend(part.notices)
        tech = part.technical
        for n, rid, source, findings, counted in tech.findings:
            line = passes.findings_line("technical", totals.tech_n + n, rid, source, findings, counted)
            self.evidence.findings.write(line)
        totals.tech_n += tech.n
        totals.tech_violations += tech.violations
        totals.tech_layers.update(tech.layers)
        self.evidence.rejections.write(part.rejections)
        self.evidence.technical.write(tech.ids_tsv)

    def result(self) -> _Totals:
        assert not self.waiting, "a part is missing"
        every = np.concatenate(self.hashes) if self.hashes else np.zeros(0, dtype=np.uint64)
        self.totals.duplicate_ids = int(every.size - np.unique(every).size)
        return self.totals


@dataclass
class _Executor:
    """Where tasks run: in this process, on a local pool kept for both passes, or on Ray."""

    executor: str
    workers: int
    address: str | None
    pool: Any = None

    @property
    def in_process(self) -> bool:
        return self.executor == "local" and self.workers <= 1

    def map(
        self,
        fn: Callable[..., Any],
        calls: Sequence[tuple[Any, ...]],
        on_done: Callable[[int], None] | None = None,
        on_result: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        return run_tasks(
            fn,
            calls,
            executor=self.executor,
            workers=self.workers,
            address=self.address,
            on_done=on_done,
            pool=self.pool,
            on_result=on_result,
        )


_IN_PROCESS = _Executor("local", 1, None)
SAMPLE_CHUNK = 64  # sample items per assessment-tier task
# Local workers are forked on Linux: they inherit the detectors this process has just built (and its
# imports) instead of building their own, ~2.5 CPU-s each. Elsewhere fork is unsafe: spawn.
_START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"
Progress = Callable[[str, int, "int | None"], None]


def _worker_config(config: AssessConfig, at: dt.datetime) -> AssessConfig:
    """The settings every worker gets: picklable (the consent ledger reduced to a lookup at ``at``)."""
    from safecorpus.consent.ledger import ConsentLedger

    consent = config.consent
    if isinstance(consent, ConsentLedger):
        consent = consent.lookup(at)
    return dataclasses.replace(config, consent=consent)


def _read_corpus(
    config: AssessConfig,
    key: str,
    pieces: Sequence[passes.Piece],
    run: _Executor,
    reducer: _Reducer,
) -> _Totals:
    """The map pass over every piece; progress moves per record in-process, per piece elsewhere."""
    if run.in_process:
        for i, piece in enumerate(pieces):
            base = reducer.totals.assessed + reducer.totals.rejected

            def tick(n: int, base: int = base) -> None:
                if reducer.on_progress:
                    reducer.on_progress("records", base + n, None)

            reducer.add(i, passes.map_piece(config, key, piece, tick))
    else:
        run.map(passes.map_piece, [(config, key, p) for p in pieces], on_result=reducer.add)
    return reducer.result()


def run_assessment(
    config: AssessConfig,
    tiers: Tiers | None = None,
    on_progress: Progress | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Run the whole assessment and return its summary document (what ``--json`` writes)."""
    return assess_corpus(config, tiers, on_progress, run_id).to_dict()


def assess_corpus(
    config: AssessConfig,
    tiers: Tiers | None = None,
    on_progress: Progress | None = None,
    run_id: str | None = None,
) -> RunSummary:
    """Run the whole assessment and return its typed summary.

    ``on_progress(unit, done, total)`` is called as the pass moves: ``records`` read (every few hundred
    in-process, per piece read by a worker), then ``sample items`` judged. Detectors given in
    ``tiers`` are used in this process only, so they need ``workers=1`` and the local executor.
    """
    started = dt.datetime.now(dt.UTC)
    run_id = run_id or uuid.uuid4().hex
    work = _worker_config(config, started)
    rule = DecisionRule.from_profile(config.profile)
    if tiers is not None:
        if not (config.executor == "local" and config.workers <= 1):
            raise ConfigError("detectors passed to run_assessment run in-process: use workers=1, local")
        passes.seed_context(run_id, tiers, rule)
    tiers, _ = passes.context_for(work, run_id)  # builds (and checks) the detectors before any work
    tasks = plan(str(config.corpus))
    pieces = passes.pieces(tasks)
    evidence = _Evidence(config.store_dir / "evidence" / run_id, _findings_header(tiers, rule))
    try:
        with session(config.executor, config.workers, config.address, _START_METHOD) as pool:
            run = _Executor(config.executor, config.workers, config.address, pool)
            reducer = _Reducer(config.per_source_k, evidence, on_progress)
            totals = _read_corpus(work, run_id, pieces, run, reducer)
            if totals.assessed == 0:
                reasons = totals.reasons
                raise InputError(
                    f"{config.corpus}: nothing could be assessed ({totals.rejected} record(s) rejected"
                    + (f": {', '.join(f'{r} {n}' for r, n in reasons.most_common())}" if reasons else "")
                    + "); check --text-field and the file formats"
                )
            # a judge that calls an endpoint keeps its rate limit and usage in this process
            if any(hasattr(d, "summary") for d in tiers.assessment):
                run = _IN_PROCESS
            sources = _judge_sources(work, run_id, totals, tiers, rule, evidence, run, on_progress)
    finally:
        evidence.close()
        passes.release_context(run_id)
    return _summary(config, run_id, started, tiers, rule, totals, sources, evidence, len(tasks), len(pieces))


def _findings_header(tiers: Tiers, rule: DecisionRule) -> bytes:
    """The findings file's header: every detector that ran (fast tier on the technical sample,
    assessment tier on the source samples) and the rule the lines were decided by."""
    fast = [detector_id(d) for d in tiers.fast]
    assessment = [detector_id(d) for d in tiers.assessment]
    return findings_io.header_line(
        list(dict.fromkeys(assessment + fast)),
        None,
        command="assess",
        tiers={"assessment": assessment, "fast": fast},
        decision=rule.describe(),
    )


def _judge_sources(
    config: AssessConfig,
    key: str,
    totals: _Totals,
    tiers: Tiers,
    rule: DecisionRule,
    evidence: _Evidence,
    run: _Executor,
    on_progress: Progress | None,
) -> list[SourceSummary]:
    """Scan every source's sample with the assessment tier (spread over the workers), then judge each
    source in name order and write its evidence in hash order."""
    names = [name for name, tally in sorted(totals.sources.items()) if tally.read]
    entries = {name: totals.sources[name].sample.items() for name in names}
    records = {name: [record for _, _, record in entries[name]] for name in names}
    design = config.design
    if design:
        found = _scan_sequential(config, key, names, records, run, on_progress)
        return [
            _assess_source_sequential(
                name, totals.sources[name], entries[name], found[name], rule, design, evidence
            )
            for name in names
        ]
    found = _scan_fixed(config, key, names, records, run, on_progress)
    return [
        _assess_source(name, totals.sources[name], entries[name], found[name], rule, config.profile, evidence)
        for name in names
    ]


def _counter(total: int, on_progress: Progress | None, sizes: Sequence[int]) -> Callable[[int], None]:
    done = [0]

    def on_done(i: int) -> None:
        done[0] += sizes[i]
        if on_progress:
            on_progress("sample items", done[0], total)

    return on_done


def _scan_fixed(
    config: AssessConfig,
    key: str,
    names: list[str],
    records: dict[str, list[Record]],
    run: _Executor,
    on_progress: Progress | None,
) -> dict[str, list[list[Finding]]]:
    """Each source's sample in hash order, cut into chunks of SAMPLE_CHUNK items. The cut depends on
    the samples only, never on the executor or the worker count, so every detector sees the same
    batches whatever runs them (a model's scores may vary in the last bits with batch composition)."""
    chunks = [
        records[name][i : i + SAMPLE_CHUNK]
        for name in names
        for i in range(0, len(records[name]), SAMPLE_CHUNK)
    ]
    flat_n = sum(len(c) for c in chunks)
    calls = [(config, key, chunk) for chunk in chunks]
    on_done = _counter(flat_n, on_progress, [len(c) for c in chunks])
    scanned = [f for part in run.map(passes.scan_sample, calls, on_done) for f in part]
    out: dict[str, list[list[Finding]]] = {}
    at = 0
    for name in names:
        out[name] = scanned[at : at + len(records[name])]
        at += len(records[name])
    return out


def _scan_sequential(
    config: AssessConfig,
    key: str,
    names: list[str],
    records: dict[str, list[Record]],
    run: _Executor,
    on_progress: Progress | None,
) -> dict[str, list[list[Finding]]]:
    """One task per source: each stops as soon as its sequential test decides."""
    calls = [(config, key, records[name]) for name in names]
    sizes = [len(records[name]) for name in names]
    found = run.map(passes.scan_sequential, calls, _counter(sum(sizes), on_progress, sizes))
    return dict(zip(names, found, strict=True))


def _summary(
    config: AssessConfig,
    run_id: str,
    started: dt.datetime,
    tiers: Tiers,
    rule: DecisionRule,
    totals: _Totals,
    sources: list[SourceSummary],
    evidence: _Evidence,
    files: int,
    pieces: int,
) -> RunSummary:
    profile = config.profile
    design = config.design
    key = sampling.sampling_key(config.seed)
    tech_n, tech_violations = totals.tech_n, totals.tech_violations
    min_clean = float(profile.get("technical_sample.min_clean_rate"))
    confidence = float(profile.get("source.confidence"))
    clean = stats.estimate(tech_n - tech_violations, tech_n, confidence=confidence)
    verdict, marginal = stats.threshold_verdict(clean, min_clean) if tech_n else ("fails", False)
    finished = dt.datetime.now(dt.UTC)
    has_pii = any(isinstance(d, ConsentPiiDetector) for d in tiers.assessment)
    return RunSummary(
        schema_version=SCHEMA_VERSION,
        run_id=run_id,
        corpus=str(config.corpus),
        profile=profile.name,
        policy=policy_stamp(profile, config.policy_fingerprint),
        started_at=started.isoformat(),
        finished_at=finished.isoformat(),
        duration_s=round((finished - started).total_seconds(), 3),
        execution=Execution(config.executor, config.workers, files, pieces),
        sampling={
            "design": sampling.DESIGN,
            "seed": config.seed,
            "key_fingerprint": sampling.key_fingerprint(key),
            "per_source_sample_size": config.per_source_k,
            "per_source_design": "sequential" if design else "fixed",
            "sequential": _describe_design(design) if design else None,
            "technical_fraction": config.fraction,
            "confidence": confidence,
        },
        detectors={
            "assessment": [detector_id(d) for d in tiers.assessment],
            "fast": [detector_id(d) for d in tiers.fast],
            "decision": rule.describe(),
            # requests, retries, failures, tokens and latency of any judge that calls an endpoint
            "usage": {detector_id(d): d.summary() for d in tiers.assessment if hasattr(d, "summary")},
        },
        records=RecordCounts(
            assessed=totals.assessed,
            rejected=totals.rejected,
            rejected_reasons=dict(sorted(totals.reasons.items())),
            duplicate_ids=totals.duplicate_ids,
        ),
        rejections=totals.rejections_shown,
        files=totals.notices,
        max_violation_rate=float(profile.get("source.max_violation_rate")),
        sources=[_with_basis(s, config.pi_bases) for s in sources] if has_pii else sources,
        technical_sample=TechnicalSampleSummary(
            fraction=config.fraction,
            sampled=tech_n,
            violations=tech_violations,
            clean_rate=clean.rate,
            ci_low=clean.ci_low,
            ci_high=clean.ci_high,
            min_clean_rate=min_clean,
            verdict=verdict,
            marginal=marginal,
            layers=[detector_id(d) for d in tiers.fast],
            flagged_by_layer=dict(sorted(totals.tech_layers.items())),
            sampled_ids_file=str(evidence.folder / "technical_sample.ids.tsv"),
        ),
        lexicon_coverage=tiers.lexicon_coverage,
        consent=describe_consent(config.consent) if has_pii else None,
        evidence_dir=str(evidence.folder),
    )


def _assess_source(
    name: str,
    tally: _SourceTally,
    entries: list[tuple[int, str, Record]],
    findings_per: list[list[Finding]],
    rule: DecisionRule,
    profile: Profile,
    evidence: _Evidence,
) -> SourceSummary:
    records = [record for _, _, record in entries]
    risk_counts: Counter[str] = Counter()
    layer_counts: Counter[str] = Counter()
    violations = 0
    path, handle = evidence.source_file(name)
    with handle:
        for n, ((h, rid, record), findings) in enumerate(zip(entries, findings_per, strict=True)):
            counted = rule.counted(findings)
            violation = bool(counted)
            violations += violation
            risks = sorted({f.risk for f in counted})
            layers = sorted({f.layer for f in counted})
            risk_counts.update(risks)
            layer_counts.update(layers)
            handle.write(f"{h:016x}\t{rid}\t{int(violation)}\t{','.join(risks)}\t{','.join(layers)}\n")
            evidence.write_findings("source", n, record, findings, counted)
    max_rate = float(profile.get("source.max_violation_rate"))
    confidence = float(profile.get("source.confidence"))
    est = stats.estimate(violations, len(records), population=tally.read, confidence=confidence)
    verdict = stats.source_verdict(est, max_rate)
    needed = None
    if verdict == "inconclusive":
        needed = stats.sample_size_to_settle(est.rate, max_rate, confidence)
    return SourceSummary(
        name=name,
        read=tally.read,
        rejected=tally.rejected,
        sampled=len(records),
        violations=violations,
        rate=est.rate,
        ci_low=est.ci_low,
        ci_high=est.ci_high,
        census=est.census,
        verdict=verdict,
        needed_sample_size=needed,
        top_risks=_top_risks(risk_counts),
        layers=dict(layer_counts),
        sampled_ids_file=str(path),
    )


def _with_basis(source: SourceSummary, bases: SourceBases | None) -> SourceSummary:
    """The source's declared legal basis for PI (``none`` when the registry declares none)."""
    basis = bases.describe(source.name) if bases else {"basis": "none", "scope": []}
    return dataclasses.replace(source, pi_basis=basis)


def _top_risks(counts: Counter[str]) -> list[RiskCount]:
    return [RiskCount(r, c) for r, c in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]


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
    entries: list[tuple[int, str, Record]],
    found: list[list[Finding]],
    rule: DecisionRule,
    design: sequential.SequentialDesign,
    evidence: _Evidence,
) -> SourceSummary:
    """Judge the source's items in hash-rank order and stop as soon as the sequential design decides.

    Items after the stopping point are neither used nor listed in the evidence: only the items the
    verdict rests on are. A source smaller than the design's maximum that ends undecided is a census.
    """
    run = sequential.SequentialRun(design, limit=len(entries))
    risk_counts: Counter[str] = Counter()
    layer_counts: Counter[str] = Counter()
    path, handle = evidence.source_file(name)
    with handle:
        for n, ((h, rid, record), findings) in enumerate(zip(entries, found, strict=False)):
            if run.done:
                break
            counted = rule.counted(findings)
            run.add(bool(counted))
            risks = sorted({f.risk for f in counted})
            layers = sorted({f.layer for f in counted})
            risk_counts.update(risks)
            layer_counts.update(layers)
            handle.write(f"{h:016x}\t{rid}\t{int(bool(counted))}\t{','.join(risks)}\t{','.join(layers)}\n")
            evidence.write_findings("source", n, record, findings, counted)
    result = run.result(census=run.verdict is None and run.n >= tally.read)
    return SourceSummary(
        name=name,
        read=tally.read,
        rejected=tally.rejected,
        sampled=result.n,
        violations=result.k,
        rate=result.rate,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        census=result.stopped_by == "census",
        verdict=result.verdict,
        needed_sample_size=design.max_items if result.stopped_by == "cut-short" else None,
        sequential={
            "items_used": result.n,
            "items_available": len(entries),
            "stopped_by": result.stopped_by,
            "median_unbiased_rate": result.median_unbiased,
            "interval": "exact under the stopping rule (stage-wise ordering)",
        },
        top_risks=_top_risks(risk_counts),
        layers=dict(layer_counts),
        sampled_ids_file=str(path),
    )
