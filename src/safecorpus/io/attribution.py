"""Source attribution (DESIGN.md "Sources"): explicit field, then URL host, then file path."""

from __future__ import annotations

import re
from functools import lru_cache
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
        parts = url_parts(url)
        if parts is not None and parts[0]:
            return parts[0]
    return file_source or UNATTRIBUTED


@lru_cache(maxsize=1 << 15)  # at least a shard (20,000 records): read, then annotated
def url_parts(url: str) -> tuple[str | None, str] | None:
    """(host name, path) of a URL (``host/path`` without a scheme counts as one), or None when it does
    not parse. Remembered for the last 32,768 URLs: attribution, provenance and the domain
    blocklist each ask for the same record's URL."""
    if "//" not in url:
        url = f"//{url}"
    m = _PLAIN_URL.fullmatch(url) if _VISIBLE_ASCII.fullmatch(url) else None
    if m is not None:  # the common shape, split as urlsplit would (a test compares the two)
        host = m.group(1).rpartition("@")[2].partition(":")[0]
        if host:
            name, pct, zone = host.partition("%")
            return name.lower() + pct + zone, m.group(2) or ""
        return None, m.group(2) or ""
    try:
        parts = urlsplit(url)
        return parts.hostname, parts.path
    except ValueError:
        return None


# URLs of printable ASCII without white space (nothing for urlsplit to strip or remove), an optional
# scheme, then "//", a host part without brackets (no IPv6 literal to check), a path, a query/fragment
_VISIBLE_ASCII = re.compile(r"[!-~]+")
_PLAIN_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//([^/?#\[\]]*)(/[^?#]*)?(?:[?#].*)?", re.DOTALL)
