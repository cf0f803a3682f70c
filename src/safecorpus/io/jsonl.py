"""JSON Lines reader (plain, .gz, .zst), streamed line by line with a per-record size limit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import orjson

from safecorpus.io import reasons
from safecorpus.io.encoding import UTF8, sniff_stream, strip_bom
from safecorpus.io.fields import record_from_fields
from safecorpus.io.opener import decompression_errors, open_binary
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import FileNotice, Record, Rejection

Item = Record | Rejection | FileNotice
_UNPARSED = object()


def _lines(stream, limit: int) -> Iterator[tuple[bytes | None, int]]:
    """Yield (line, size); an over-long line yields (None, size) after skipping it without keeping it."""
    while True:
        chunk = stream.readline(limit + 1)
        if not chunk:
            return
        if len(chunk) <= limit or chunk.endswith(b"\n"):
            yield chunk, len(chunk)
            continue
        size = len(chunk)
        while chunk and not chunk.endswith(b"\n"):
            chunk = stream.readline(1 << 20)
            size += len(chunk)
        yield None, size


def _seek_span(stream, start: int) -> tuple[int, int]:
    """Move to the first line that begins at or after ``start``: (its position, lines before it)."""
    newlines = done = 0
    while done < start:
        block = stream.read(min(1 << 24, start - done))
        if not block:
            return done, newlines
        newlines += block.count(b"\n")
        done += len(block)
    if start == 0 or block.endswith(b"\n"):
        return start, newlines
    pos = start
    while True:  # the rest of a line that began in the span before
        tail = stream.readline(1 << 20)
        pos += len(tail)
        if not tail or tail.endswith(b"\n"):
            return pos, newlines + 1


def read_jsonl(
    path: Path,
    rel: str,
    file_source: str,
    options: ReaderOptions,
    span: tuple[int, int] | None = None,
) -> Iterator[Item]:
    """Stream a file's records. ``span`` (start, end) of a plain file: only the lines that begin in that
    byte range, numbered as in the whole file (so a split file gives the items of the whole, in pieces);
    the file's encoding note comes with its first span only."""
    line_no = 0
    try:
        with open_binary(path) as stream:
            encoding, note = sniff_stream(stream, rel, file_source, options.encoding)
            if note is not None and (span is None or span[0] == 0):
                yield note  # type: ignore[misc]
            if encoding is None:
                return
            pos, end = 0, None
            if span is not None:
                pos, line_no = _seek_span(stream, span[0])
                end = span[1]
            utf8 = encoding == UTF8
            for raw, size in _lines(stream, options.max_record_bytes):
                if end is not None and pos >= end:
                    break  # the next line belongs to the next span
                pos += size
                line_no += 1
                if raw is None:
                    yield Rejection(
                        rel,
                        line_no,
                        reasons.RECORD_TOO_LARGE,
                        f"line is {size:,} bytes, over --max-record-bytes {options.max_record_bytes:,}",
                        file_source,
                    )
                    continue
                if line_no == 1:
                    raw = strip_bom(raw)
                if not raw.strip():
                    continue  # blank lines are not records
                obj = _UNPARSED
                if utf8:  # orjson checks the UTF-8 itself, twice as fast as decoding first; on
                    # an error the steps below say what is wrong (the encoding or the JSON)
                    with suppress(orjson.JSONDecodeError):
                        obj = orjson.loads(raw)
                if obj is _UNPARSED:
                    try:
                        line = raw.decode(encoding)
                    except UnicodeDecodeError as exc:
                        yield Rejection(
                            rel,
                            line_no,
                            reasons.INVALID_ENCODING,
                            f"invalid {encoding} byte at column {exc.start + 1}",
                            file_source,
                        )
                        continue
                    try:
                        obj = orjson.loads(line)
                    except orjson.JSONDecodeError as exc:
                        yield Rejection(
                            rel, line_no, reasons.MALFORMED_JSON, f"not valid JSON ({exc.msg})", file_source
                        )
                        continue
                if not isinstance(obj, dict):
                    yield Rejection(
                        rel,
                        line_no,
                        reasons.NOT_AN_OBJECT,
                        f"a JSON {type(obj).__name__}, not an object",
                        file_source,
                    )
                    continue
                yield record_from_fields(obj, rel, line_no, options, file_source)
    except decompression_errors() as exc:
        yield Rejection(
            rel,
            line_no + 1,
            reasons.CORRUPT_COMPRESSED,
            f"cannot read past line {line_no}: {exc.__class__.__name__}: {exc}",
            file_source,
        )
