"""One input file through the pipeline: read → annotate (findings stored per shard) → decide → write.

Shards are fixed-size chunks of a file's items (records and rejections, in input order), so the shard
plan depends on the input only. Each shard's files are written atomically and then its completion
marker; a marker whose fingerprint matches the run's settings means the shard is done and is skipped.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import orjson

from safecorpus import SCHEMA_VERSION
from safecorpus.detect.base import Finding
from safecorpus.detect.findings_io import FINDINGS_SCHEMA
from safecorpus.detect.layers import Layer
from safecorpus.detect.redact import redact
from safecorpus.io.opener import format_suffix
from safecorpus.io.records import FileNotice, Record, Rejection
from safecorpus.pipeline import minhash
from safecorpus.pipeline.blocklist import LAYER as BLOCKLIST_LAYER
from safecorpus.pipeline.blocklist import content_hash
from safecorpus.pipeline.spec import FORMATS, Context, FileTask, JobSpec, context_for
from safecorpus.pipeline.storage import Folder, local_copy

# Removal reasons, in the order they are checked (the first that applies is recorded).
REASONS = (
    "source_blacklisted",
    "source_inconclusive",
    "consent_withdrawn",
    "provenance_missing",
    "blocklist_domain",
    "blocklist_hash",
    "blocklist_document",
    "flagged",
    "pi_needs_consent",
    "sensitive_needs_separate_consent",
    "child_needs_guardian_consent",
    "pii",
    "duplicate_exact",
    "duplicate_near",
)
STEP_OF_REASON = {
    "source_blacklisted": "source",
    "source_inconclusive": "source",
    "consent_withdrawn": "consent",
    "provenance_missing": "provenance",
    "blocklist_domain": "blocklist",
    "blocklist_hash": "blocklist",
    "blocklist_document": "blocklist",
    "flagged": "content",
    "pi_needs_consent": "pii",
    "sensitive_needs_separate_consent": "pii",
    "child_needs_guardian_consent": "pii",
    "pii": "pii",
    "duplicate_exact": "dedup",
    "duplicate_near": "dedup",
}
_BLOCKLIST_REASON = {
    "domain": "blocklist_domain",
    "hash": "blocklist_hash",
    "document": "blocklist_document",
    "near_document": "blocklist_document",
}
_CONSENT_REASONS = frozenset(
    {"pi_needs_consent", "sensitive_needs_separate_consent", "child_needs_guardian_consent"}
)
_JSON = orjson.OPT_NON_STR_KEYS


def _dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=_JSON, default=str)


# -- reading -------------------------------------------------------------------------------------------


def _iter_file(task: FileTask, spec: JobSpec) -> Iterator[Record | Rejection | FileNotice]:
    from safecorpus.io.reader import READERS

    reader = READERS.get(format_suffix(PurePosixPath(task.rel)))
    if reader is None:
        yield FileNotice(
            task.rel, "skipped", f"{task.rel}: not a supported format (jsonl, csv, parquet, txt)"
        )
        return
    suffix = "".join(_suffixes(task.rel))
    try:
        with local_copy(task.url, suffix) as path:
            yield from reader(path, task.rel, task.file_source, spec.reader)
    except PermissionError:
        yield FileNotice(task.rel, "unreadable", f"{task.rel}: permission denied; skipped")


def _suffixes(rel: str) -> list[str]:
    return PurePosixPath(rel).suffixes[-2:]


@dataclass
class Chunk:
    index: int
    items: list[Record | Rejection] = field(default_factory=list)
    notices: list[dict[str, str]] = field(default_factory=list)

    @property
    def records(self) -> list[Record]:
        return [i for i in self.items if isinstance(i, Record)]


def _chunks(task: FileTask, spec: JobSpec) -> Iterator[Chunk]:
    chunk = Chunk(0)
    for item in _iter_file(task, spec):
        if isinstance(item, FileNotice):
            chunk.notices.append({"file": item.file, "kind": item.kind, "message": item.message})
            continue
        chunk.items.append(item)
        if len(chunk.items) >= spec.shard_size:
            yield chunk
            chunk = Chunk(chunk.index + 1)
    if chunk.items or chunk.index == 0:
        yield chunk


# -- annotate ------------------------------------------------------------------------------------------


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(**d)


def annotate(
    ctx: Context, findings_dir: Folder, shard: str, records: Sequence[Record]
) -> list[list[Finding]]:
    """Findings per record from the shard's findings file, running only detectors it lacks."""
    rel = f"{shard}.findings.jsonl"
    stored: dict[str, list[list[Finding]]] = {}
    raw = findings_dir.read_bytes(rel)
    if raw:
        lines = raw.splitlines()
        header = orjson.loads(lines[0])
        if header.get("records") == len(records):
            have = [d for d in header["detectors"] if d in ctx.ids]
            stored = {d: [[] for _ in records] for d in have}
            for line in lines[1:]:
                entry = orjson.loads(line)
                for f in entry["f"]:
                    if f["detector"] in stored:
                        stored[f["detector"]][entry["n"]].append(_finding(f))
                    else:  # sub-detector names (pii.email) belong to the detector id prefix
                        owner = _owner(f["detector"], have)
                        if owner:
                            stored[owner][entry["n"]].append(_finding(f))
    rewrite = raw is None or set(stored) != set(ctx.ids)
    per_detector: list[list[list[Finding]]] = []
    for det, ident in zip(ctx.detectors, ctx.ids, strict=True):
        if ident in stored:
            per_detector.append(stored[ident])
            continue
        found: list[list[Finding]] = []
        for start in range(0, len(records), ctx.spec.batch_size):
            batch = det.detect(records[start : start + ctx.spec.batch_size])
            # through JSON and back (the whole batch in one go), so fresh findings equal the ones a
            # resumed run reloads
            plain = orjson.loads(_dumps([_owned(f, ctx.ids) for fs in batch for f in fs]))
            at = 0
            for fs in batch:
                found.append([_finding(d) for d in plain[at : at + len(fs)]] if fs else [])
                at += len(fs)
        per_detector.append(found)
    merged: list[list[Finding]] = [[] for _ in records]
    for found in per_detector:
        for i, fs in enumerate(found):
            merged[i].extend(fs)
    if rewrite:
        out = io.BytesIO()
        out.write(
            _dumps(
                {
                    "schema": FINDINGS_SCHEMA,
                    "schema_version": SCHEMA_VERSION,
                    "detectors": ctx.ids,
                    "records": len(records),
                }
            )
            + b"\n"
        )
        for n, (rec, fs) in enumerate(zip(records, merged, strict=True)):
            if fs:
                doc = {"n": n, "id": rec.id, "source": rec.source, "f": [f.to_dict(copy=False) for f in fs]}
                out.write(_dumps(doc) + b"\n")
        findings_dir.write_atomic(rel, out.getvalue())
    return merged


def _owner(name: str, ids: Sequence[str]) -> str | None:
    for ident in ids:
        if name.split("@")[0].split(".")[0] == ident.split("@")[0].split(".")[0]:
            return ident
    return None


def _owned(f: Finding, ids: Sequence[str]) -> dict[str, Any]:
    d = f.to_dict(copy=False)
    if f.detector not in ids:
        owner = _owner(f.detector, ids)
        if owner:
            d["detector"] = owner if "@" in f.detector else f"{f.detector}@{owner.split('@', 1)[1]}"
    return d


# -- decide --------------------------------------------------------------------------------------------


@dataclass
class Decision:
    outcome: str  # kept | removed
    reason: str | None = None
    rule: dict[str, Any] = field(default_factory=dict)
    detectors: list[str] = field(default_factory=list)
    text: str | None = None  # the redacted text when redacted
    redactions: int = 0
    pii_redactions: int = 0
    provenance: dict[str, Any] | None = None
    consent: str | None = None  # the record's consent verdict (filter --consent)


def _consent(
    ctx: Context, record: Record, pii: list[Finding]
) -> tuple[str | None, str | None, list[Finding]]:
    """(verdict, subject, PII findings marked with it) under the run's consent ledger, if any.

    PI within the scope of the source's declared basis (the sources file's ``pi_basis``) is left out of the
    returned findings: it is kept as written, with or without the ledger (sources/pi_basis.py)."""
    basis = ctx.pi_bases.for_record(record.source, record.file) if ctx.pi_bases else None
    lookup = ctx.spec.consent
    if lookup is None:
        if basis is not None and basis.scoped:
            pii = [f for f in pii if not basis.covers(_pi_type(f), f.evidence.get("category"))]
        return None, None, pii
    from safecorpus.consent.verdict import consent_verdict

    d = consent_verdict(record.meta, pii, lookup, record_id=record.id, basis=basis)
    kept = [f for f in d.findings if f.detector != "consent@1" and not f.evidence.get("source_basis")]
    return d.verdict, d.subject, kept


def _pi_type(finding: Finding) -> str | None:
    value = finding.evidence.get("type")
    return None if value is None else str(value)


def decide(
    ctx: Context, record: Record, findings: list[Finding], dup: tuple[str, str] | None = None
) -> Decision:
    spec, policy = ctx.spec, ctx.spec.policy
    verdict = spec.verdicts.get(record.source)
    prov = spec.catalog.provenance(record.source, record.meta, record.file, spec.reader.url_field)
    pii = [f for f in findings if f.layer == Layer.PII and f.score >= policy.pii_min_score]
    consent, subject, pii = _consent(ctx, record, pii)
    # only PI that is personal information under the decision rule ([decision.pii]) is acted on: a name
    # or a place alone is kept as written
    pii = ctx.rule.pii.personal(pii)
    if verdict == "blacklist" and policy.blacklisted_sources == "drop":
        return Decision(
            "removed",
            "source_blacklisted",
            {"verdict": verdict, "run": spec.run_id},
            provenance=prov,
            consent=consent,
        )
    if verdict == "inconclusive" and policy.inconclusive_sources == "drop":
        return Decision(
            "removed",
            "source_inconclusive",
            {"verdict": verdict, "run": spec.run_id},
            provenance=prov,
            consent=consent,
        )
    if consent == "consent_withdrawn":
        field = spec.consent.subject_field  # type: ignore[union-attr]
        return Decision(
            "removed",
            "consent_withdrawn",
            {"consent_verdict": consent, "subject_field": field, "subject": subject},
            ["consent@1"],
            consent=consent,
        )
    if prov is None and policy.missing_provenance == "drop":
        return Decision("removed", "provenance_missing", {"missing_provenance": "drop"}, consent=consent)
    if policy.blocklist == "drop":
        for f in findings:
            if f.layer == BLOCKLIST_LAYER:
                rule = {"blocklist": f.detector, **{k: v for k, v in f.evidence.items() if v is not None}}
                return Decision(
                    "removed",
                    _BLOCKLIST_REASON.get(f.topic or "", "blocklist_document"),
                    rule,
                    [f.detector],
                    consent=consent,
                )
    counted = ctx.rule.counted(findings)
    spans: list[tuple[int, int, str]] = []
    redactions = 0
    if counted:
        actions = {policy.action_for(f.risk) for f in counted}
        to_redact = [f for f in counted if policy.action_for(f.risk) == "redact"]
        if "drop" in actions or any(f.start is None for f in to_redact):
            risks = sorted({f.risk for f in counted if policy.action_for(f.risk) != "keep"})
            return Decision(
                "removed",
                "flagged",
                {
                    "risks": risks,
                    "layers": sorted({f.layer for f in counted}),
                    "min_score": policy.min_score,
                    "action": "drop",
                    "policy": policy.profile,
                },
                sorted({f.detector for f in counted}),
                consent=consent,
            )
        for f in to_redact:
            spans.append((f.start, f.end, f.risk))  # type: ignore[arg-type]
            redactions += 1
    pii_n = 0
    pii_action = policy.pii if consent is None else policy.consent_action(consent)
    if pii and (pii_action == "drop" or (pii_action == "redact" and any(f.start is None for f in pii))):
        rule = {
            "types": sorted({str(f.evidence.get("type", f.topic)) for f in pii}),
            "action": "drop",
        }
        if consent is not None:
            rule["consent_verdict"] = consent
            rule["subject_field"] = spec.consent.subject_field  # type: ignore[union-attr]
        reason = consent if consent in _CONSENT_REASONS else "pii"
        return Decision("removed", reason, rule, sorted({f.detector for f in pii}), consent=consent)
    if pii and pii_action == "redact":
        for f in pii:
            spans.append((f.start, f.end, str(f.evidence.get("type") or "PII")))  # type: ignore[arg-type]
            pii_n += 1
    if dup is not None:
        return Decision("removed", dup[0], {"duplicate_of": dup[1]}, consent=consent)
    text = redact(record.text, spans, mode=policy.redaction) if spans else None  # type: ignore[arg-type]
    return Decision(
        "kept",
        text=text,
        redactions=redactions,
        pii_redactions=pii_n,
        provenance=prov,
        consent=consent,
    )


# -- write ---------------------------------------------------------------------------------------------


def _output_row(record: Record, decision: Decision, spec: JobSpec) -> dict[str, Any]:
    row = dict(record.meta)
    row[spec.reader.text_field] = record.text if decision.text is None else decision.text
    row.setdefault(spec.reader.id_field, record.id)
    if decision.provenance is not None:
        row["provenance"] = decision.provenance
    else:
        url = record.meta.get(spec.reader.url_field)
        row["provenance"] = {"source": record.source, "type": None, **({"url": url} if url else {})}
    return row


def _encode(rows: list[dict[str, Any]], fmt: str, spec: JobSpec) -> bytes:
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        tf, idf = spec.reader.text_field, spec.reader.id_field
        table = pa.table(
            {
                "id": pa.array([str(r.get(idf)) for r in rows], pa.string()),
                "text": pa.array([r[tf] for r in rows], pa.string()),
                "provenance": pa.array([_dumps(r["provenance"]).decode() for r in rows], pa.string()),
                "meta": pa.array(
                    [
                        _dumps({k: v for k, v in r.items() if k not in (tf, idf, "provenance")}).decode()
                        for r in rows
                    ],
                    pa.string(),
                ),
            }
        )
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd")
        return buf.getvalue()
    body = b"".join(_dumps(r) + b"\n" for r in rows)
    if fmt == "jsonl.zst":
        import zstandard

        return zstandard.ZstdCompressor(level=3).compress(body)
    return body


def _file_info(rel: str, data: bytes, records: int) -> dict[str, Any]:
    return {"path": rel, "records": records, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _ledger_rejection(rej: Rejection, shard: str) -> dict[str, Any]:
    return {
        "id": f"{rej.file}:{rej.line}",
        "file": rej.file,
        "line": rej.line,
        "source": rej.source,
        "shard": shard,
        "outcome": "rejected",
        "reason": rej.reason,
        "message": rej.message,
    }


def write_chunk(
    ctx: Context,
    out: Folder,
    findings_dir: Folder,
    task: FileTask,
    chunk: Chunk,
    fingerprint: str,
    dups: dict[int, tuple[str, str]],
) -> dict[str, Any]:
    spec = ctx.spec
    shard = task.shard(chunk.index)
    records = chunk.records
    findings = annotate(ctx, findings_dir, shard, records)
    rows: list[dict[str, Any]] = []
    ledger = io.BytesIO()
    removed: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    risks: Counter[str] = Counter()
    consent: Counter[str] = Counter()
    redacted = pii_redacted = prov_missing = 0
    n = 0
    policy_fp = spec.policy.fingerprint()  # the same for every removed record of the shard
    for item in chunk.items:
        if isinstance(item, Rejection):
            rejected[item.reason] += 1
            ledger.write(_dumps(_ledger_rejection(item, shard)) + b"\n")
            continue
        d = decide(ctx, item, findings[n], dups.get(n))
        n += 1
        if d.consent is not None:
            consent[d.consent] += 1
        if d.outcome == "kept":
            rows.append(_output_row(item, d, spec))
            redacted += bool(d.redactions or d.pii_redactions)
            pii_redacted += d.pii_redactions
            prov_missing += d.provenance is None
            continue
        removed[d.reason or "?"] += 1
        risks.update(d.rule.get("risks", ()))
        entry = {
            "id": item.id,
            "file": item.file,
            "line": item.line,
            "source": item.source,
            "shard": shard,
            "outcome": "removed",
            "reason": d.reason,
            "rule": d.rule,
            "detectors": d.detectors,
            "policy": policy_fp,
        }
        ledger.write(_dumps(entry) + b"\n")
    data = _encode(rows, spec.fmt, spec)
    data_rel = f"data/{shard}{FORMATS[spec.fmt]}"
    ledger_rel = f"ledger/{shard}.ledger.jsonl"
    out.write_atomic(data_rel, data)
    out.write_atomic(ledger_rel, ledger.getvalue())
    marker = {
        "shard": shard,
        "file": task.rel,
        "chunk": chunk.index,
        "fingerprint": fingerprint,
        "read": len(chunk.items),
        "kept": len(rows),
        "removed": sum(removed.values()),
        "rejected": sum(rejected.values()),
        "removed_reasons": dict(sorted(removed.items())),
        "rejected_reasons": dict(sorted(rejected.items())),
        "flagged_risks": dict(sorted(risks.items())),
        "consent_verdicts": dict(sorted(consent.items())),
        "redacted_records": redacted,
        "pii_redactions": pii_redacted,
        "kept_without_provenance": prov_missing,
        "notices": chunk.notices,
        "data": _file_info(data_rel, data, len(rows)),
        "ledger": _file_info(ledger_rel, ledger.getvalue(), sum(removed.values()) + sum(rejected.values())),
    }
    out.write_atomic(f"_state/{shard}.done.json", _dumps(marker))
    return marker


def _sha256_file(task: FileTask) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with local_copy(task.url, "".join(_suffixes(task.rel))) as path, open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def run_write(
    spec: JobSpec, key: str, task: FileTask, fingerprint: str, dups: dict[int, dict[int, tuple[str, str]]]
) -> dict[str, Any]:
    """Write every shard of one input file not yet marked complete; return the file's markers."""
    out, findings_dir = Folder(spec.out), Folder(spec.findings)
    file_rel = f"_state/{task.slug}.file.json"
    raw = out.read_bytes(file_rel)
    if raw:
        done = orjson.loads(raw)
        if done.get("fingerprint") == fingerprint:
            return done
    markers: list[dict[str, Any]] = []
    ctx: Context | None = None
    for chunk in _chunks(task, spec):
        shard = task.shard(chunk.index)
        raw = out.read_bytes(f"_state/{shard}.done.json")
        if raw:
            marker = orjson.loads(raw)
            if marker.get("fingerprint") == fingerprint:
                markers.append(marker)
                continue
        ctx = ctx or context_for(spec, key)
        markers.append(
            write_chunk(ctx, out, findings_dir, task, chunk, fingerprint, dups.get(chunk.index, {}))
        )
    sha, size = _sha256_file(task)
    done = {"file": task.rel, "fingerprint": fingerprint, "sha256": sha, "bytes": size, "shards": markers}
    out.write_atomic(file_rel, _dumps(done))
    return done


# -- dedup pre-pass ------------------------------------------------------------------------------------


def run_scan(spec: JobSpec, key: str, task: FileTask, fingerprint: str) -> str:
    """Annotate every record of one file and store its dedup keys and whether it survives the other
    rules; returns the path of the keys file (relative to the output folder)."""
    out, findings_dir = Folder(spec.out), Folder(spec.findings)
    rel = f"_dedup/{task.slug}.npz"
    raw = out.read_bytes(rel)
    if raw:
        with np.load(io.BytesIO(raw)) as z:
            if str(z["fingerprint"]) == fingerprint:
                return rel
    ctx = context_for(spec, key)
    chunks, locals_, ids, exact, alive = [], [], [], [], []
    sigs: list[np.ndarray] = []
    near = spec.dedup == "near"
    for chunk in _chunks(task, spec):
        records = chunk.records
        findings = annotate(ctx, findings_dir, task.shard(chunk.index), records)
        for n, (rec, fs) in enumerate(zip(records, findings, strict=True)):
            chunks.append(chunk.index)
            locals_.append(n)
            ids.append(rec.id)
            exact.append(content_hash(rec.text))
            alive.append(decide(ctx, rec, fs).outcome == "kept")
        if near:
            for start in range(0, len(records), spec.batch_size):
                sigs.extend(minhash.signatures([r.text for r in records[start : start + spec.batch_size]]))
    buf = io.BytesIO()
    np.savez(
        buf,
        fingerprint=np.array(fingerprint),
        chunk=np.array(chunks, dtype=np.int64),
        local=np.array(locals_, dtype=np.int64),
        ids=np.array(ids, dtype=str),
        exact=np.array(exact, dtype=np.uint64),
        alive=np.array(alive, dtype=bool),
        sigs=np.array(sigs, dtype=np.uint32).reshape(-1, minhash.BINS),
    )
    out.write_atomic(rel, buf.getvalue())
    return rel
