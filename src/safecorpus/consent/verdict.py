"""The per-record consent verdict that decides whether personal information in a record is a violation
(A.4.6).

A corpus record links to its subject through a configurable field of its metadata (``user_id`` …).
:func:`consent_verdict` takes a record's metadata, its PII findings and the ledger, and returns one of
:data:`VERDICTS`; for the "needing" and "withdrawn" verdicts it sets ``evidence["needs_basis"]`` on the
findings (and adds a record-level finding when a withdrawn subject's record has none), so that only those
count as violations in ``assess`` and ``filter``.

A source may declare a legal basis of its own (``pi_basis`` in the source registry; sources/pi_basis.py):
PI within that basis's scope is ``pi_with_basis`` whatever the ledger holds (its findings carry
``source_basis``), and only the PI outside it is judged against the ledger. A withdrawn subject's record
still counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from safecorpus.consent.ledger import (
    BASIS,
    GUARDIAN,
    SEPARATE,
    WITHDRAWN,
    ConsentLedger,
    ConsentLookup,
    status_code,
)
from safecorpus.consent.records import Consent
from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.sources.pi_basis import SourceBasis

VERDICTS = (
    "no_pi",
    "pi_with_basis",
    "pi_needs_consent",
    "sensitive_needs_separate_consent",
    "child_needs_guardian_consent",
    "consent_withdrawn",
)
VIOLATING = frozenset(VERDICTS[2:])
CHILD_CATEGORY = "minor_under_14"
DETECTOR = "consent@1"


@dataclass
class ConsentDecision:
    verdict: str
    subject: str | None
    findings: list[Finding] = field(default_factory=list)
    consent: Consent | None = None

    @property
    def violates(self) -> bool:
        return self.verdict in VIOLATING


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


def _pi_type(finding: Finding) -> str | None:
    value = finding.evidence.get("type")
    return None if value is None else str(value)


def consent_verdict(
    meta: dict[str, Any],
    findings: Sequence[Finding],
    ledger: ConsentLedger | ConsentLookup,
    *,
    record_id: str | None = None,
    at: dt.datetime | None = None,
    basis: SourceBasis | None = None,
) -> ConsentDecision:
    """The consent verdict of one record, with its PII findings marked ``needs_basis`` where they lack
    a legal basis (only PII-layer findings are touched; others pass through unchanged).

    ``basis`` is the record's source-level basis: PI within its scope needs nothing more (verdict
    ``pi_with_basis``, evidence ``source_basis``); the rest is judged against the ledger.

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
    pii = [f for f in findings if f.layer == Layer.PII]
    covered: set[int] = set()
    if basis is not None and basis.scoped:
        covered = {id(f) for f in pii if basis.covers(_pi_type(f), f.evidence.get("category"))}
    rest = [f for f in pii if id(f) not in covered]
    categories = {f.evidence.get("category") for f in rest} - {None}
    verdict = verdict_of(code, bool(rest), CHILD_CATEGORY in categories, bool(categories - {CHILD_CATEGORY}))
    if verdict == "no_pi" and covered:
        verdict = "pi_with_basis"
    needs = verdict in VIOLATING
    out: list[Finding] = []
    for f in findings:
        if f.layer != "pii":
            out.append(f)
            continue
        within = id(f) in covered
        ev = {
            **f.evidence,
            "needs_basis": needs and (not within or verdict == "consent_withdrawn"),
            "consent_verdict": verdict,
        }
        if within:
            ev["source_basis"] = basis.basis if basis is not None else None
        if subject is not None:  # the record names its data subject: its PI is tied to a person
            ev["subject_known"] = True
        out.append(dataclasses.replace(f, evidence=ev))
    if verdict == "consent_withdrawn" and not pii:
        rid = record_id or (findings[0].record_id if findings else "")
        out.append(
            Finding(
                record_id=rid,
                detector=DETECTOR,
                layer=Layer.PII.value,
                risk="A.4.6",
                score=1.0,
                topic="consent_withdrawn",
                evidence={"needs_basis": True, "consent_verdict": verdict, "subject": subject},
            )
        )
    return ConsentDecision(verdict=verdict, subject=subject, findings=out, consent=consent)
