"""Consent records: the legal bases of data subjects (PIPL Arts. 13, 14, 28, 29, 31, 55–56) as plain data,
what a complete record holds, and the CSV/JSON files they are imported from."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safecorpus.errors import InputError

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
PIPIA_MIN_YEARS = 3
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
