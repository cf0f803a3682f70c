"""The provenance audit (GB/T 45652 8.2.2): per provenance type, at least 100 records drawn by keyed
hash and checked for provenance metadata, a risk-identification record and an IP record.

- provenance: the record matches a registered source whose required fields are all present, and the
  record's provenance object is complete (URL, dataset + organisation, or service + user id);
- risk record: the record's source has a stored assessment result (`safecorpus assess`);
- IP record: the record's source is in the latest stored IP scan (`safecorpus ip scan`).
Records that match no registered source form the type ``unregistered`` and fail the provenance check.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from safecorpus.assess import sampling, stats
from safecorpus.errors import InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import Record
from safecorpus.ip.scan import latest_scan
from safecorpus.pipeline.corpus_pass import Item, PassOptions, run_pass
from safecorpus.registry.db import session
from safecorpus.registry.results import known_sources
from safecorpus.registry.source_registry import registry_catalog
from safecorpus.registry.tables import ProvenanceAudit
from safecorpus.sources.catalog import SourceCatalog
from safecorpus.sources.requirements import missing_fields

DEFAULT_PER_TYPE = 100


@dataclass(frozen=True)
class _AuditSettings:
    """What every worker needs to type and sample records (picklable)."""

    catalog: SourceCatalog
    url_field: str
    seed: str
    per_type: int


@dataclass
class _AuditPart:
    """One piece's records per provenance type, and each type's bottom-k candidates among them."""

    population: dict[str, int] = field(default_factory=dict)
    samples: dict[str, sampling.BottomK[Record]] = field(default_factory=dict)


def map_piece(items: Iterator[Item], settings: _AuditSettings) -> _AuditPart:
    """Type and offer one piece's records (bottom-k by keyed hash merges in any order)."""
    key = sampling.sampling_key(settings.seed)
    part = _AuditPart()
    for item in items:
        if not isinstance(item, Record):
            continue
        url = _value(item.meta.get(settings.url_field))
        entry = settings.catalog.entry_for(item.source, url, item.file)
        ptype = entry.provenance_type if entry else "unregistered"
        part.population[ptype] = part.population.get(ptype, 0) + 1
        sample = part.samples.get(ptype)
        if sample is None:
            sample = part.samples[ptype] = sampling.BottomK(settings.per_type)
        h = sampling.record_hash(item.id, key)
        if sample.would_keep(h):
            sample.offer(h, item.id, item)
    return part


def run_audit(
    engine: Engine,
    corpus: Path | str,
    reader: ReaderOptions,
    store_dir: Path,
    seed: str = "safecorpus-audit",
    per_type: int = DEFAULT_PER_TYPE,
    run_on: PassOptions | None = None,
) -> dict[str, Any]:
    """Sample every provenance type of ``corpus`` (a path or an fsspec URL) and check the samples; the
    corpus pass is the same on any executor, so the samples and figures are too."""
    catalog = registry_catalog(engine)
    if not catalog.entries:
        raise InputError("the source registry is empty; run 'safecorpus sources import FILE' first")
    assessed = set(known_sources(engine))
    _, ip_rows = latest_scan(engine)
    ip_sources = {r.name for r in ip_rows}
    incomplete = {e.name for e in catalog.entries if missing_fields(e)}
    settings = _AuditSettings(catalog, reader.url_field, seed, per_type)
    samples: dict[str, sampling.BottomK[Record]] = defaultdict(lambda: sampling.BottomK(per_type))
    population: dict[str, int] = defaultdict(int)

    def reduce(part: _AuditPart) -> None:
        for ptype, n in part.population.items():
            population[ptype] += n
            samples[ptype].merge(part.samples[ptype])

    run_pass(corpus, reader, map_piece, settings, reduce, run_on)
    if not population:
        raise InputError(f"{corpus}: no readable records to audit")
    audit_id = uuid.uuid4().hex
    started = dt.datetime.now(dt.UTC)
    folder = store_dir / "evidence" / f"audit-{audit_id}"
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[ProvenanceAudit] = []
    for ptype in sorted(population):
        path = folder / f"{ptype}.ids.tsv"
        counts = {"provenance_ok": 0, "risk_ok": 0, "ip_ok": 0, "passed": 0}
        with path.open("w", encoding="utf-8") as fh:
            fh.write("hash\tid\tsource\tprovenance\trisk_record\tip_record\n")
            for h, rid, record in samples[ptype].items():
                entry = catalog.entry_for(record.source, _url(record, reader), record.file)
                prov = (
                    entry is not None
                    and entry.name not in incomplete
                    and catalog.provenance(record.source, record.meta, record.file, reader.url_field)
                    is not None
                )
                risk = record.source in assessed
                ip = record.source in ip_sources
                for k, ok in (("provenance_ok", prov), ("risk_ok", risk), ("ip_ok", ip)):
                    counts[k] += ok
                counts["passed"] += prov and risk and ip
                fh.write(f"{h:016x}\t{rid}\t{record.source}\t{int(prov)}\t{int(risk)}\t{int(ip)}\n")
        rows.append(
            ProvenanceAudit(
                audit_id=audit_id,
                started_at=started,
                corpus=str(corpus),
                seed=seed,
                provenance_type=ptype,
                population=population[ptype],
                sampled=len(samples[ptype].items()),
                sampled_ids_file=str(path),
                **counts,
            )
        )
    with session(engine) as s:
        s.add_all(rows)
        s.commit()
    return audit_doc(rows, per_type)


def _url(record: Record, reader: ReaderOptions) -> str | None:
    return _value(record.meta.get(reader.url_field))


def _value(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def audit_doc(rows: list[ProvenanceAudit], per_type: int = DEFAULT_PER_TYPE) -> dict[str, Any]:
    types = []
    for r in rows:
        est = stats.estimate(r.passed, r.sampled)
        types.append(
            {
                "provenance_type": r.provenance_type,
                "population": r.population,
                "sampled": r.sampled,
                "provenance_ok": r.provenance_ok,
                "risk_ok": r.risk_ok,
                "ip_ok": r.ip_ok,
                "passed": r.passed,
                "pass_share": est.rate,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "enough_sampled": r.sampled >= per_type or r.sampled == r.population,
                "sampled_ids_file": r.sampled_ids_file,
            }
        )
    first = rows[0] if rows else None
    return {
        "audit_id": first.audit_id if first else None,
        "started_at": (
            first.started_at if isinstance(first.started_at, str) else first.started_at.isoformat()
        )
        if first
        else None,
        "seed": first.seed if first else None,
        "per_type_minimum": per_type,
        "types": types,
    }


def latest_audit(engine: Engine) -> dict[str, Any] | None:
    with session(engine) as s:
        last = s.scalars(select(ProvenanceAudit).order_by(ProvenanceAudit.started_at.desc()).limit(1)).first()
        if last is None:
            return None
        rows = list(
            s.scalars(
                select(ProvenanceAudit)
                .where(ProvenanceAudit.audit_id == last.audit_id)
                .order_by(ProvenanceAudit.provenance_type)
            )
        )
    return audit_doc(rows)
