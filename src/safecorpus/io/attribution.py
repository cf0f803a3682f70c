"""Source attribution (DESIGN.md "Sources"): explicit field, then URL host, then file path."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from safecorpus.io.options import ReaderOptions

UNATTRIBUTED = "unattributed"


def source_of(fields: dict[str, Any], options: ReaderOptions, file_source: str | None) -> str:
    value = fields.get(options.source_field)
    if isinstance(value, str) and value.strip():
        return value.strip()
    url = fields.get(options.url_field)
    if isinstance(url, str) and url:
        try:
            host = urlsplit(url if "//" in url else f"//{url}").hostname
        except ValueError:
            host = None
        if host:
            return host
    return file_source or UNATTRIBUTED
