"""`safecorpus ip scan`: run the IP detectors over every record, count per source, store the result.

Every finding goes to ``evidence/ip-<scan>/ip_findings.jsonl`` beside the store, in the findings format
(``detect/findings_io``; each line also carries ``flagged`` and ``kinds``); the store keeps per-source
counts of records with each kind of finding. The scan is a reducer over the corpus pass
(``pipeline/corpus_pass``): any executor and worker count give the same file and counts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from safecorpus.detect import findings_io
from safecorpus.detect.base import Detector, Finding, detector_id
from safecorpus.detect.ip import ip_detectors
from safecorpus.detect.ip.opt_out import has_crawl_metadata
from safecorpus.errors import InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import Record
from safecorpus.pipeline.corpus_pass import Item, PassOptions, cached, run_pass
from safecorpus.registry.db import session
from safecorpus.registry.tables import IpScan, IpSourceResult

KINDS = (
    "copyright_notices",
    "reservations",
    "licence_marks",
    "restrictive_marks",
    "creative_works",
    "opt_outs",
)


@dataclass
class _Tally:
    records: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    flagged: int = 0
    marks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    works: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    with_crawl_metadata: int = 0


def _kinds(findings: list[Finding]) -> set[str]:
    out = set()
    for f in findings:
        kind = f.evidence.get("kind")
        if kind == "notice":
            out.add("copyright_notices")
        elif kind == "reservation":
            out.add("reservations")
        elif kind == "licence_mark":
            out.add("licence_marks")
            if f.evidence.get("restrictive"):
                out.add("restrictive_marks")
        elif kind == "creative_work":
            out.add("creative_works")
        elif kind == "opt_out":
            out.add("opt_outs")
    return out


def flags_record(kinds: set[str]) -> bool:
    """A record needs IP clearance when it reserves rights, carries a restrictive mark, opts out, or is a
    literary/artistic/scientific work with a copyright notice."""
    return bool(
        kinds & {"reservations", "restrictive_marks", "opt_outs"}
        or {"creative_works", "copyright_notices"} <= kinds
    )


@dataclass
class _Part:
    """One piece's share: per-source tallies and its findings lines (positions relative to the piece)."""

    records: int = 0
    tallies: dict[str, _Tally] = field(default_factory=dict)
    rows: list[tuple[int, str, str, bool, list[str], list[Finding]]] = field(default_factory=list)


def _detectors() -> list[Detector]:
    return cached("ip.scan", ip_detectors)


def map_piece(items: Iterator[Item], batch_size: int) -> _Part:
    """Scan one piece's records with the IP detectors (built once per process)."""
    detectors = _detectors()
    part = _Part()
    batch: list[Record] = []
    for item in items:
        if isinstance(item, Record):
            batch.append(item)
            if len(batch) >= batch_size:
                _scan_batch(detectors, batch, part)
    if batch:
        _scan_batch(detectors, batch, part)
    return part


def _scan_batch(detectors: list[Detector], batch: list[Record], part: _Part) -> None:
    merged: list[list[Finding]] = [[] for _ in batch]
    for det in detectors:
        for i, found in enumerate(det.detect(batch)):
            merged[i].extend(found)
    for record, findings in zip(batch, merged, strict=True):
        t = part.tallies.get(record.source)
        if t is None:
            t = part.tallies[record.source] = _Tally()
        t.records += 1
        t.with_crawl_metadata += has_crawl_metadata(record.meta)
        kinds = _kinds(findings)
        for k in kinds:
            t.counts[k] += 1
        for f in findings:
            if f.evidence.get("spdx"):
                t.marks[f.evidence["spdx"]] += 1
            if f.evidence.get("work"):
                t.works[f.evidence["work"]] += 1
        flagged = flags_record(kinds)
        t.flagged += flagged
        if findings:
            part.rows.append((part.records, record.id, record.source, flagged, sorted(kinds), findings))
        part.records += 1
    batch.clear()


def _merge(into: _Tally, t: _Tally) -> None:
    into.records += t.records
    into.flagged += t.flagged
    into.with_crawl_metadata += t.with_crawl_metadata
    for k, v in t.counts.items():
        into.counts[k] += v
    for name, v in t.marks.items():
        into.marks[name] += v
    for name, v in t.works.items():
        into.works[name] += v


def scan_corpus(
    corpus: Path | str,
    reader: ReaderOptions,
    store_dir: Path,
    batch_size: int = 512,
    on_progress: Callable[[int], None] | None = None,
    run_on: PassOptions | None = None,
) -> dict[str, Any]:
    """Scan ``corpus`` (a path or an fsspec URL) and return the summary (per-source counts);
    :func:`save_scan` stores it. The findings file and the counts are the same for any ``run_on``."""
    detectors = _detectors()  # built (and checked) before any work
    ids = [detector_id(d) for d in detectors]
    scan_id = uuid.uuid4().hex
    started = dt.datetime.now(dt.UTC)
    folder = store_dir / "evidence" / f"ip-{scan_id}"
    folder.mkdir(parents=True, exist_ok=True)
    evidence = folder / "ip_findings.jsonl"
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    total = 0

    with evidence.open("wb") as out:
        out.write(findings_io.header_line(ids, None, command="ip scan"))

        def reduce(part: _Part) -> None:
            nonlocal total
            for name, t in part.tallies.items():
                _merge(tallies[name], t)
            for n, rid, source, flagged, kinds, findings in part.rows:
                out.write(
                    findings_io.record_line(
                        total + n,
                        rid,
                        source,
                        findings,
                        flagged=flagged,
                        kinds=kinds,
                        findings=[f.to_dict() for f in findings],
                    )
                )
            total += part.records
            if on_progress:
                on_progress(total)

        run_pass(corpus, reader, map_piece, batch_size, reduce, run_on)
    if total == 0:
        raise InputError(f"{corpus}: no readable records to scan; check --text-field and the file formats")
    return {
        "scan_id": scan_id,
        "started_at": started.isoformat(),
        "corpus": str(corpus),
        "detectors": ids,
        "records": total,
        "evidence_file": str(evidence),
        "sources": [
            {
                "name": name,
                "records": t.records,
                **t.counts,
                "flagged": t.flagged,
                "with_crawl_metadata": t.with_crawl_metadata,
                "marks": dict(sorted(t.marks.items())),
                "works": dict(sorted(t.works.items())),
            }
            for name, t in sorted(tallies.items())
        ],
    }


def save_scan(engine: Engine, summary: dict[str, Any]) -> None:
    scan = IpScan(
        id=summary["scan_id"],
        started_at=dt.datetime.fromisoformat(summary["started_at"]),
        corpus=summary["corpus"],
        detectors=summary["detectors"],
        records=summary["records"],
        evidence_file=summary["evidence_file"],
    )
    rows = [
        IpSourceResult(
            scan_id=summary["scan_id"],
            name=s["name"],
            records=s["records"],
            flagged=s["flagged"],
            marks={
                "licences": s["marks"],
                "works": s["works"],
                "with_crawl_metadata": s["with_crawl_metadata"],
            },
            **{k: s[k] for k in KINDS},
        )
        for s in summary["sources"]
    ]
    with session(engine) as s:
        s.add(scan)
        s.flush()
        s.add_all(rows)
        s.commit()


def latest_scan(engine: Engine) -> tuple[IpScan | None, list[IpSourceResult]]:
    with session(engine) as s:
        scan = s.scalars(select(IpScan).order_by(IpScan.started_at.desc()).limit(1)).first()
        if scan is None:
            return None, []
        rows = list(
            s.scalars(
                select(IpSourceResult).where(IpSourceResult.scan_id == scan.id).order_by(IpSourceResult.name)
            )
        )
        return scan, rows
