"""The withdrawal report: a data subject's records in a corpus, and the outputs they reached.

The corpus is read with the same readers as ``assess`` (``safecorpus.io.reader.iter_corpus``); a record
belongs to the subject when its subject field (``user_id`` …, dotted paths allowed) equals the subject id.
Each output folder is searched by record id and by subject field:

- a ``safecorpus filter`` output (a folder with ``manifest.json``): the data shards the manifest lists
  (JSONL, JSONL.zst or Parquet) say where a record was *kept*; the removal ledgers
  (``ledger/*.ledger.jsonl``) say where it was *removed* and why;
- any other folder or file: every ``*.jsonl`` file in it, searched the same way (kept only).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from safecorpus.errors import InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import Record

SCHEMA_VERSION = "1"


def _field(row: dict[str, Any], dotted: str) -> Any:
    value: Any = row
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def subject_records(
    corpus: str | Path, subject: str, subject_field: str, options: ReaderOptions | None = None
) -> list[dict[str, Any]]:
    """The corpus records whose subject field is ``subject``."""
    from safecorpus.io.reader import iter_corpus

    root = Path(corpus)
    if not root.exists():
        raise InputError(f"{corpus}: no such file or folder; give the corpus path")
    out = []
    for item in iter_corpus(root, options):
        if isinstance(item, Record) and str(_field(item.meta, subject_field)) == subject:
            out.append({"id": item.id, "file": item.file, "line": item.line, "source": item.source})
    return out


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    data = path.read_bytes()
    if path.name.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    for i, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(row, dict):
            yield i, row


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for i, row in enumerate(table.to_pylist(), start=1):
        meta = row.get("meta")
        if isinstance(meta, str):
            with contextlib.suppress(orjson.JSONDecodeError):
                row = {**orjson.loads(meta), **row}
        yield i, row


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if path.suffix == ".parquet":
        return _parquet_rows(path)
    return _jsonl_rows(path)


def _matches(
    row: dict[str, Any], ids: set[str], id_field: str, subject: str, subject_field: str
) -> str | None:
    rid = row.get(id_field, row.get("id"))
    if rid is not None and str(rid) in ids:
        return str(rid)
    if str(_field(row, subject_field)) == subject:
        return str(rid) if rid is not None else "?"
    return None


def search_output(
    output: str | Path, ids: set[str], subject: str, subject_field: str, id_field: str = "id"
) -> dict[str, Any]:
    """Where the subject's records are in one output folder (kept) and its removal ledgers (removed)."""
    root = Path(output)
    if not root.exists():
        raise InputError(f"{output}: no such output folder")
    kept: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    manifest_path = root / "manifest.json" if root.is_dir() else None
    if manifest_path is not None and manifest_path.is_file():
        manifest = orjson.loads(manifest_path.read_bytes())
        id_field = (manifest.get("reader") or {}).get("id_field") or id_field
        for shard in (manifest.get("output") or {}).get("shards", ()):
            data = root / shard["data"]["path"]
            if data.is_file():
                for line, row in _rows(data):
                    rid = _matches(row, ids, id_field, subject, subject_field)
                    if rid is not None:
                        kept.append(
                            {"id": rid, "shard": shard["shard"], "path": shard["data"]["path"], "line": line}
                        )
            ledger = root / shard["ledger"]["path"]
            if ledger.is_file():
                for _, row in _jsonl_rows(ledger):
                    if str(row.get("id")) in ids:
                        removed.append(
                            {
                                "id": str(row["id"]),
                                "shard": shard["shard"],
                                "outcome": row.get("outcome"),
                                "reason": row.get("reason"),
                            }
                        )
        kind = "filter"
    else:
        files = [root] if root.is_file() else sorted(root.rglob("*.jsonl"))
        for f in files:
            for line, row in _jsonl_rows(f):
                rid = _matches(row, ids, id_field, subject, subject_field)
                if rid is not None:
                    rel = f.name if root.is_file() else f.relative_to(root).as_posix()
                    kept.append({"id": rid, "path": rel, "line": line})
        kind = "jsonl"
    return {"output": str(output), "kind": kind, "kept": kept, "removed": removed}


def withdrawal_report(
    subject: str,
    corpus: str | Path | None,
    outputs: list[str | Path],
    *,
    subject_field: str = "user_id",
    options: ReaderOptions | None = None,
) -> dict[str, Any]:
    """The subject's corpus records and, per output, where they were kept or removed."""
    records = subject_records(corpus, subject, subject_field, options) if corpus is not None else []
    ids = {r["id"] for r in records}
    id_field = (options or ReaderOptions()).id_field
    results = [search_output(o, ids, subject, subject_field, id_field) for o in outputs]
    reached = sorted({k["id"] for r in results for k in r["kept"]})
    return {
        "schema_version": SCHEMA_VERSION,
        "subject": subject,
        "subject_field": subject_field,
        "corpus": None if corpus is None else str(corpus),
        "records": records,
        "outputs": results,
        "reached": reached,
        "clean": not reached,
    }
