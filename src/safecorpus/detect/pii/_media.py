"""Media references of a record: image or audio files named by a metadata field.

A field holds one path or URL, or a list of them. Relative paths resolve against the corpus root;
``file://`` URLs are local files; other URLs are not fetched (the scanner runs offline) and are reported
as unresolved.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True, slots=True)
class MediaRef:
    ref: str  # as written in the record
    path: Path | None  # the local file, or None when it cannot be resolved offline
    problem: str | None = None


def _field(meta: dict[str, Any], dotted: str) -> Any:
    value: Any = meta
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def media_refs(meta: dict[str, Any], field: str, root: str | Path | None) -> Iterator[MediaRef]:
    """The files that ``meta[field]`` names (dotted for nested fields)."""
    value = _field(meta, field)
    if value is None or value == "":
        return
    values = value if isinstance(value, list | tuple) else [value]
    base = Path(root) if root is not None else Path.cwd()
    if base.is_file():
        base = base.parent
    for v in values:
        ref = str(v)
        parts = urlsplit(ref)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
        elif parts.scheme in ("http", "https", "s3", "gs", "ftp"):
            yield MediaRef(ref, None, "remote URL not fetched (offline)")
            continue
        else:
            path = Path(ref)
            if not path.is_absolute():
                path = base / path
        if not path.is_file():
            yield MediaRef(ref, None, "file not found")
        else:
            yield MediaRef(ref, path)
