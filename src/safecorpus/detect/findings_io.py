"""The one findings format every corpus pass writes, so any command can re-decide without re-scanning.

A findings file is JSON Lines: a header line ``{"schema": FINDINGS_SCHEMA, "detectors": [...],
"records": N | null, ...}``, then one line per record that has findings (or per record, where a command
lists every record): ``{"n": position, "id": ..., "source": ..., "f": [Finding.to_dict(), ...], ...}``.
``n`` is the record's position in what the file covers (a shard, or the pass's records in plan order);
commands may add fields to either line (``sample``, ``violation``, ``layers``), and readers ignore what
they do not know. ``records`` is null when the file is written as the pass goes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from safecorpus.detect.base import Finding

FINDINGS_SCHEMA = "safecorpus.findings/1"


def header_line(detectors: Sequence[str], records: int | None = None, **extra: Any) -> bytes:
    """The first line of a findings file."""
    doc = {"schema": FINDINGS_SCHEMA, "detectors": list(detectors), "records": records, **extra}
    return orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS) + b"\n"


def record_line(n: int, record_id: str, source: str | None, found: Iterable[Finding], **extra: Any) -> bytes:
    """One record's line; ``extra`` fields follow the standard ones."""
    doc = {"n": n, "id": record_id, "source": source, "f": [f.to_dict(copy=False) for f in found], **extra}
    return orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS) + b"\n"


@dataclass(frozen=True)
class FindingsRow:
    """One record read back: its id, source and findings, and the line's other fields."""

    n: int
    id: str
    source: str | None
    findings: list[Finding]
    extra: dict[str, Any] = field(default_factory=dict)


def read_header(path: str | Path) -> dict[str, Any]:
    """The header of a findings file (an error names the file when it is not one)."""
    with Path(path).open("rb") as fh:
        first = fh.readline()
    return _header(first, path)


def read_findings(path: str | Path) -> Iterator[FindingsRow]:
    """Every record line of a findings file, in file order."""
    with Path(path).open("rb") as fh:
        _header(fh.readline(), path)
        yield from parse_rows(fh)


def parse_rows(lines: Iterable[bytes]) -> Iterator[FindingsRow]:
    """Record lines (after the header) as :class:`FindingsRow`."""
    for raw in lines:
        if not raw.strip():
            continue
        doc = orjson.loads(raw)
        found = [Finding(**d) for d in doc.pop("f")]
        yield FindingsRow(doc.pop("n"), doc.pop("id"), doc.pop("source", None), found, doc)


def _header(line: bytes, path: str | Path) -> dict[str, Any]:
    from safecorpus.errors import InputError

    try:
        doc = orjson.loads(line) if line.strip() else None
    except orjson.JSONDecodeError:
        doc = None
    if not isinstance(doc, dict) or "detectors" not in doc or "f" in doc:
        raise InputError(f"{path}: not a findings file (no {FINDINGS_SCHEMA} header line)")
    schema = doc.get("schema", FINDINGS_SCHEMA)  # filter's shard files before the schema name: /1
    if schema != FINDINGS_SCHEMA:
        raise InputError(f"{path}: findings schema {schema!r}; this version reads {FINDINGS_SCHEMA}")
    return doc
