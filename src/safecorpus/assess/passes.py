"""The two distributed steps of ``assess``: a map over the input files, and the scan of the samples.

Map (one task per input file, in any worker): read the file, count records and rejections per source,
scan the file's technical-sample records with the fast tier, and keep each source's bottom-k candidates.
The driver merges the parts in plan order (bottom-k by hash is mergeable), so figures, samples and the
order of every evidence line depend on the input and the seed only, never on the executor or the number
of workers. The per-source samples' assessment-tier scan (the dominant cost) is then cut into chunks and
spread the same way. Detectors are built once per worker process and cached under the run's key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from safecorpus.assess import sampling
from safecorpus.assess.decision import DecisionRule
from safecorpus.detect import findings_io
from safecorpus.detect.base import Detector, Finding
from safecorpus.io.records import FileNotice, Record, Rejection
from safecorpus.pipeline.spec import FileTask
from safecorpus.pipeline.storage import local_copy

if TYPE_CHECKING:
    from safecorpus.assess.runner import AssessConfig, Tiers

REJECTIONS_SHOWN = 200  # rejections listed in the summary (all of them are in rejected.jsonl)
SPAN_BYTES = 64 << 20  # a local plain JSON Lines file is read in pieces of this many bytes
PROGRESS_EVERY = 512  # records between progress calls of an in-process map

_CONTEXTS: dict[str, tuple[Tiers, DecisionRule]] = {}


def context_for(config: AssessConfig, key: str) -> tuple[Tiers, DecisionRule]:
    """The run's detectors and decision rule, built once per process (one run cached at a time)."""
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        from safecorpus.assess.runner import build_tiers

        _CONTEXTS.clear()
        ctx = _CONTEXTS[key] = (build_tiers(config), DecisionRule.from_profile(config.profile))
    return ctx


def seed_context(key: str, tiers: Tiers, rule: DecisionRule) -> None:
    """Use detectors the caller built (in-process runs only: other processes build their own)."""
    _CONTEXTS.clear()
    _CONTEXTS[key] = (tiers, rule)


def release_context(key: str) -> None:
    _CONTEXTS.pop(key, None)


def scan(detectors: Sequence[Detector], records: Sequence[Record]) -> list[list[Finding]]:
    """Every detector's findings per record, in detector order."""
    merged: list[list[Finding]] = [[] for _ in records]
    for detector in detectors:
        for i, found in enumerate(detector.detect(records)):
            merged[i].extend(found)
    return merged


def findings_line(
    sample: str, n: int, record_id: str, source: str, findings: list[Finding], counted: list[Finding]
) -> bytes:
    """One line of findings.jsonl in the findings format (empty when the record has no findings): ``n``
    is the record's position in its sample (the technical sample in plan order, a source's sample in
    hash order); ``findings`` repeats ``f`` for readers of the earlier layout."""
    if not findings:
        return b""
    plain = [f.to_dict() for f in findings]
    extra = {"sample": sample, "violation": bool(counted), "layers": sorted({f.layer for f in counted})}
    return findings_io.record_line(n, record_id, source, findings, **extra, findings=plain)


def rejection_line(rej: Rejection) -> bytes:
    doc = {
        "file": rej.file,
        "line": rej.line,
        "reason": rej.reason,
        "message": rej.message,
        "source": rej.source,
    }
    return orjson.dumps(doc) + b"\n"


@dataclass
class SourcePart:
    """One source's share of a file: counts, and its bottom-k candidates among the file's records."""

    read: int = 0
    rejected: int = 0
    sample: sampling.BottomK[Record] = field(default_factory=lambda: sampling.BottomK(0))


@dataclass
class TechnicalPart:
    """The technical-sample records of a file, judged by the fast tier, with their evidence lines."""

    n: int = 0
    violations: int = 0
    layers: Counter[str] = field(default_factory=Counter)
    ids_tsv: bytes = b""
    # (position in the piece's technical records, id, source, findings, counted) of records with findings
    findings: list[tuple[int, str, str, list[Finding], list[Finding]]] = field(default_factory=list)


@dataclass
class FilePart:
    """What the map of one file returns; the driver merges the parts in plan order."""

    sources: dict[str, SourcePart] = field(default_factory=dict)
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    assessed: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    rejections: bytes = b""  # rejected.jsonl lines, in file order
    rejections_shown: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, str]] = field(default_factory=list)
    technical: TechnicalPart = field(default_factory=TechnicalPart)


@dataclass(frozen=True)
class Piece:
    """One map task: a whole file, or a byte range of a large local plain JSON Lines file (the lines
    that begin in it). The cut depends on the file's size only, never on the workers."""

    task: FileTask
    span: tuple[int, int] | None = None


def pieces(tasks: Sequence[FileTask]) -> list[Piece]:
    """The map tasks of a plan, in its order: each file, or each SPAN_BYTES range of a large one."""
    from safecorpus.io.reader import splittable
    from safecorpus.pipeline.storage import is_remote, local_path

    out = []
    for task in tasks:
        size = 0 if is_remote(task.url) or not splittable(task.rel) else local_path(task.url).stat().st_size
        if size <= SPAN_BYTES:
            out.append(Piece(task))
            continue
        out.extend(Piece(task, (s, min(s + SPAN_BYTES, size))) for s in range(0, size, SPAN_BYTES))
    return out


def read_piece(piece: Piece, config: AssessConfig) -> Iterator[Record | Rejection | FileNotice]:
    """The items of one piece, local or behind fsspec (a remote file is copied to a temp file)."""
    from safecorpus.io.reader import iter_file

    task = piece.task
    suffix = "".join(PurePosixPath(task.rel).suffixes[-2:])
    with local_copy(task.url, suffix) as path:
        yield from iter_file(path, task.rel, task.file_source, config.reader, piece.span)


def map_piece(
    config: AssessConfig, key: str, piece: Piece, on_records: Callable[[int], None] | None = None
) -> FilePart:
    """Read one piece and reduce it to a :class:`FilePart` (``on_records``: progress, in-process only)."""
    tiers, rule = context_for(config, key)
    hkey = sampling.sampling_key(config.seed)
    cut = sampling.fraction_cut(config.fraction)
    k = config.per_source_k
    part = FilePart()
    hashes: list[int] = []
    rejections: list[bytes] = []
    tech: list[tuple[int, Record]] = []
    tech_ids: list[bytes] = []
    for item in read_piece(piece, config):
        if isinstance(item, Record):
            part.assessed += 1
            src = part.sources.get(item.source)
            if src is None:
                src = part.sources[item.source] = SourcePart(sample=sampling.BottomK(k))
            src.read += 1
            h = sampling.record_hash(item.id, hkey)
            hashes.append(h)
            if src.sample.would_keep(h):
                src.sample.offer(h, item.id, item)
            if h < cut:
                tech.append((h, item))
                if len(tech) >= config.batch_size:
                    _judge_technical(tech, tiers.fast, rule, part.technical, tech_ids)
            if on_records and part.assessed % PROGRESS_EVERY == 0:
                on_records(part.assessed + part.rejected)
        elif isinstance(item, Rejection):
            _add_rejection(part, item, rejections)
        elif isinstance(item, FileNotice):
            part.notices.append({"file": item.file, "kind": item.kind, "message": item.message})
    if tech:
        _judge_technical(tech, tiers.fast, rule, part.technical, tech_ids)
    part.hashes = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    part.rejections = b"".join(rejections)
    part.technical.ids_tsv = b"".join(tech_ids)
    if on_records:
        on_records(part.assessed + part.rejected)
    return part


def _add_rejection(part: FilePart, rej: Rejection, lines: list[bytes]) -> None:
    part.rejected += 1
    part.reasons[rej.reason] += 1
    name = rej.source or "unattributed"
    src = part.sources.get(name)
    if src is None:
        src = part.sources[name] = SourcePart()
    src.rejected += 1
    lines.append(rejection_line(rej))
    if len(part.rejections_shown) < REJECTIONS_SHOWN:
        part.rejections_shown.append(
            {"file": rej.file, "line": rej.line, "reason": rej.reason, "message": rej.message}
        )


def _judge_technical(
    batch: list[tuple[int, Record]],
    fast: Sequence[Detector],
    rule: DecisionRule,
    tally: TechnicalPart,
    ids: list[bytes],
) -> None:
    records = [r for _, r in batch]
    for (h, record), findings in zip(batch, scan(fast, records), strict=True):
        counted = rule.counted(findings)
        violation = bool(counted)
        layers = sorted({f.layer for f in counted})
        if findings:
            tally.findings.append((tally.n, record.id, record.source, findings, counted))
        tally.n += 1
        tally.violations += violation
        tally.layers.update(layers)
        ids.append(f"{h:016x}\t{record.id}\t{int(violation)}\t{','.join(layers)}\n".encode())
    batch.clear()


def scan_sample(config: AssessConfig, key: str, records: list[Record]) -> list[list[Finding]]:
    """The assessment tier's findings for a chunk of the fixed per-source samples."""
    tiers, _ = context_for(config, key)
    return scan(tiers.assessment, records) if records else []


def scan_sequential(config: AssessConfig, key: str, records: list[Record]) -> list[list[Finding]]:
    """Findings for a source's items in hash-rank order, scanned in growing batches until the sequential
    design decides; the driver replays the same test on them, so it stops at the same item."""
    from safecorpus.assess import sequential

    tiers, rule = context_for(config, key)
    design = config.design
    assert design is not None
    run = sequential.SequentialRun(design, limit=len(records))
    found: list[list[Finding]] = []
    step = 16  # small first batches: clear sources stop after a few dozen items
    while not run.done and len(found) < len(records):
        batch = records[len(found) : len(found) + step]
        step = min(step * 2, max(16, config.batch_size))
        for findings in scan(tiers.assessment, batch):
            found.append(findings)
            if not run.done:
                run.add(bool(rule.counted(findings)))
    return found
