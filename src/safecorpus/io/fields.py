"""Turn a parsed row (JSON object, CSV row, Parquet row) into a Record, or a Rejection saying why not."""

from __future__ import annotations

from typing import Any

from safecorpus.io import reasons
from safecorpus.io.attribution import source_of
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import Record, Rejection


def record_from_fields(
    fields: dict[str, Any], file: str, line: int, options: ReaderOptions, file_source: str
) -> Record | Rejection:
    source = source_of(fields, options, file_source)
    text = fields.get(options.text_field)
    if options.text_field not in fields:
        return Rejection(file, line, reasons.MISSING_TEXT, f"no {options.text_field!r} field", source)
    if not isinstance(text, str):
        kind = type(text).__name__
        return Rejection(
            file, line, reasons.INVALID_TEXT, f"{options.text_field!r} is {kind}, not text", source
        )
    if not text.strip():
        return Rejection(file, line, reasons.EMPTY_TEXT, f"{options.text_field!r} is empty", source)
    raw_id = fields.get(options.id_field)
    record_id = f"{file}:{line}" if raw_id is None or raw_id == "" else str(raw_id)
    meta = {k: v for k, v in fields.items() if k != options.text_field}
    return Record(record_id, text, source, file, line, meta)
