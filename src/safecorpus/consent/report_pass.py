"""`consent report` over a corpus as a reducer over the corpus pass: each piece's records get their
consent verdicts (PII findings under the ledger as of the report's start), reduced in plan order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from safecorpus.consent.ledger import ConsentLookup
from safecorpus.errors import ConfigError
from safecorpus.io.records import Record
from safecorpus.pipeline.corpus_pass import Item, cached
from safecorpus.sources.pi_basis import SourceBases


@dataclass(frozen=True)
class ConsentSettings:
    """What every worker needs (picklable): the ledger as status bits, the PII threshold, and the
    sources' declared legal bases for PI (the source registry's ``pi_basis``; None: none declared)."""

    lookup: ConsentLookup
    min_score: float = 0.5
    bases: SourceBases | None = None


@dataclass
class ConsentPart:
    """One piece's verdict counts and its (id, subject, verdict) rows in record order."""

    counts: Counter[str] = field(default_factory=Counter)
    rows: list[tuple[str, str | None, str]] = field(default_factory=list)


def pii_detector(min_score: float) -> object:
    """The PII detector the report uses (once per process)."""
    from safecorpus.detect import registry

    def make() -> object:
        detector = registry.build("pii", registry.BuildContext(pii_min_score=min_score))
        if detector is None:
            raise ConfigError("consent report needs the PII detector, which could not be loaded here")
        return detector

    return cached(("consent.pii", min_score), make)


def map_piece(items: Iterator[Item], settings: ConsentSettings) -> ConsentPart:
    from safecorpus.consent.verdict import consent_verdict

    detector = pii_detector(settings.min_score)
    part = ConsentPart()
    for item in items:
        if not isinstance(item, Record):
            continue
        (findings,) = detector.detect([item])  # type: ignore[attr-defined]
        basis = settings.bases.for_record(item.source, item.file) if settings.bases else None
        d = consent_verdict(item.meta, findings, settings.lookup, record_id=item.id, basis=basis)
        part.counts[d.verdict] += 1
        part.rows.append((item.id, d.subject, d.verdict))
    return part
