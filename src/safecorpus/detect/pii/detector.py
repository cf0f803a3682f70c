"""The PII detector (the ``Detector`` protocol) and the ``pii scan`` core."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Any

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.detect.pii.engine import PiiEngine, PiiSpan, cached_database, scan_ids
from safecorpus.detect.pii.recognizers import default_recognizers
from safecorpus.detect.pii.sensitive import sensitive_recognizers
from safecorpus.io.records import Record

# 0.2.0: cn_address@3 (0.85 only for a dwelling or a residence word), en_phone@2, cn_phone@2 (figures)
VERSION = "0.2.0"
SCHEMA_VERSION = "1"
_START_END = attrgetter("start", "end")
_SENSITIVE_BASE = 1 << 20


def _joint_prefilter(engine: PiiEngine, sensitive: PiiEngine | None):
    """One hyperscan database holding both engines' prefilter expressions (None where either engine runs
    without one), so each text is scanned once rather than twice."""
    if sensitive is None or engine.hs_spec is None or sensitive.hs_spec is None:
        return None
    e_exprs, e_ids, e_flags = engine.hs_spec
    s_exprs, s_ids, s_flags = sensitive.hs_spec
    return cached_database(e_exprs + s_exprs, e_ids + [i + _SENSITIVE_BASE for i in s_ids], e_flags + s_flags)


class PiiDetector:
    """Personal information (A.4.6) and sensitive-PI categories (PIPL Art. 28) in record text.

    Identifier spans never overlap one another (the best-validated candidate wins); sensitive-category
    spans are found in a second pass and may overlap them.
    """

    name = "pii"
    version = VERSION
    layer = Layer.PII.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def __init__(
        self, *, min_score: float = 0.0, sensitive: bool = True, accelerate: bool | None = None
    ) -> None:
        self.engine = PiiEngine(default_recognizers(), min_score=min_score, accelerate=accelerate)
        self.sensitive = (
            PiiEngine(sensitive_recognizers(), min_score=min_score, accelerate=accelerate)
            if sensitive
            else None
        )
        self._joint = _joint_prefilter(self.engine, self.sensitive)

    def spans(self, text: str) -> list[PiiSpan]:
        if self._joint is not None and text:
            # One prefilter scan for both engines: sensitive ids are offset by _SENSITIVE_BASE.
            hits = scan_ids(self._joint, text)
            mine = {h for h in hits if h < _SENSITIVE_BASE}
            theirs = {h - _SENSITIVE_BASE for h in hits if h >= _SENSITIVE_BASE}
            out = self.engine.analyze(text, mine)
            assert self.sensitive is not None  # _joint exists only with the sensitive engine
            extra = self.sensitive.analyze(text, theirs)
        else:
            out = self.engine.analyze(text)
            extra = self.sensitive.analyze(text) if self.sensitive is not None else []
        if extra:
            # Both lists are already sorted by (start, end); most texts have no sensitive span, so the
            # merge (a stable sort, as before) runs only when both have some.
            out = sorted(out + extra, key=_START_END) if out else extra
        return out

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        return [[self.to_finding(r.id, s) for s in self.spans(r.text)] for r in records]

    def to_finding(self, record_id: str, span: PiiSpan) -> Finding:
        evidence: dict[str, Any] = {
            "type": span.entity,
            "recognizer": span.recognizer,
            "checks": span.checks,
            "validated": span.validated,
            "category": span.category,
        }
        evidence.update(span.extra)
        return Finding(
            record_id=record_id,
            detector=f"{self.name}.{span.recognizer}",
            layer=self.layer,
            risk="A.4.6",
            score=span.score,
            start=span.start,
            end=span.end,
            topic="sensitive_personal_information" if span.category else "personal_information",
            evidence=evidence,
        )


def span_to_json(span: PiiSpan) -> dict[str, Any]:
    """One finding of ``pii scan`` output."""
    out: dict[str, Any] = {
        "type": span.entity,
        "start": span.start,
        "end": span.end,
        "score": span.score,
        "detector": f"pii.{span.recognizer}",
        "validated": span.validated,
    }
    if span.checks:
        out["checks"] = span.checks
    if span.category:
        out["category"] = span.category
    return out


def finding_to_json(f: Finding) -> dict[str, Any]:
    """One media finding (a face in an image, speech in audio) of ``pii scan`` output: record-level, so
    ``start``/``end`` are null; ``media`` names the file as the record wrote it."""
    ev = f.evidence
    out: dict[str, Any] = {
        "type": ev.get("type"),
        "start": f.start,
        "end": f.end,
        "score": f.score,
        "detector": f.detector,
        "validated": None,
    }
    if ev.get("category"):
        out["category"] = ev["category"]
    for key in ("media", "faces", "boxes", "segments", "voiced_fraction", "model"):
        if key in ev:
            out[key] = ev[key]
    return out


def scan_records(
    records: Iterable[Record],
    detector: PiiDetector | None = None,
    media: Sequence[Any] = (),
    batch_size: int = 64,
) -> Iterator[dict[str, Any]]:
    """One JSON-ready object per record, with or without findings: ``id`` and ``findings``.

    ``media`` are record-level detectors of the files a record points to (``media_faces.FaceDetector``,
    ``media_speech.SpeechDetector``); their findings follow the text findings, and references they could
    not read are listed in the record's ``media_problems``.
    """
    det = detector or PiiDetector()
    if not media:
        for rec in records:
            yield {"id": rec.id, "findings": [span_to_json(s) for s in det.spans(rec.text)]}
        return
    batch: list[Record] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= batch_size:
            yield from _scan_batch(batch, det, media)
            batch = []
    if batch:
        yield from _scan_batch(batch, det, media)


def media_problems(media: Sequence[Any]) -> dict[str, list[dict[str, str]]]:
    """Media the detectors could not read in the batch just scanned, per record id (and forget them)."""
    problems: dict[str, list[dict[str, str]]] = {}
    for m in media:
        for rid, ref, why in getattr(m, "unresolved", ()):
            problems.setdefault(rid, []).append({"media": ref, "problem": why})
        if hasattr(m, "unresolved"):
            m.unresolved.clear()
    return problems


def _scan_batch(batch: list[Record], det: PiiDetector, media: Sequence[Any]) -> Iterator[dict[str, Any]]:
    found = [m.detect(batch) for m in media]
    problems = media_problems(media)
    for i, rec in enumerate(batch):
        findings = [span_to_json(s) for s in det.spans(rec.text)]
        for per_detector in found:
            findings.extend(finding_to_json(f) for f in per_detector[i])
        row: dict[str, Any] = {"id": rec.id, "findings": findings}
        if rec.id in problems:
            row["media_problems"] = problems.pop(rec.id)
        yield row
