"""CSV reader: a header row names the fields; rows are streamed; bad bytes reject only their row."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from safecorpus.io import reasons
from safecorpus.io.encoding import sniff_stream
from safecorpus.io.fields import record_from_fields
from safecorpus.io.opener import decompression_errors, open_binary
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import FileNotice, Record, Rejection

Item = Record | Rejection | FileNotice


def _has_surrogates(values: list[str]) -> bool:
    return any(not v.isascii() and any("\udc80" <= c <= "\udcff" for c in v) for v in values)


def read_csv(path: Path, rel: str, file_source: str, options: ReaderOptions) -> Iterator[Item]:
    csv.field_size_limit(min(options.max_record_bytes, sys.maxsize))
    row_start = 1
    try:
        with open_binary(path) as stream:
            encoding, note = sniff_stream(stream, rel, file_source, options.encoding)
            if note is not None:
                yield note  # type: ignore[misc]
            if encoding is None:
                return
            if encoding == "utf-8":
                encoding = "utf-8-sig"
            text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
            reader = csv.reader(text)
            try:
                header = next(reader)
            except StopIteration:
                yield FileNotice(rel, "empty_file", f"{rel}: the file is empty (no header row)")
                return
            row_start = reader.line_num + 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    reason = reasons.RECORD_TOO_LARGE if "field larger" in str(exc) else reasons.MALFORMED_CSV
                    yield Rejection(rel, row_start, reason, f"cannot parse the row: {exc}", file_source)
                    row_start = reader.line_num + 1
                    continue
                line, row_start = row_start, reader.line_num + 1
                if not row:
                    continue
                if _has_surrogates(row):
                    yield Rejection(
                        rel,
                        line,
                        reasons.INVALID_ENCODING,
                        f"invalid {encoding} bytes in the row",
                        file_source,
                    )
                    continue
                if len(row) != len(header):
                    yield Rejection(
                        rel,
                        line,
                        reasons.MALFORMED_CSV,
                        f"{len(row)} cells but the header has {len(header)}",
                        file_source,
                    )
                    continue
                yield record_from_fields(dict(zip(header, row, strict=True)), rel, line, options, file_source)
    except decompression_errors() as exc:
        yield Rejection(
            rel,
            row_start,
            reasons.CORRUPT_COMPRESSED,
            f"cannot read past line {row_start - 1}: {exc.__class__.__name__}: {exc}",
            file_source,
        )
