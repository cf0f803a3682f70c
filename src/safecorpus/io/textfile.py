"""Plain .txt files: each file is one record, its id the path relative to the corpus root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from safecorpus.io import reasons
from safecorpus.io.encoding import detect_encoding, is_utf16, strip_bom
from safecorpus.io.fields import record_from_fields
from safecorpus.io.opener import decompression_errors, open_binary
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import Record, Rejection


def read_text_file(
    path: Path, rel: str, file_source: str, options: ReaderOptions
) -> Iterator[Record | Rejection]:
    try:
        with open_binary(path) as stream:
            data = stream.read(options.max_record_bytes + 1)
    except decompression_errors() as exc:
        yield Rejection(rel, 1, reasons.CORRUPT_COMPRESSED, f"{exc.__class__.__name__}: {exc}", file_source)
        return
    if len(data) > options.max_record_bytes:
        yield Rejection(
            rel,
            1,
            reasons.RECORD_TOO_LARGE,
            f"file is over --max-record-bytes {options.max_record_bytes:,}",
            file_source,
        )
        return
    if is_utf16(data):
        yield Rejection(
            rel, 1, reasons.INVALID_ENCODING, "UTF-16 is not supported; convert to UTF-8", file_source
        )
        return
    encoding = options.encoding or detect_encoding(data[: 1 << 16])
    try:
        text = strip_bom(data).decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        yield Rejection(
            rel, line, reasons.INVALID_ENCODING, f"invalid {encoding} byte at line {line}", file_source
        )
        return
    yield record_from_fields(
        {"id": rel, "text": text}, rel, 1, ReaderOptions(text_field="text", id_field="id"), file_source
    )
