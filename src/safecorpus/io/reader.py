"""Walk a corpus path and stream Records, Rejections and FileNotices from every supported file.

Formats by suffix: ``.jsonl``/``.json``/``.ndjson`` (optionally ``.gz``/``.zst``), ``.csv`` (optionally
compressed), ``.parquet``, and ``.txt`` (one file = one record). A dataset's README, LICENSE or Markdown
files are passed over; any other unknown file is reported in a notice. Folders are walked in sorted order so
every run sees records in the same order. A record's file-based source is the file's path relative to
the corpus root without its suffixes; for ``.txt`` files it is their folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePath, PurePosixPath

from safecorpus.errors import InputError
from safecorpus.io.csv_reader import read_csv
from safecorpus.io.jsonl import read_jsonl
from safecorpus.io.opener import format_suffix
from safecorpus.io.options import ReaderOptions
from safecorpus.io.parquet import read_parquet
from safecorpus.io.records import FileNotice, Record, Rejection
from safecorpus.io.textfile import read_text_file

Item = Record | Rejection | FileNotice
READERS = {
    ".jsonl": read_jsonl,
    ".json": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".parquet": read_parquet,
    ".txt": read_text_file,
}


def corpus_files(root: Path) -> list[Path]:
    if not root.exists():
        raise InputError(f"{root}: no such file or folder; give the path of a corpus file or folder")
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


_DOC_NAMES = ("README", "LICENSE", "NOTICE", "COPYING")


def _is_documentation(path: PurePath) -> bool:
    return path.suffix.lower() in (".md", ".rst") or path.name.upper().startswith(_DOC_NAMES)


def file_source(root: Path, path: Path) -> str:
    base = root.name if root.is_dir() else root.parent.name
    rel = path.relative_to(root) if root.is_dir() else Path(path.name)
    if format_suffix(path) == ".txt":
        parent = rel.parent.as_posix()
        return base if parent == "." else parent
    name = rel.as_posix()
    while Path(name).suffix.lower() in (".gz", ".zst", *READERS):
        name = name[: -len(Path(name).suffix)]
    return name


def iter_corpus(path: str | Path, options: ReaderOptions | None = None) -> Iterator[Item]:
    """Yield every record, rejection and file notice under ``path`` (a file or a folder)."""
    options = options or ReaderOptions()
    root = Path(path)
    for file in corpus_files(root):
        rel = file.relative_to(root).as_posix() if root.is_dir() else file.name
        yield from iter_file(file, rel, file_source(root, file), options)


def iter_file(
    path: Path, rel: str, source: str, options: ReaderOptions, span: tuple[int, int] | None = None
) -> Iterator[Item]:
    """Yield the items of one corpus file. ``rel`` (its path under the corpus root) names the format and
    the file in rejections; ``path`` is where its bytes are (a temporary copy of a remote file); ``span``
    (plain JSON Lines only, see :func:`splittable`): the lines that begin in that byte range."""
    named = PurePosixPath(rel)
    reader = READERS.get(format_suffix(named))
    if reader is None and _is_documentation(named):
        return  # a dataset's README or LICENSE is not data
    if reader is None:
        yield FileNotice(rel, "skipped", f"{rel}: not a supported format (jsonl, csv, parquet, txt); skipped")
        return
    try:
        if span is None:
            yield from reader(path, rel, source, options)
        else:
            yield from read_jsonl(path, rel, source, options, span)
    except PermissionError:
        yield FileNotice(rel, "unreadable", f"{rel}: permission denied; skipped")


def splittable(rel: str) -> bool:
    """Whether a file can be read in byte ranges: uncompressed JSON Lines."""
    return PurePosixPath(rel).suffix.lower() in (".jsonl", ".ndjson", ".json")
