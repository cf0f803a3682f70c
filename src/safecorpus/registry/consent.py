"""The consent ledger: legal bases of data subjects (PIPL Arts. 13, 14, 28, 29, 31, 55–56), and the
per-record consent verdict that decides whether personal information in a record is a violation (A.4.6).

Consent records are imported from CSV or JSON (``import_records``) into the same store as assessments.
A corpus record links to its subject through a configurable field of its metadata (``user_id`` …).
:func:`consent_verdict` takes a record's metadata, its PII findings and the ledger, and returns one of
:data:`VERDICTS`; for the "needing" and "withdrawn" verdicts it sets ``evidence["needs_basis"]`` on the
findings (and adds a record-level finding when a withdrawn subject's record has none), so that only those
count as violations in ``assess`` and ``filter``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from safecorpus.detect.base import Finding
from safecorpus.errors import InputError
from safecorpus.registry.db import Base, session

LEGAL_BASES = ("consent", "contract", "public_disclosed", "statutory")
_BASIS_ALIASES = {
    "consent": "consent",
    "同意": "consent",
    "contract": "contract",
    "合同": "contract",
    "public_disclosed": "public_disclosed",
    "publicly_disclosed": "public_disclosed",
    "public_disclosed_reasonable": "public_disclosed",
    "已公开": "public_disclosed",
    "statutory": "statutory",
    "other_statutory": "statutory",
    "legal_duty": "statutory",
    "法定": "statutory",
}
VERDICTS = (
    "no_pi",
    "pi_with_basis",
    "pi_needs_consent",
    "sensitive_needs_separate_consent",
    "child_needs_guardian_consent",
    "consent_withdrawn",
)
VIOLATING = frozenset(VERDICTS[2:])
PIPIA_MIN_YEARS = 3
_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)
CHILD_CATEGORY = "minor_under_14"
DETECTOR = "consent@1"
FIELDS = (
    "subject_id",
    "legal_basis",
    "purpose",
    "consent_version",
    "scope",
    "separate_consent",
    "guardian_consent",
    "granted_at",
    "withdrawn_at",
    "evidence_ref",
    "pipia_ref",
    "pipia_at",
    "pipia_retained_until",
)


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


@dataclass(frozen=True)
class Consent:
    """A consent record as plain data (what the verdict function reads)."""

    subject_id: str
    legal_basis: str
    purpose: str | None = None
    consent_version: str | None = None
    scope: tuple[str, ...] = ("training",)
    separate_consent: bool = False
    guardian_consent: bool = False
    granted_at: dt.datetime | None = None
    withdrawn_at: dt.datetime | None = None
    evidence_ref: str | None = None
    pipia_ref: str | None = None
    pipia_at: dt.datetime | None = None
    pipia_retained_until: dt.datetime | None = None

    def withdrawn(self, at: dt.datetime) -> bool:
        return self.withdrawn_at is not None and self.withdrawn_at <= at

    def covers_training(self) -> bool:
        return any(s in ("training", "train", "训练", "all", "*") for s in self.scope)

    def problems(self) -> list[str]:
        """What is missing or short for a complete record (empty when complete)."""
        out = []
        if self.legal_basis == "consent" and not self.purpose:
            out.append("consent without a purpose")
        if self.legal_basis == "consent" and not self.consent_version:
            out.append("consent without a consent-text version")
        if self.legal_basis == "consent" and not self.evidence_ref:
            out.append("consent without an evidence reference")
        if self.separate_consent and not self.pipia_ref:
            out.append("separate consent for sensitive PI without a PIPIA link")
        start = self.pipia_at or self.granted_at
        if (
            self.pipia_ref
            and self.pipia_retained_until is not None
            and start is not None
            and self.pipia_retained_until < _add_years(start, PIPIA_MIN_YEARS)
        ):
            out.append(f"PIPIA retention ends before {PIPIA_MIN_YEARS} years")
        if self.pipia_ref and self.pipia_retained_until is None:
            out.append("PIPIA retention date missing")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        for k, v in d.items():
            if isinstance(v, dt.datetime):
                d[k] = v.isoformat()
        d["scope"] = list(self.scope)
        d["problems"] = self.problems()
        return d


def _add_years(when: dt.datetime, years: int) -> dt.datetime:
    try:
        return when.replace(year=when.year + years)
    except ValueError:  # 29 February
        return when.replace(year=when.year + years, day=28)


# ------------------------------------------------------------------ parsing
_TRUE = {"1", "true", "yes", "y", "t", "是", "有"}
_FALSE = {"", "0", "false", "no", "n", "f", "否", "无", "none", "null"}


def _bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    s = str(value if value is not None else "").strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise InputError(f"{where}: {value!r} is not yes/no")


def _date(value: Any, where: str) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    s = str(value).strip().replace("Z", "+00:00")
    try:
        d = dt.datetime.fromisoformat(s)
    except ValueError as exc:
        raise InputError(
            f"{where}: {value!r} is not an ISO date (2025-03-01 or 2025-03-01T12:00:00+08:00)"
        ) from exc
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def parse_record(raw: dict[str, Any], where: str) -> Consent:
    """One consent record from a CSV row or JSON object; raises :class:`InputError` with what to fix."""
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise InputError(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}"
        )
    subject = str(raw.get("subject_id") or "").strip()
    if not subject:
        raise InputError(f"{where}: subject_id is empty")
    basis_raw = str(raw.get("legal_basis") or "").strip()
    basis = _BASIS_ALIASES.get(basis_raw.lower())
    if basis is None:
        raise InputError(f"{where}: legal_basis {basis_raw!r} is not one of {', '.join(LEGAL_BASES)}")
    scope_raw = raw.get("scope", "training")
    if isinstance(scope_raw, str):
        scope = tuple(
            s.strip().lower() for s in scope_raw.replace(";", ",").replace("|", ",").split(",") if s.strip()
        )
    else:
        scope = tuple(str(s).strip().lower() for s in scope_raw or ())

    def text(key: str) -> str | None:
        v = raw.get(key)
        return str(v).strip() or None if v is not None else None

    return Consent(
        subject_id=subject,
        legal_basis=basis,
        purpose=text("purpose"),
        consent_version=text("consent_version"),
        scope=scope,
        separate_consent=_bool(raw.get("separate_consent"), f"{where}: separate_consent"),
        guardian_consent=_bool(raw.get("guardian_consent"), f"{where}: guardian_consent"),
        granted_at=_date(raw.get("granted_at"), f"{where}: granted_at"),
        withdrawn_at=_date(raw.get("withdrawn_at"), f"{where}: withdrawn_at"),
        evidence_ref=text("evidence_ref"),
        pipia_ref=text("pipia_ref"),
        pipia_at=_date(raw.get("pipia_at"), f"{where}: pipia_at"),
        pipia_retained_until=_date(raw.get("pipia_retained_until"), f"{where}: pipia_retained_until"),
    )


def read_file(path: str | Path) -> list[Consent]:
    """Consent records from a CSV file (header row with :data:`FIELDS`), a JSON array or JSON lines."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{path}: no such file; give a consent CSV or JSON file")
    text = p.read_text("utf-8-sig")
    rows: list[tuple[str, dict[str, Any]]] = []
    if p.suffix.lower() == ".csv":
        for i, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            rows.append((f"{p.name}:{i}", {k.strip(): v for k, v in row.items() if k}))
    elif p.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        stripped = text.lstrip()
        try:
            if stripped.startswith("["):
                rows = [(f"{p.name}[{i}]", r) for i, r in enumerate(json.loads(text))]
            else:
                rows = [
                    (f"{p.name}:{i}", json.loads(line))
                    for i, line in enumerate(text.splitlines(), start=1)
                    if line.strip()
                ]
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON ({exc})") from exc
    else:
        raise InputError(f"{path}: consent files are .csv, .json or .jsonl")
    return [parse_record(r, where) for where, r in rows]


# ------------------------------------------------------------------ the ledger
class ConsentLedger:
    """Consent records by subject, in memory (from the store with :meth:`load`, or given directly)."""

    def __init__(self, records: Iterable[Consent] = (), *, subject_field: str = "user_id") -> None:
        self.subject_field = subject_field
        self.by_subject: dict[str, list[Consent]] = {}
        for r in records:
            self.by_subject.setdefault(r.subject_id, []).append(r)

    @classmethod
    def load(cls, engine: Engine, *, subject_field: str = "user_id") -> ConsentLedger:
        with session(engine) as s:
            rows = s.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
        return cls((_to_consent(r) for r in rows), subject_field=subject_field)

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


@dataclass
class ConsentDecision:
    verdict: str
    subject: str | None
    findings: list[Finding] = field(default_factory=list)
    consent: Consent | None = None

    @property
    def violates(self) -> bool:
        return self.verdict in VIOLATING


def _valid_basis(c: Consent | None) -> bool:
    if c is None or c.legal_basis not in LEGAL_BASES or not c.covers_training():
        return False
    return c.legal_basis != "consent" or bool(c.purpose)


def verdict_of(code: int, pi: bool, child: bool, sensitive: bool) -> str:
    """The verdict from a subject's status bits and what the record's PII findings hold."""
    if code & WITHDRAWN:
        return "consent_withdrawn"
    if not pi:
        return "no_pi"
    if not code & BASIS:
        if child:
            return "child_needs_guardian_consent"
        return "sensitive_needs_separate_consent" if sensitive else "pi_needs_consent"
    if child and not code & GUARDIAN:
        return "child_needs_guardian_consent"
    if sensitive and not code & SEPARATE:
        return "sensitive_needs_separate_consent"
    return "pi_with_basis"


def consent_verdict(
    meta: dict[str, Any],
    findings: Sequence[Finding],
    ledger: ConsentLedger | ConsentLookup,
    *,
    record_id: str | None = None,
    at: dt.datetime | None = None,
) -> ConsentDecision:
    """The consent verdict of one record, with its PII findings marked ``needs_basis`` where they lack
    a legal basis (only PII-layer findings are touched; others pass through unchanged).

    ``ledger`` is the full ledger or its compact :class:`ConsentLookup` (then ``at`` is the moment the
    lookup was made, and the decision's ``consent`` is ``None``)."""
    at = at or dt.datetime.now(dt.UTC)
    subject = ledger.subject_of(meta)
    consent: Consent | None = None
    if subject is None:
        code = 0
    elif isinstance(ledger, ConsentLedger):
        consent, withdrawn = ledger.current(subject, at)
        code = status_code(consent, withdrawn)
    else:
        code = ledger.status(subject, at)
    pii = [f for f in findings if f.layer == "pii"]
    categories = {f.evidence.get("category") for f in pii} - {None}
    verdict = verdict_of(code, bool(pii), CHILD_CATEGORY in categories, bool(categories - {CHILD_CATEGORY}))
    needs = verdict in VIOLATING
    out: list[Finding] = []
    for f in findings:
        if f.layer != "pii":
            out.append(f)
            continue
        ev = {**f.evidence, "needs_basis": needs, "consent_verdict": verdict}
        out.append(dataclasses.replace(f, evidence=ev))
    if verdict == "consent_withdrawn" and not pii:
        rid = record_id or (findings[0].record_id if findings else "")
        out.append(
            Finding(
                record_id=rid,
                detector=DETECTOR,
                layer="pii",
                risk="A.4.6",
                score=1.0,
                topic="consent_withdrawn",
                evidence={"needs_basis": True, "consent_verdict": verdict, "subject": subject},
            )
        )
    return ConsentDecision(verdict=verdict, subject=subject, findings=out, consent=consent)


# ------------------------------------------------------------------ the store
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
