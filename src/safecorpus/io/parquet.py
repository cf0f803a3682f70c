"""Parquet reader: row batches streamed with pyarrow; the 'line' of a row is its 1-based row number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from safecorpus.io import reasons
from safecorpus.io.fields import record_from_fields
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import FileNotice, Record, Rejection

Item = Record | Rejection | FileNotice


def read_parquet(path: Path, rel: str, file_source: str, options: ReaderOptions) -> Iterator[Item]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    row = 0
    try:
        pf = pq.ParquetFile(path)
        if pf.metadata.num_rows == 0:
            yield FileNotice(rel, "empty_file", f"{rel}: the file has no rows")
            return
        for batch in pf.iter_batches(batch_size=2048):
            for fields in batch.to_pylist():
                row += 1
                text = fields.get(options.text_field)
                if (
                    isinstance(text, str)
                    and len(text) > options.max_record_bytes // 4
                    and len(text.encode("utf-8")) > options.max_record_bytes
                ):
                    yield Rejection(
                        rel,
                        row,
                        reasons.RECORD_TOO_LARGE,
                        f"text is over --max-record-bytes {options.max_record_bytes:,}",
                        file_source,
                    )
                    continue
                yield record_from_fields(fields, rel, row, options, file_source)
    except (pa.ArrowException, OSError) as exc:
        yield Rejection(
            rel, row + 1, reasons.CORRUPT_FILE, f"cannot read Parquet past row {row}: {exc}", file_source
        )
