"""``url_parts`` splits the common URL shape itself; it must agree with ``urllib.parse.urlsplit``."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

from safecorpus.io.attribution import url_parts


def _reference(url: str) -> tuple[str | None, str] | None:
    try:
        parts = urlsplit(url if "//" in url else f"//{url}")
        return parts.hostname, parts.path
    except ValueError:
        return None


def test_url_parts_equal_urlsplit() -> None:
    rng = random.Random(7)
    pieces = [
        "http", "https", "HTTP", "ftp", "a+b.c-d", "1x", ":", "//", "/", "?", "#", "@", "[", "]", "%",
        "user", "pass", "Example.COM", "sub.", "8080", "path", ".", "-", " ", "\t", "\n", "\x00", "\x7f",
        "例子", "ｅｘａｍｐｌｅ", "::1", "v6", "q=1", "a", "Z",
    ]  # fmt: skip
    urls = [
        "https://site3.example/12", "http://0001666.com/x", "bad.example/path", "not a url",
        "https://u:p@Host.Example:99/a?b#c", "//h", "http:/x//y", "http://[::1]:80/p", "http://a[b]/x",
        "https://EXAMPLE.com%25eth0/x", "HTTPS://Good.org/Private?x", " http://a.b/c", "http://a.b/c ",
        "http://a\tb.c/d", "mailto://x@y", "1http://a/b", "http://", "//", "a://b:c@d:e:f/g",
    ]  # fmt: skip
    urls += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))) for _ in range(20_000)]
    for url in urls:
        url_parts.cache_clear()
        assert url_parts(url) == _reference(url), repr(url)
