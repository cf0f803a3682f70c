"""The keyword-library file format: a versioned TSV with a comment header.

    # safecorpus-lexicon: 1
    # name: default
    # version: 2026.11.28
    # updated_at: 2026-11-28
    term<TAB>risk<TAB>topic<TAB>weight<TAB>lang<TAB>source
    ...

``term`` and ``risk`` are required; ``topic`` is a topic tag under the risk (see taxonomy/risks.toml),
``weight`` a severity in (0, 1] (default 1), ``lang`` ``zh``/``en``/empty, ``source`` where the term came
from. Extra columns are kept in ``Term.extra`` so later features can add their own without a new format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from safecorpus.errors import LexiconError

FORMAT_TAG = "safecorpus-lexicon"
FORMAT_VERSION = "1"
COLUMNS = ("term", "risk", "topic", "weight", "lang", "source")
DEFAULT_LEXICON = "default"


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    risk: str
    topic: str | None = None
    weight: float = 1.0
    lang: str | None = None
    source: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def tag(self) -> str:
        return f"{self.risk}/{self.topic}" if self.topic else self.risk


@dataclass
class Lexicon:
    name: str
    version: str
    updated_at: dt.date | None
    terms: list[Term]
    header: dict[str, str] = field(default_factory=dict)
    path: str | None = None

    @property
    def ident(self) -> str:
        """``name@version``, recorded with every finding and in every output."""
        return f"{self.name}@{self.version}"

    def digest(self) -> str:
        h = hashlib.sha256()
        for t in self.terms:
            h.update(f"{t.term}\t{t.tag}\t{t.weight}\n".encode())
        return h.hexdigest()[:16]

    def age_days(self, today: dt.date | None = None) -> int | None:
        if self.updated_at is None:
            return None
        return ((today or dt.date.today()) - self.updated_at).days


def _parse_header(lines: Iterable[str], path: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in lines:
        key, sep, value = line[1:].partition(":")
        if sep:
            header[key.strip()] = value.strip()
    if header.get(FORMAT_TAG) != FORMAT_VERSION:
        raise LexiconError(
            f"{path}: line 1 must be '# {FORMAT_TAG}: {FORMAT_VERSION}'; "
            "import plain term lists with 'safecorpus lexicon import'"
        )
    return header


def parse_lexicon(text: str, path: str = "<lexicon>") -> Lexicon:
    lines = text.splitlines()
    comment = [ln for ln in lines if ln.startswith("#")]
    header = _parse_header(comment, path)
    body = [(i + 1, ln) for i, ln in enumerate(lines) if ln and not ln.startswith("#")]
    if not body:
        raise LexiconError(f"{path}: no column header line after the comments")
    head_no, head_line = body[0]
    columns = head_line.split("\t")
    if columns[:2] != ["term", "risk"]:
        raise LexiconError(f"{path}:{head_no}: the column header must start with 'term<TAB>risk'")
    idx = {name: i for i, name in enumerate(columns)}
    i_topic, i_weight, i_lang, i_source = (idx.get(c, -1) for c in ("topic", "weight", "lang", "source"))
    extra_cols = [(i, c) for i, c in enumerate(columns) if c not in COLUMNS]
    width = len(columns)
    terms: list[Term] = []
    append = terms.append
    for line_no, line in body[1:]:
        cells = line.split("\t")
        if len(cells) > width:
            raise LexiconError(f"{path}:{line_no}: {len(cells)} cells but {width} columns")
        cells += [""] * (width - len(cells))
        term, risk = cells[0], cells[1].strip()
        if not term.strip() or not risk:
            raise LexiconError(f"{path}:{line_no}: a term and a risk id are required")
        raw_weight = cells[i_weight] if i_weight >= 0 else ""
        try:
            weight = float(raw_weight) if raw_weight else 1.0
        except ValueError:
            raise LexiconError(f"{path}:{line_no}: weight {raw_weight!r} is not a number") from None
        append(
            Term(
                term,
                risk,
                (cells[i_topic].strip() or None) if i_topic >= 0 else None,
                weight,
                (cells[i_lang].strip() or None) if i_lang >= 0 else None,
                (cells[i_source].strip() or None) if i_source >= 0 else None,
                tuple((c, cells[i]) for i, c in extra_cols if cells[i]),
            )
        )
    updated_at = parse_updated_at(header, path)
    return Lexicon(
        name=header.get("name", Path(path).stem),
        version=header.get("version", "0"),
        updated_at=updated_at,
        terms=terms,
        header=header,
        path=path,
    )


def read_data_text(path: str | Path, what: str) -> tuple[str, str]:
    """(text, origin) of a versioned TSV: a file, or a packaged one named without ``.tsv``."""
    p = Path(path)
    if not p.exists() and not str(path).endswith(".tsv"):
        packaged = resources.files("safecorpus.data").joinpath(f"lexicons/{path}.tsv")
        if packaged.is_file():
            return packaged.read_text("utf-8"), f"packaged:{path}"
        raise LexiconError(f"{what} {path!r} is neither a file nor a packaged {what}")
    try:
        return p.read_text("utf-8"), str(p)
    except FileNotFoundError:
        raise LexiconError(f"{p}: {what} file not found") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{p}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def parse_updated_at(header: dict[str, str], path: str) -> dt.date | None:
    updated = header.get("updated_at")
    try:
        return dt.date.fromisoformat(updated) if updated else None
    except ValueError:
        raise LexiconError(f"{path}: updated_at {updated!r} is not a date (YYYY-MM-DD)") from None


def format_header(
    tag: str, fmt: str, name: str, version: str, updated_at: dt.date | None, header: dict[str, str]
) -> Iterator[str]:
    """The ``# key: value`` comment header shared by lexicons and allow-lists."""
    merged = dict(header)
    merged.update(
        {
            tag: fmt,
            "name": name,
            "version": version,
            "updated_at": updated_at.isoformat() if updated_at else "",
        }
    )
    first = [tag, "name", "version", "updated_at"]
    for key in first + [k for k in merged if k not in first]:
        yield f"# {key}: {merged[key]}\n"


def read_lexicon(path: str | Path) -> Lexicon:
    """Read a lexicon TSV; a bare name (``default``) loads a packaged library."""
    text, origin = read_data_text(path, "lexicon")
    return parse_lexicon(text, origin)


def format_lexicon(lexicon: Lexicon) -> Iterator[str]:
    yield from format_header(
        FORMAT_TAG, FORMAT_VERSION, lexicon.name, lexicon.version, lexicon.updated_at, lexicon.header
    )
    extra_cols = sorted({k for t in lexicon.terms for k, _ in t.extra})
    yield "\t".join((*COLUMNS, *extra_cols)) + "\n"
    for t in lexicon.terms:
        if "\t" in t.term or "\n" in t.term:
            raise LexiconError(f"term {t.term!r} contains a tab or newline")
        extra = dict(t.extra)
        cells = [t.term, t.risk, t.topic or "", f"{t.weight:g}", t.lang or "", t.source or ""]
        cells += [extra.get(k, "") for k in extra_cols]
        yield "\t".join(cells) + "\n"


def write_lexicon(lexicon: Lexicon, path: str | Path) -> None:
    Path(path).write_text("".join(format_lexicon(lexicon)), "utf-8")
