"""Open plain, gzip and zstandard files as buffered binary streams (never loaded whole)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path, PurePath
from typing import BinaryIO

import zstandard

COMPRESSED_SUFFIXES = (".gz", ".zst")


def open_binary(path: Path) -> BinaryIO:
    if path.suffix == ".gz":
        return io.BufferedReader(gzip.open(path, "rb"), buffer_size=1 << 16)
    if path.suffix == ".zst":
        raw = path.open("rb")
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=True)
        return io.BufferedReader(reader, buffer_size=1 << 16)
    return path.open("rb", buffering=1 << 20)


def format_suffix(path: PurePath) -> str:
    """The data format suffix, looking through a compression suffix (``a.jsonl.zst`` → ``.jsonl``)."""
    name = path.name.lower()
    for comp in COMPRESSED_SUFFIXES:
        if name.endswith(comp):
            name = name[: -len(comp)]
            break
    return Path(name).suffix


def decompression_errors() -> tuple[type[BaseException], ...]:
    import zlib

    return (gzip.BadGzipFile, EOFError, zlib.error, zstandard.ZstdError, OSError)
