"""Fill the queues: the per-source samples of an ``assess`` run, the corpus manual sample, model answers.

Texts are read again from the corpus (the store keeps only ids); personal data is located with the PII
detector so the app can mask it until a reviewer reveals it. Every sampled id is accounted for: a
sampled record no longer found in the corpus is counted as missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.assess import sampling
from safecorpus.detect.findings_io import read_findings
from safecorpus.errors import InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import Record
from safecorpus.pipeline.corpus_pass import Item, PassOptions, run_pass
from safecorpus.registry.db import Run
from safecorpus.review.queues import NewItem


def _pii():
    from safecorpus.detect.pii.detector import PiiDetector

    return PiiDetector()


def pii_spans(detector: Any, text: str) -> list[dict[str, Any]]:
    return [{"start": s.start, "end": s.end, "type": s.entity} for s in detector.spans(text)]


def _wanted_records(items: Iterator[Item], wanted: frozenset[tuple[str, str]]) -> list[Record]:
    """Map of ``load-run``: the piece's records whose (source, id) the run sampled, in record order."""
    return [it for it in items if isinstance(it, Record) and (it.source, it.id) in wanted]


def _bottom(items: Iterator[Item], arg: tuple[str, int]) -> sampling.BottomK[Record]:
    """Map of ``load-manual``: the piece's ``size`` records with the smallest keyed hashes."""
    seed, size = arg
    key = sampling.sampling_key(seed)
    bottom: sampling.BottomK[Record] = sampling.BottomK(size)
    for it in items:
        if isinstance(it, Record):
            h = sampling.record_hash(it.id, key)
            if bottom.would_keep(h):
                bottom.offer(h, it.id, it)
    return bottom


def run_items(
    engine: Engine,
    run_id: str | None = None,
    options: ReaderOptions | None = None,
    run_on: PassOptions | None = None,
) -> tuple[list[NewItem], dict[str, int]]:
    """The sampled records of a run (default: the latest) as items of the ``source`` queue; the corpus
    is re-read with the corpus pass (``run_on``: where), and the items are the same for any."""
    with Session(engine) as s:
        query = select(Run).order_by(Run.started_at.desc()).limit(1)
        if run_id:
            query = select(Run).where(Run.id == run_id)
        run = s.scalar(query)
    if run is None:
        raise InputError(f"no assess run {run_id!r} in the store" if run_id else "no assess run in the store")
    wanted: dict[tuple[str, str], list[str]] = {}
    rank: dict[tuple[str, str], int] = {}
    for src in run.summary["sources"]:
        path = Path(src["sampled_ids_file"])
        if not path.exists():
            raise InputError(f"{path}: the run's sample file is gone; re-run assess")
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.startswith("#") or line.startswith("hash\t") or not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) < 5:
                raise InputError(f"{path}:{n}: expected 5 tab-separated columns")
            wanted[(src["name"], cols[1])] = [x for x in cols[4].split(",") if x]
            try:
                rank[(src["name"], cols[1])] = int(cols[0], 16)
            except ValueError:
                raise InputError(f"{path}:{n}: the first column is not a hexadecimal hash") from None
    findings: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    fpath = Path(run.evidence_dir) / "findings.jsonl"
    if fpath.exists():
        for row in read_findings(fpath):
            if row.extra.get("sample") == "source":
                findings[(row.source or "", row.id)].extend(f.to_dict() for f in row.findings)
    detector = _pii()
    items = []
    found: list[Record] = []
    keys = frozenset(wanted)
    run_pass(run.corpus, options or ReaderOptions(), _wanted_records, keys, found.extend, run_on)
    for rec in found:
        key = (rec.source, rec.id)
        if key in wanted:
            items.append(
                NewItem(
                    queue="source",
                    source=rec.source,
                    record_id=rec.id,
                    text=rec.text,
                    run_id=run.id,
                    findings=findings.get(key, []),
                    pii_spans=pii_spans(detector, rec.text),
                    flagged_layers=wanted.pop(key),
                )
            )
    # in keyed-hash rank order, so items are served in the random order the sequential test needs
    items.sort(key=lambda it: rank[(it.source, it.record_id)])
    return items, {"sampled": len(items) + len(wanted), "found": len(items), "missing": len(wanted)}


def manual_items(
    corpus: str | Path,
    size: int = 4000,
    seed: str = "safecorpus-manual",
    options: ReaderOptions | None = None,
    run_on: PassOptions | None = None,
) -> list[NewItem]:
    """The corpus-wide manual sample (TC260-9.2.a): the ``size`` records with the smallest keyed hashes
    (a pure function of the ids and the seed: the per-piece samples merge the same on any executor)."""
    key = sampling.sampling_key(seed)
    bottom: sampling.BottomK[Record] = sampling.BottomK(size)
    run_pass(corpus, options or ReaderOptions(), _bottom, (seed, size), bottom.merge, run_on)
    detector = _pii()
    return [
        NewItem(
            queue="manual",
            source=rec.source,
            record_id=rec.id,
            text=rec.text,
            pii_spans=pii_spans(detector, rec.text),
            meta={"seed_fingerprint": sampling.key_fingerprint(key)},
        )
        for _h, _rid, rec in bottom.items()
    ]


def answer_items(path: str | Path) -> tuple[list[NewItem], int]:
    """Model answers (``modeltest run --store`` JSONL) with status ok; returns (items, lines not usable)."""
    from safecorpus.modeltest.runner import AnswerStore

    store = AnswerStore(path)
    detector = _pii()
    items = []
    for a in store.answers.values():
        if a.ok and a.answer:
            items.append(
                NewItem(
                    queue="model",
                    source=a.model,
                    record_id=f"{a.model}:{a.item_id}",
                    text=a.answer,
                    pii_spans=pii_spans(detector, a.answer),
                    meta={"question": a.question, "bank": a.bank, "category": a.category},
                )
            )
    return items, len(store.answers) - len(items) + store.torn_lines
