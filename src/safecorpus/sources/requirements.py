"""What each provenance type must record (TC260-003 5.1, GB/T 45652 6.1/7.1), and the non-conformances.

A missing field is a named non-conformance: the report lists the source, the field and the clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safecorpus.sources.catalog import SourceEntry

MODALITIES = ("text", "image", "audio", "video", "code")
ORIGINS = ("domestic", "foreign")

# (field, clause, why) per provenance type; "*" applies to every type.
REQUIRED: dict[str, tuple[tuple[str, str, str], ...]] = {
    "*": (
        ("languages", "TC260-003 5.1.b", "languages are needed for the diversity check"),
        ("modality", "TC260-003 5.1.b", "modality is needed for the diversity check"),
        ("origin", "TC260-003 5.1.b", "domestic or foreign is needed for the domestic/foreign mix"),
    ),
    "open-source": (
        ("licence", "TC260-003 5.1.c.1", "open-source corpus must be covered by its licence"),
        ("url|dataset", "GB/T 45652 6.1.a", "record the URL or the dataset name"),
    ),
    "self-collected": (
        ("collected_at", "TC260-003 5.1.c.2", "collection records need the collection time"),
        ("collection_method", "TC260-003 5.1.c.2", "collection records need the method"),
        ("robots_snapshot", "TC260-003 5.1.c.2", "keep the robots.txt seen at collection time"),
    ),
    "commercial": (
        ("licence", "TC260-003 5.1.c.3", "commercial corpus needs its licence or contract terms"),
        ("contract", "TC260-003 5.1.c.3", "commercial corpus needs a valid contract id"),
        ("supplier_attestation", "TC260-003 5.1.c.3", "the supplier's source/quality/safety attestation"),
    ),
    "user-input": (
        ("consent", "TC260-003 5.1.c.4", "keep the users' authorisation record reference"),
        ("service", "GB/T 45652 6.1.a.3", "record the service name"),
    ),
    "synthetic": (
        ("generating_model", "GB/T 45652 7.1.b", "record the generating model or service"),
        ("model_version", "GB/T 45652 7.1.b", "record the generating model's version"),
        ("acquired_at", "GB/T 45652 7.1.b", "record the acquisition time"),
    ),
}


@dataclass(frozen=True)
class NonConformance:
    source: str
    provenance_type: str
    field: str
    clause: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "provenance_type": self.provenance_type,
            "field": self.field,
            "clause": self.clause,
            "message": self.message,
        }


def required_fields(provenance_type: str) -> list[str]:
    return [f for f, _, _ in REQUIRED["*"] + REQUIRED.get(provenance_type, ())]


def missing_fields(entry: SourceEntry) -> list[NonConformance]:
    """Every required field ``entry`` lacks, named, with the clause that asks for it."""
    out = []
    for field_spec, clause, why in REQUIRED["*"] + REQUIRED.get(entry.provenance_type, ()):
        alternatives = field_spec.split("|")
        if any(getattr(entry, f, None) for f in alternatives):
            continue
        shown = " or ".join(alternatives)
        out.append(
            NonConformance(
                entry.name,
                entry.provenance_type,
                shown,
                clause,
                f"source {entry.name!r} ({entry.provenance_type}) lacks {shown}: {why}",
            )
        )
    return out


def completeness(entry: SourceEntry) -> tuple[int, int]:
    """(required fields present, required fields) for the per-source table."""
    specs = REQUIRED["*"] + REQUIRED.get(entry.provenance_type, ())
    present = sum(1 for spec, _, _ in specs if any(getattr(entry, f, None) for f in spec.split("|")))
    return present, len(specs)
