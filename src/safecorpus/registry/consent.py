"""The consent ledger's table and queries: consent records are imported from CSV or JSON into the same
store as assessments and read back as :class:`~safecorpus.consent.records.Consent` values. The verdicts
that use them live in :mod:`safecorpus.consent`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from safecorpus.consent.records import Consent
from safecorpus.registry.db import Base, session


class ConsentRecord(Base):
    """One consent (or other legal basis) of one data subject."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[str] = mapped_column(String(256), index=True)
    legal_basis: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(Text)
    consent_version: Mapped[str | None] = mapped_column(String(64))
    scope: Mapped[list[Any]] = mapped_column(JSON)
    separate_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    guardian_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    evidence_ref: Mapped[str | None] = mapped_column(Text)
    pipia_ref: Mapped[str | None] = mapped_column(Text)
    pipia_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    pipia_retained_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    import_file: Mapped[str | None] = mapped_column(Text)


def _to_consent(r: ConsentRecord) -> Consent:
    def tz(d: dt.datetime | None) -> dt.datetime | None:  # SQLite returns naive datetimes
        return d.replace(tzinfo=dt.UTC) if d is not None and d.tzinfo is None else d

    return Consent(
        subject_id=r.subject_id,
        legal_basis=r.legal_basis,
        purpose=r.purpose,
        consent_version=r.consent_version,
        scope=tuple(r.scope or ()),
        separate_consent=bool(r.separate_consent),
        guardian_consent=bool(r.guardian_consent),
        granted_at=tz(r.granted_at),
        withdrawn_at=tz(r.withdrawn_at),
        evidence_ref=r.evidence_ref,
        pipia_ref=r.pipia_ref,
        pipia_at=tz(r.pipia_at),
        pipia_retained_until=tz(r.pipia_retained_until),
    )


def _utc(d: dt.datetime | None) -> dt.datetime | None:
    return d.astimezone(dt.UTC) if d is not None else None


def import_records(engine: Engine, records: Sequence[Consent], *, source: str | None = None) -> int:
    """Store consent records (appended: the ledger keeps history; the latest grant wins)."""
    now = dt.datetime.now(dt.UTC)
    with session(engine) as s:
        for c in records:
            s.add(
                ConsentRecord(
                    subject_id=c.subject_id,
                    legal_basis=c.legal_basis,
                    purpose=c.purpose,
                    consent_version=c.consent_version,
                    scope=list(c.scope),
                    separate_consent=c.separate_consent,
                    guardian_consent=c.guardian_consent,
                    granted_at=_utc(c.granted_at),
                    withdrawn_at=_utc(c.withdrawn_at),
                    evidence_ref=c.evidence_ref,
                    pipia_ref=c.pipia_ref,
                    pipia_at=_utc(c.pipia_at),
                    pipia_retained_until=_utc(c.pipia_retained_until),
                    imported_at=now,
                    import_file=source,
                )
            )
        s.commit()
    return len(records)


def query(engine: Engine, subject: str) -> list[Consent]:
    with session(engine) as s:
        rows = s.scalars(
            select(ConsentRecord).where(ConsentRecord.subject_id == subject).order_by(ConsentRecord.id)
        ).all()
    return [_to_consent(r) for r in rows]


def has_withdrawals(engine: Engine) -> bool:
    """Whether any stored consent record carries a withdrawal date (a cheap check before loading)."""
    with session(engine) as s:
        return (
            s.scalar(select(ConsentRecord.id).where(ConsentRecord.withdrawn_at.is_not(None)).limit(1))
            is not None
        )


def stored_records(engine: Engine) -> list[Consent]:
    """Every stored consent record, in import order."""
    with session(engine) as s:
        rows = s.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    return [_to_consent(r) for r in rows]
