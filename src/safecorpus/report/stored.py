"""Load every stored result a report rests on, as plain rows, and hash them.

The hash (SHA-256 of the canonical JSON of these rows) is printed in every report, so a later change to
any stored result the report was built from is evident.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from safecorpus.consent.ledger import ledger_summary
from safecorpus.errors import InputError
from safecorpus.registry.db import Run, SourceResult, TechnicalSampleResult, session
from safecorpus.registry.tables import (
    AttachedResult,
    IpScan,
    IpSourceResult,
    ProvenanceAudit,
    RegisteredSource,
)


def row_dict(obj: Any) -> dict[str, Any]:
    out = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        if isinstance(value, dt.datetime):
            value = value.replace(tzinfo=None).isoformat()
        out[attr.key] = value
    return out


def load_stored(engine: Engine, run_id: str | None = None) -> dict[str, Any]:
    """The run (latest, or ``run_id``) with its sources and technical sample, plus the registry, the latest
    IP scan, the latest provenance audit, the latest attached model test and the consent ledger's counts."""
    with session(engine) as s:
        q = select(Run).order_by(Run.started_at.desc())
        run = s.get(Run, run_id) if run_id else s.scalars(q.limit(1)).first()
        if run is None:
            raise InputError(
                f"no stored assessment{' ' + run_id if run_id else ''}; run 'safecorpus assess PATH' first"
            )
        sources = s.scalars(
            select(SourceResult).where(SourceResult.run_id == run.id).order_by(SourceResult.name)
        )
        tech = s.get(TechnicalSampleResult, run.id)
        registry = s.scalars(select(RegisteredSource).order_by(RegisteredSource.name))
        scan = s.scalars(select(IpScan).order_by(IpScan.started_at.desc()).limit(1)).first()
        ip_rows: Iterable[IpSourceResult] = (
            s.scalars(
                select(IpSourceResult).where(IpSourceResult.scan_id == scan.id).order_by(IpSourceResult.name)
            )
            if scan
            else []
        )
        last_audit = s.scalars(
            select(ProvenanceAudit).order_by(ProvenanceAudit.started_at.desc()).limit(1)
        ).first()
        audit: Iterable[ProvenanceAudit] = (
            s.scalars(
                select(ProvenanceAudit)
                .where(ProvenanceAudit.audit_id == last_audit.audit_id)
                .order_by(ProvenanceAudit.provenance_type)
            )
            if last_audit
            else []
        )
        modeltest = s.scalars(
            select(AttachedResult)
            .where(AttachedResult.kind == "modeltest")
            .order_by(AttachedResult.id.desc())
            .limit(1)
        ).first()
        stored = {
            "run": row_dict(run),
            "sources": [row_dict(r) for r in sources],
            "technical_sample": row_dict(tech) if tech else None,
            "registry": [row_dict(r) for r in registry],
            "ip_scan": row_dict(scan) if scan else None,
            "ip_sources": [row_dict(r) for r in ip_rows],
            "audit": [row_dict(r) for r in audit],
            "modeltest": row_dict(modeltest) if modeltest else None,
        }
    ledger = ledger_summary(engine)
    stored["consent_ledger"] = {
        "records": ledger["records"],
        "subjects": ledger["subjects"],
        "by_basis": ledger["by_basis"],
        "withdrawn_subjects": len(ledger["withdrawn_subjects"]),
        "problems": ledger["problems"],
    }
    return stored


def results_hash(stored: dict[str, Any]) -> str:
    return hashlib.sha256(
        orjson.dumps(stored, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    ).hexdigest()


def attach(engine: Engine, kind: str, path: Path, doc: dict[str, Any]) -> str:
    """Store a result document produced elsewhere (e.g. ``modeltest assess --json``); returns its hash."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with session(engine) as s:
        s.add(
            AttachedResult(
                kind=kind, attached_at=dt.datetime.now(dt.UTC), path=str(path), sha256=digest, doc=doc
            )
        )
        s.commit()
    return digest
