"""Per-file encoding detection: UTF-8 unless the bytes say GB18030/GBK.

A GBK-encoded file reads right with no flag. A UTF-8 file with a few bad lines stays UTF-8, and those
lines are rejected with ``invalid_encoding`` (decoding is per line, never with replacement characters).
"""

from __future__ import annotations

UTF8 = "utf-8"
GB18030 = "gb18030"
SAMPLE_BYTES = 1 << 16
_BOMS = {b"\xef\xbb\xbf": UTF8}
_UNSUPPORTED_BOMS = (b"\xff\xfe", b"\xfe\xff")


def strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def is_utf16(sample: bytes) -> bool:
    return sample.startswith(_UNSUPPORTED_BOMS)


def detect_encoding(sample: bytes) -> str:
    """Choose UTF-8 or GB18030 from the first bytes of a file.

    Lines are decoded both ways; GB18030 wins only when most non-ASCII lines fail as UTF-8 and fewer
    fail as GB18030 (UTF-8's structure makes accidental validity of GBK text very unlikely).
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return UTF8
    lines = sample.split(b"\n")
    if len(lines) > 1 and len(sample) >= SAMPLE_BYTES:
        lines = lines[:-1]  # the last line may be cut mid-character
    non_ascii = utf8_bad = gb_bad = 0
    for line in lines:
        if line.isascii():
            continue
        non_ascii += 1
        try:
            line.decode(UTF8)
        except UnicodeDecodeError:
            utf8_bad += 1
        try:
            line.decode(GB18030)
        except UnicodeDecodeError:
            gb_bad += 1
    if non_ascii and utf8_bad * 2 > non_ascii and gb_bad < utf8_bad:
        return GB18030
    return UTF8


def sniff_stream(stream, rel: str, file_source: str, forced: str | None) -> tuple[str | None, object | None]:
    """Peek at a buffered binary stream: (encoding, note) where ``note`` is an item to report first.

    An empty file gives (None, FileNotice) and UTF-16 (None, Rejection): report the note and stop. A
    file decoded as GB18030 gives ("gb18030", FileNotice) so the user sees which files were converted.
    """
    from safecorpus.io import reasons
    from safecorpus.io.records import FileNotice, Rejection

    sample = stream.peek(SAMPLE_BYTES)[:SAMPLE_BYTES]
    if not sample:
        return None, FileNotice(rel, "empty_file", f"{rel}: the file is empty (no records)")
    if is_utf16(sample):
        message = f"{rel}: UTF-16 is not supported; convert the file to UTF-8"
        return None, Rejection(rel, 1, reasons.INVALID_ENCODING, message, file_source)
    encoding = forced or detect_encoding(sample)
    note = None if encoding == UTF8 else FileNotice(rel, "encoding", f"{rel}: decoded as {encoding.upper()}")
    return encoding, note
