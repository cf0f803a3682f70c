"""`pii scan` as a reducer over the corpus pass: each piece's records become findings lines.

Every record gets a line (with or without findings), in the findings format (``detect/findings_io``):
``f`` holds the findings as ``Finding.to_dict()``, and ``findings`` keeps the scan's own view of them
(type, offsets, validation) that users of ``pii scan`` read. Detectors are built once per process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safecorpus.detect import findings_io
from safecorpus.detect.base import Finding
from safecorpus.detect.pii.detector import (
    SCHEMA_VERSION,
    PiiDetector,
    finding_to_json,
    media_problems,
    span_to_json,
)
from safecorpus.errors import ConfigError
from safecorpus.io.records import Record, Rejection
from safecorpus.pipeline.corpus_pass import Item, cached

BATCH = 64


@dataclass(frozen=True)
class PiiScanSettings:
    """What every worker needs to build the same detectors (picklable)."""

    min_score: float = 0.0
    sensitive: bool = True
    image_field: str | None = None
    audio_field: str | None = None
    media_root: str | None = None  # relative media paths resolve against it (the corpus folder)


@dataclass
class PiiPart:
    """One piece's lines (``n`` relative to the piece) and counts."""

    records: int = 0
    rejected: int = 0
    with_findings: int = 0
    findings: int = 0
    media_problems: int = 0
    lines: list[tuple[int, str, str, list[Finding], dict[str, Any]]] = field(default_factory=list)


def build(settings: PiiScanSettings) -> tuple[PiiDetector, list[Any]]:
    """The text detector and the media detectors of ``settings`` (once per process)."""
    from safecorpus.detect import registry

    def make() -> tuple[PiiDetector, list[Any]]:
        ctx = registry.BuildContext(pii_min_score=settings.min_score, pii_sensitive=settings.sensitive)
        detector = registry.build("pii", ctx)
        assert isinstance(detector, PiiDetector)
        return detector, _media(settings)

    return cached(("pii.scan", settings), make)


def _media(settings: PiiScanSettings) -> list[Any]:
    media: list[Any] = []
    base = Path(settings.media_root or ".")
    if settings.image_field:
        from safecorpus.detect.pii.media_faces import FaceDetector

        try:
            media.append(FaceDetector(settings.image_field, root=base))
        except RuntimeError as exc:
            raise ConfigError(f"--image-field: {exc}") from exc
    if settings.audio_field:
        from safecorpus.detect.pii.media_speech import SpeechDetector

        media.append(SpeechDetector(settings.audio_field, root=base))
    return media


def map_piece(items: Iterator[Item], settings: PiiScanSettings) -> PiiPart:
    detector, media = build(settings)
    part = PiiPart()
    batch: list[Record] = []
    for item in items:
        if isinstance(item, Record):
            batch.append(item)
            if len(batch) >= BATCH:
                _scan(batch, detector, media, part)
        elif isinstance(item, Rejection):
            part.rejected += 1
    if batch:
        _scan(batch, detector, media, part)
    return part


def _scan(batch: list[Record], det: PiiDetector, media: Sequence[Any], part: PiiPart) -> None:
    found = [m.detect(batch) for m in media]
    problems = media_problems(media)
    for i, rec in enumerate(batch):
        spans = det.spans(rec.text)
        shown = [span_to_json(s) for s in spans]
        findings = [det.to_finding(rec.id, s) for s in spans]
        for per_detector in found:
            shown.extend(finding_to_json(f) for f in per_detector[i])
            findings.extend(per_detector[i])
        extra: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "findings": shown}
        if rec.id in problems:
            extra["media_problems"] = problems.pop(rec.id)
            part.media_problems += len(extra["media_problems"])
        part.lines.append((part.records, rec.id, rec.source, findings, extra))
        part.records += 1
        part.findings += len(shown)
        part.with_findings += bool(shown)
    batch.clear()


def detector_ids(settings: PiiScanSettings) -> list[str]:
    from safecorpus.detect.base import detector_id

    detector, media = build(settings)
    return [detector_id(detector), *(detector_id(m) for m in media)]


def write_part(out: Any, part: PiiPart, base: int) -> None:
    """The part's lines, numbered from ``base`` (the records before it in plan order)."""
    for n, rid, source, findings, extra in part.lines:
        out.write(findings_io.record_line(base + n, rid, source, findings, **extra))
