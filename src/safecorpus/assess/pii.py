"""Personal information in ``assess``: the PII detector with each record's consent verdict applied.

Finding PI is not a violation by itself (DESIGN.md "Violations"): the findings of a record are passed
through :func:`safecorpus.consent.verdict.consent_verdict` with the store's consent ledger, which marks
them ``needs_basis`` for the "needing" and "withdrawn" verdicts (and adds a record-level finding for a
withdrawn subject's record without PI). The decision rule counts only those (A.4.6). A source's declared
legal basis (``pi_basis`` in the source registry) covers the PI within its scope (sources/pi_basis.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from safecorpus.consent.ledger import ConsentLedger, ConsentLookup
from safecorpus.consent.verdict import consent_verdict
from safecorpus.detect.base import Detector, Finding
from safecorpus.detect.layers import Layer
from safecorpus.io.records import Record
from safecorpus.sources.pi_basis import SourceBases


class ConsentPiiDetector:
    """Wraps a PII-layer detector; its findings carry ``needs_basis`` and ``consent_verdict``.

    With an empty ledger every record with PI lacks a recorded basis, so its PI counts as a violation.
    """

    layer = Layer.PII.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def __init__(
        self,
        detector: Detector,
        ledger: ConsentLedger | ConsentLookup | None = None,
        *,
        at: dt.datetime | None = None,
        bases: SourceBases | None = None,
    ) -> None:
        self.detector = detector
        self.ledger = ledger if ledger is not None else ConsentLedger()
        self.at = at
        self.bases = bases if bases else None
        self.name = detector.name
        self.version = detector.version

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        at = self.at or dt.datetime.now(dt.UTC)
        found = self.detector.detect(records)
        bases = self.bases
        return [
            consent_verdict(
                rec.meta,
                fs,
                self.ledger,
                record_id=rec.id,
                at=at,
                basis=bases.for_record(rec.source, rec.file) if bases is not None else None,
            ).findings
            for rec, fs in zip(records, found, strict=True)
        ]

    def describe(self) -> dict[str, Any]:
        return describe_consent(self.ledger)


def describe_consent(ledger: ConsentLedger | ConsentLookup | None) -> dict[str, Any]:
    """What a run's summary says about the ledger it used (None: the empty ledger)."""
    led = ledger if ledger is not None else ConsentLedger()
    if isinstance(led, ConsentLedger):
        return {
            "subject_field": led.subject_field,
            "subjects": len(led.by_subject),
            "records": sum(len(v) for v in led.by_subject.values()),
        }
    return led.describe()
