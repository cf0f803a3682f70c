"""Reader options shared by every format."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReaderOptions:
    text_field: str = "text"
    id_field: str = "id"
    source_field: str = "source"
    url_field: str = "url"
    max_record_bytes: int = 16 * 1024 * 1024
    encoding: str | None = None  # None = detect per file
