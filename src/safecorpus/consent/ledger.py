"""The consent ledger: consent records by subject, each subject's status at one moment, and the compact
lookup that ``filter`` ships to its workers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from safecorpus.consent.records import LEGAL_BASES, Consent
from safecorpus.registry.consent import stored_records

_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)


class ConsentLedger:
    """Consent records by subject, in memory (from the store with :meth:`load`, or given directly)."""

    def __init__(self, records: Iterable[Consent] = (), *, subject_field: str = "user_id") -> None:
        self.subject_field = subject_field
        self.by_subject: dict[str, list[Consent]] = {}
        for r in records:
            self.by_subject.setdefault(r.subject_id, []).append(r)

    @classmethod
    def load(cls, engine: Engine, *, subject_field: str = "user_id") -> ConsentLedger:
        return cls(stored_records(engine), subject_field=subject_field)

    def subject_of(self, meta: dict[str, Any]) -> str | None:
        return _subject_value(meta, self.subject_field)

    def current(self, subject: str, at: dt.datetime) -> tuple[Consent | None, bool]:
        """The subject's latest record granted by ``at``, and whether the subject has withdrawn (a
        withdrawal not followed by a later grant)."""
        recs = [
            (i, r)
            for i, r in enumerate(self.by_subject.get(subject, ()))
            if r.granted_at is None or r.granted_at <= at
        ]
        if not recs:
            return None, False
        # The latest grant; on equal grant dates the later import wins (a withdrawal is imported as the
        # same grant with its withdrawn_at set).
        _, latest = max(recs, key=lambda ir: (ir[1].granted_at or _EPOCH, ir[0]))
        return latest, latest.withdrawn(at)

    def status(self, subject: str, at: dt.datetime) -> int:
        """The subject's status bits at ``at`` (see :func:`status_code`)."""
        return status_code(*self.current(subject, at))

    def lookup(self, at: dt.datetime | None = None) -> ConsentLookup:
        """A compact, picklable copy for workers: the status bits of every subject at ``at`` (subjects
        whose status is 0 — no basis in force, not withdrawn — are left out, as if unknown)."""
        at = at or dt.datetime.now(dt.UTC)
        codes = {}
        for subject in sorted(self.by_subject):
            code = self.status(subject, at)
            if code:
                codes[subject] = code
        return ConsentLookup(self.subject_field, codes)


def _subject_value(meta: dict[str, Any], subject_field: str) -> str | None:
    value: Any = meta
    for part in subject_field.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return None if value is None or value == "" else str(value)


# Status bits of a subject at one moment: all the verdict needs of its consent records.
WITHDRAWN = 1  # the latest grant was withdrawn
BASIS = 2  # a valid basis in force that covers training
SEPARATE = 4  # ... with separate consent for sensitive PI (or a statutory basis)
GUARDIAN = 8  # ... with guardian consent for a child's PI (or a statutory basis)


def status_code(consent: Consent | None, withdrawn: bool) -> int:
    """The status bits of a subject whose record in force is ``consent``."""
    code = WITHDRAWN if withdrawn else 0
    if _valid_basis(consent):
        statutory = consent.legal_basis == "statutory"  # type: ignore[union-attr]
        code |= BASIS
        if consent.separate_consent or statutory:  # type: ignore[union-attr]
            code |= SEPARATE
        if consent.guardian_consent or statutory:  # type: ignore[union-attr]
            code |= GUARDIAN
    return code


@dataclass(frozen=True)
class ConsentLookup:
    """The ledger reduced to subject id → status bits at one moment (:meth:`ConsentLedger.lookup`).

    This is what ``safecorpus filter`` ships to its workers (local processes or Ray tasks): small,
    picklable, and deterministic (subjects sorted), so the run's fingerprint changes exactly when a
    subject's status does. :func:`consent_verdict` accepts it in place of the ledger.
    """

    subject_field: str
    codes: dict[str, int] = field(default_factory=dict)

    def subject_of(self, meta: dict[str, Any]) -> str | None:
        return _subject_value(meta, self.subject_field)

    def status(self, subject: str, at: dt.datetime | None = None) -> int:
        return self.codes.get(subject, 0)

    def describe(self) -> dict[str, Any]:
        digest = hashlib.sha256(json.dumps(self.codes, sort_keys=True).encode()).hexdigest()[:16]
        return {
            "subject_field": self.subject_field,
            "subjects": len(self.codes),
            "withdrawn": sum(1 for c in self.codes.values() if c & WITHDRAWN),
            "with_basis": sum(1 for c in self.codes.values() if c & BASIS and not c & WITHDRAWN),
            "digest": digest,
        }


def _valid_basis(c: Consent | None) -> bool:
    if c is None or c.legal_basis not in LEGAL_BASES or not c.covers_training():
        return False
    return c.legal_basis != "consent" or bool(c.purpose)


def ledger_summary(engine: Engine, at: dt.datetime | None = None) -> dict[str, Any]:
    """Counts of the ledger: records, subjects, by basis, withdrawn subjects, records with problems."""
    at = at or dt.datetime.now(dt.UTC)
    led = ConsentLedger.load(engine)
    records = [r for rs in led.by_subject.values() for r in rs]
    by_basis: dict[str, int] = {}
    for r in records:
        by_basis[r.legal_basis] = by_basis.get(r.legal_basis, 0) + 1
    problems: dict[str, int] = {}
    flagged = []
    for r in records:
        for p in r.problems():
            problems[p] = problems.get(p, 0) + 1
        if any("PIPIA retention" in p for p in r.problems()):
            flagged.append(r.subject_id)
    withdrawn = sorted(s for s in led.by_subject if led.current(s, at)[1])
    return {
        "records": len(records),
        "subjects": len(led.by_subject),
        "by_basis": dict(sorted(by_basis.items())),
        "withdrawn_subjects": withdrawn,
        "problems": dict(sorted(problems.items())),
        "pipia_retention_short": sorted(set(flagged)),
    }
