"""Import plain one-term-per-line category lists into keyword-library terms.

A category list is a text file holding one term per line (UTF-8, or GB18030 as many Chinese lists are).
Blank lines and lines starting with ``#`` are skipped, a trailing comma (ASCII or full-width) and
surrounding whitespace are removed. The category is the file's stem (``涉枪涉爆.txt`` → ``涉枪涉爆``) and a
mapping turns it into a risk tag such as ``A.1.8/weapons``; the special value ``skip`` leaves a file out
on purpose. A file whose category the mapping does not name is an error, so a new list is never
imported under a guessed risk.

Mapping files are TOML::

    [categories]
    "涉枪涉爆" = "A.1.8/weapons"
    "新思想启蒙" = "skip"
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

from safecorpus.detect.lexicon.library import Term
from safecorpus.errors import LexiconError

SKIP = "skip"
_TRAILING = ",，;；\t \u3000"


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LexiconError(f"{path}: neither UTF-8 nor GB18030 text")


def read_term_list(path: str | Path) -> Iterator[str]:
    """Yield the terms of a one-term-per-line list, cleaned, in file order (duplicates kept)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise LexiconError(f"{p}: cannot read term list ({exc.strerror})") from None
    for raw in _decode(data, p).splitlines():
        line = raw.strip().strip("\ufeff")
        if not line or line.startswith("#"):
            continue
        term = line.rstrip(_TRAILING).strip()
        if term:
            yield term


def load_mapping(path: str | Path) -> dict[str, str]:
    """Read a category → risk-tag mapping from the ``[categories]`` table of a TOML file."""
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise LexiconError(f"{p}: mapping file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{p}: not valid TOML ({exc})") from None
    table = raw.get("categories")
    if not isinstance(table, dict):
        raise LexiconError(f"{p}: expected a [categories] table mapping file stems to risk tags")
    mapping: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise LexiconError(f"{p}: category {key!r} must map to a risk tag string or 'skip'")
        mapping[str(key)] = value.strip()
    return mapping


def _split_tag(tag: str, path: Path) -> tuple[str, str | None]:
    # Imported lazily: the taxonomy is only needed when a mapping is applied.
    from safecorpus.errors import ConfigError
    from safecorpus.taxonomy.risks import load_taxonomy

    try:
        return load_taxonomy().validate_tag(tag)
    except ConfigError as exc:
        raise LexiconError(f"{path}: mapping value {tag!r} is not a valid risk tag: {exc}") from None


def import_category_lists(
    paths: Iterable[str | Path],
    mapping: dict[str, str],
    source_prefix: str,
    *,
    weight: float = 1.0,
    lang: str | None = "zh",
) -> list[Term]:
    """Turn category lists into terms tagged by ``mapping[file stem]``.

    ``source`` of each term is ``<source_prefix>/<file name>``. Terms repeated within or across files
    are kept once per (term, tag), first occurrence wins; no other filtering is done here.
    """
    if not 0 < weight <= 1:
        raise LexiconError(f"weight {weight} must be in (0, 1]")
    prefix = source_prefix.rstrip("/")
    terms: list[Term] = []
    seen: set[tuple[str, str]] = set()
    for path in paths:
        p = Path(path)
        category = p.stem
        if category not in mapping:
            known = ", ".join(sorted(mapping)) or "none"
            raise LexiconError(
                f"{p}: category {category!r} is not in the mapping (known categories: {known}); "
                "add it to the mapping file, or map it to 'skip'"
            )
        tag = mapping[category]
        if tag == SKIP:
            continue
        risk, topic = _split_tag(tag, p)
        source = f"{prefix}/{p.name}" if prefix else p.name
        for term in read_term_list(p):
            key = (term, tag)
            if key in seen:
                continue
            seen.add(key)
            terms.append(Term(term=term, risk=risk, topic=topic, weight=weight, lang=lang, source=source))
    return terms
