"""Multi-literal matchers over UTF-8 bytes: hyperscan where it runs, ahocorasick-rs everywhere else.

Both report every occurrence of every pattern (overlapping), as (pattern index, end byte offset), so
the detector gets identical results whichever backend is chosen (a test checks this).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Protocol

import ahocorasick_rs as _ac
import numpy as np

from safecorpus.errors import ConfigError
from safecorpus.io.atomic import write_atomic

_hs: ModuleType | None
try:  # hyperscan needs x86-64 with SSSE3; import fails elsewhere
    import hyperscan as _hs
except ImportError:  # pragma: no cover - depends on the platform
    _hs = None


class LiteralMatcher(Protocol):
    backend: str

    def find(self, haystack: bytes) -> tuple[np.ndarray, np.ndarray]:
        """Return (pattern indices, end offsets) of all matches, in no particular order."""
        ...


def cache_dir() -> Path:
    """Where compiled matcher databases are cached (``SAFECORPUS_CACHE`` or the XDG cache folder)."""
    root = os.environ.get("SAFECORPUS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "safecorpus"
    )
    return Path(root)


class HyperscanMatcher:
    """Hyperscan literal database; compiled once per pattern set and cached on disk (it takes ~1 s for
    40k terms, loading takes milliseconds)."""

    backend = "hyperscan"

    def __init__(self, patterns: Sequence[bytes]) -> None:
        if _hs is None:
            raise ConfigError("hyperscan is not installed (it needs x86-64); use backend 'ahocorasick'")
        digest = hashlib.sha256(b"\0".join(patterns)).hexdigest()[:24]
        cached = cache_dir() / f"hs-{_hs.__version__}-{digest}.db"
        db = None
        if cached.is_file():
            try:
                db = _hs.loadb(cached.read_bytes(), _hs.HS_MODE_BLOCK)
            except Exception:  # a stale or foreign cache entry: rebuild it
                db = None
        if db is None:
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            db.compile(
                expressions=list(patterns),
                ids=list(range(len(patterns))),
                elements=len(patterns),
                flags=0,
                literal=True,
            )
            write_cache(cached, _hs.dumpb(db))
        self._db = db
        self._scratch = _hs.Scratch(db)

    def find(self, haystack: bytes) -> tuple[np.ndarray, np.ndarray]:
        ids: list[int] = []
        ends: list[int] = []
        add_id, add_end = ids.append, ends.append

        def on_match(pattern: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            add_id(pattern)
            add_end(end)

        self._db.scan(haystack, match_event_handler=on_match, scratch=self._scratch)
        return np.asarray(ids, dtype=np.int64), np.asarray(ends, dtype=np.int64)


class AhoCorasickMatcher:
    backend = "ahocorasick"

    def __init__(self, patterns: Sequence[bytes]) -> None:
        self._ac = _ac.BytesAhoCorasick(list(patterns))

    def find(self, haystack: bytes) -> tuple[np.ndarray, np.ndarray]:
        found = self._ac.find_matches_as_indexes(haystack, overlapping=True)
        if not found:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        arr = np.asarray(found, dtype=np.int64)
        return arr[:, 0], arr[:, 2]


def write_cache(path: Path, data: bytes) -> None:
    """Store a compiled artefact in the cache, atomically; a cache that cannot be written is skipped."""
    with contextlib.suppress(OSError):  # no writable cache: compile again next time
        write_atomic(path, data)


def available_backends() -> list[str]:
    return (["hyperscan"] if _hs is not None else []) + ["ahocorasick"]


def make_matcher(patterns: Sequence[bytes], backend: str = "auto") -> LiteralMatcher:
    """Build the fastest available matcher (``auto``) or the named one."""
    if not patterns:
        raise ConfigError("the keyword library has no terms to match")
    if backend == "auto":
        backend = available_backends()[0]
    if backend == "hyperscan":
        return HyperscanMatcher(patterns)
    if backend == "ahocorasick":
        return AhoCorasickMatcher(patterns)
    raise ConfigError(f"unknown matcher backend {backend!r}; choose auto, hyperscan or ahocorasick")
