"""Rejection reason codes. Every rejected record carries exactly one; docs/user-guide.md lists them."""

from __future__ import annotations

MALFORMED_JSON = "malformed_json"
NOT_AN_OBJECT = "not_an_object"
MISSING_TEXT = "missing_text_field"
INVALID_TEXT = "invalid_text_field"
EMPTY_TEXT = "empty_text"
INVALID_ENCODING = "invalid_encoding"
RECORD_TOO_LARGE = "record_too_large"
CORRUPT_COMPRESSED = "corrupt_compressed_data"
CORRUPT_FILE = "corrupt_file"
MALFORMED_CSV = "malformed_csv"

DESCRIPTIONS: dict[str, str] = {
    MALFORMED_JSON: "the line is not valid JSON",
    NOT_AN_OBJECT: "the line is valid JSON but not an object",
    MISSING_TEXT: "the record has no text field (set --text-field)",
    INVALID_TEXT: "the text field is not a string",
    EMPTY_TEXT: "the text field is empty or only white space",
    INVALID_ENCODING: "the line's bytes are not valid in the file's detected encoding",
    RECORD_TOO_LARGE: "the record is larger than --max-record-bytes",
    CORRUPT_COMPRESSED: "the compressed stream is corrupt or truncated; the rest of the file is unreadable",
    CORRUPT_FILE: "the file cannot be parsed in its format; the rest of the file is unreadable",
    MALFORMED_CSV: "the CSV row cannot be parsed",
}
