"""`safecorpus ip scan`: run the IP detectors over every record, count per source, store the result.

Every finding goes to ``evidence/ip-<scan>/ip_findings.jsonl`` beside the store (annotate, then decide);
the store keeps per-source counts of records with each kind of finding.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Engine

from safecorpus.detect.base import Detector, Finding, detector_id
from safecorpus.detect.ip import ip_detectors
from safecorpus.detect.ip.opt_out import has_crawl_metadata
from safecorpus.errors import InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.io.reader import iter_corpus
from safecorpus.io.records import Record
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


def scan_corpus(
    corpus: Path,
    reader: ReaderOptions,
    store_dir: Path,
    detectors: list[Detector] | None = None,
    batch_size: int = 512,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Scan ``corpus`` and return the summary (per-source counts); :func:`save_scan` stores it."""
    detectors = detectors or ip_detectors()
    scan_id = uuid.uuid4().hex
    started = dt.datetime.now(dt.UTC)
    folder = store_dir / "evidence" / f"ip-{scan_id}"
    folder.mkdir(parents=True, exist_ok=True)
    evidence = folder / "ip_findings.jsonl"
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    batch: list[Record] = []
    total = 0

    def flush(out: Any) -> None:
        merged: list[list[Finding]] = [[] for _ in batch]
        for det in detectors:
            for i, found in enumerate(det.detect(batch)):
                merged[i].extend(found)
        for record, findings in zip(batch, merged, strict=True):
            t = tallies[record.source]
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
                doc = {
                    "id": record.id,
                    "source": record.source,
                    "flagged": flagged,
                    "kinds": sorted(kinds),
                    "findings": [f.to_dict() for f in findings],
                }
                out.write(orjson.dumps(doc) + b"\n")
        batch.clear()

    with evidence.open("wb") as out:
        for item in iter_corpus(corpus, reader):
            if isinstance(item, Record):
                batch.append(item)
                total += 1
                if len(batch) >= batch_size:
                    flush(out)
                    if on_progress:
                        on_progress(total)
        if batch:
            flush(out)
    if total == 0:
        raise InputError(f"{corpus}: no readable records to scan; check --text-field and the file formats")
    return {
        "scan_id": scan_id,
        "started_at": started.isoformat(),
        "corpus": str(corpus),
        "detectors": [detector_id(d) for d in detectors],
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
