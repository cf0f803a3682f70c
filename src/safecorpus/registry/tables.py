"""ORM models of the source registry, IP scans, provenance audits and attached results (migration 0003)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safecorpus.registry.db import Base


class RegisteredSource(Base):
    """One source in the registry; ``fields`` holds every sources-file field but name and type."""

    __tablename__ = "registered_sources"

    name: Mapped[str] = mapped_column(String(256), primary_key=True)
    provenance_type: Mapped[str] = mapped_column(String(32))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    import_file: Mapped[str | None] = mapped_column(Text)


class IpScan(Base):
    """One `safecorpus ip scan` run."""

    __tablename__ = "ip_scans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    corpus: Mapped[str] = mapped_column(Text)
    detectors: Mapped[list[Any]] = mapped_column(JSON)
    records: Mapped[int] = mapped_column(Integer)
    evidence_file: Mapped[str] = mapped_column(Text)


class IpSourceResult(Base):
    """Per-source counts of one IP scan (records with at least one finding of each kind)."""

    __tablename__ = "ip_source_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("ip_scans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    records: Mapped[int] = mapped_column(Integer)
    copyright_notices: Mapped[int] = mapped_column(Integer)
    reservations: Mapped[int] = mapped_column(Integer)
    licence_marks: Mapped[int] = mapped_column(Integer)
    restrictive_marks: Mapped[int] = mapped_column(Integer)
    creative_works: Mapped[int] = mapped_column(Integer)
    opt_outs: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[int] = mapped_column(Integer)
    marks: Mapped[dict[str, Any]] = mapped_column(JSON)


class ProvenanceAudit(Base):
    """One provenance type's row of a provenance audit (GB/T 45652 8.2.2)."""

    __tablename__ = "provenance_audits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    audit_id: Mapped[str] = mapped_column(String(32), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    corpus: Mapped[str] = mapped_column(Text)
    seed: Mapped[str] = mapped_column(Text)
    provenance_type: Mapped[str] = mapped_column(String(32))
    population: Mapped[int] = mapped_column(Integer)
    sampled: Mapped[int] = mapped_column(Integer)
    provenance_ok: Mapped[int] = mapped_column(Integer)
    risk_ok: Mapped[int] = mapped_column(Integer)
    ip_ok: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
    sampled_ids_file: Mapped[str] = mapped_column(Text)


class AttachedResult(Base):
    """A result document produced elsewhere (``modeltest assess --json``), stored for the report."""

    __tablename__ = "attached_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    attached_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)
