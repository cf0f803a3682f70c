"""Keyword-library management: merge (import), version bumps, diff and export.

Terms are compared by canonical form (`canonical_terms`: NFKC, lower case, traditional → simplified,
invisible characters and inserted separators removed), so a variant spelling of a term already in the
library is a duplicate, not a new term.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safecorpus.detect.lexicon.library import Lexicon, Term
from safecorpus.detect.lexicon.normalize import canonical_terms
from safecorpus.errors import LexiconError

EXPORT_FORMATS = ("tsv", "csv", "filing")
FILING_COLUMNS = ("关键词", "一级分类", "二级分类")


# --------------------------------------------------------------------------------------------------
# versions


def bump_version(version: str, today: dt.date | None = None) -> str:
    """The next version: date versions (``YYYY.MM.DD[.N]``) move to today's date, or to ``.N+1`` when
    already dated today; plain integers are incremented; anything else gets today's date."""
    today = today or dt.date.today()
    stamp = today.strftime("%Y.%m.%d")
    m = re.fullmatch(r"(\d{4}\.\d{2}\.\d{2})(?:\.(\d+))?", version.strip())
    if m:
        if m.group(1) == stamp:
            return f"{stamp}.{int(m.group(2) or 0) + 1}"
        if m.group(1) > stamp:  # a version from the future: never go back
            return f"{m.group(1)}.{int(m.group(2) or 0) + 1}"
        return stamp
    if version.strip().isdigit():
        return str(int(version) + 1)
    return stamp


# --------------------------------------------------------------------------------------------------
# merge


@dataclass
class MergeReport:
    added: int = 0
    duplicates: int = 0  # same canonical form and risk as a row already there
    empty: int = 0  # canonical form empty (only symbols or invisible characters)
    added_per_risk: Counter[str] = field(default_factory=Counter)
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "duplicates": self.duplicates,
            "empty": self.empty,
            "added_per_risk": dict(sorted(self.added_per_risk.items())),
            "sources": self.sources,
        }


def merge_terms(
    target: Lexicon,
    new_terms: Sequence[Term],
    *,
    sources: Iterable[str] = (),
    today: dt.date | None = None,
    bump: bool = True,
) -> MergeReport:
    """Add ``new_terms`` to ``target`` in place, one row per (canonical form, risk); rows already in
    the target win. Bumps the version and ``updated_at`` and records the import in the header."""
    report = MergeReport(sources=list(sources))
    existing = canonical_terms([t.term for t in target.terms])
    seen = {(c, t.risk) for c, t in zip(existing, target.terms, strict=True) if c}
    for term, canonical in zip(new_terms, canonical_terms([t.term for t in new_terms]), strict=True):
        if not canonical:
            report.empty += 1
            continue
        key = (canonical, term.risk)
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        target.terms.append(term)
        report.added += 1
        report.added_per_risk[term.risk] += 1
    today = today or dt.date.today()
    if bump:
        target.version = bump_version(target.version, today)
        target.updated_at = today
    n = 1 + sum(1 for k in target.header if k.startswith("import_"))
    target.header[f"import_{n}"] = (
        f"{today.isoformat()} version {target.version}: +{report.added} terms "
        f"({report.duplicates} duplicates) from {', '.join(report.sources) or 'unnamed input'}"
    )
    return report


def sort_terms(lexicon: Lexicon) -> None:
    """Sort rows by (risk, topic, term) as the build script does, so files diff well."""
    lexicon.terms.sort(key=lambda t: (t.risk, t.topic or "", t.term, t.source or ""))


# --------------------------------------------------------------------------------------------------
# diff


@dataclass
class LexiconDiff:
    a: str
    b: str
    added: list[tuple[str, list[str]]]  # (canonical form, tags in B)
    removed: list[tuple[str, list[str]]]
    changed: list[tuple[str, list[str], list[str]]]  # (canonical form, A's "tag weight", B's)
    per_risk: list[dict[str, Any]]

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self, with_terms: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "a": self.a,
            "b": self.b,
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "per_risk": self.per_risk,
        }
        if with_terms:
            out["added_terms"] = [{"term": c, "tags": t} for c, t in self.added]
            out["removed_terms"] = [{"term": c, "tags": t} for c, t in self.removed]
            out["changed_terms"] = [{"term": c, "a": x, "b": y} for c, x, y in self.changed]
        return out


def _by_canonical(lexicon: Lexicon) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for t, c in zip(lexicon.terms, canonical_terms([t.term for t in lexicon.terms]), strict=True):
        if c:
            out.setdefault(c, set()).add(f"{t.tag} {t.weight:g}")
    return {c: sorted(v) for c, v in out.items()}


def _risk_counts(entries: dict[str, list[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for tags in entries.values():
        for risk in {tag.split(" ")[0].split("/")[0] for tag in tags}:
            counts[risk] += 1
    return counts


def diff_lexicons(a: Lexicon, b: Lexicon) -> LexiconDiff:
    """Terms added, removed and changed (tag or weight) between two libraries, by canonical form, and
    the change of distinct canonical terms per risk."""
    ea, eb = _by_canonical(a), _by_canonical(b)

    def tags(entry: list[str]) -> list[str]:
        return sorted({x.split(" ")[0] for x in entry})

    added = [(c, tags(eb[c])) for c in sorted(eb.keys() - ea.keys())]
    removed = [(c, tags(ea[c])) for c in sorted(ea.keys() - eb.keys())]
    changed = [(c, ea[c], eb[c]) for c in sorted(ea.keys() & eb.keys()) if ea[c] != eb[c]]
    ca, cb = _risk_counts(ea), _risk_counts(eb)
    per_risk = [
        {"risk": r, "a": ca[r], "b": cb[r], "change": cb[r] - ca[r]}
        for r in sorted(ca.keys() | cb.keys(), key=_risk_key)
    ]
    return LexiconDiff(a.ident, b.ident, added, removed, changed, per_risk)


def _risk_key(risk: str) -> tuple[Any, ...]:
    parts = risk.split(".")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


# --------------------------------------------------------------------------------------------------
# export


def export_lexicon(lexicon: Lexicon, fmt: str) -> str:
    """The library as text: ``tsv`` (the library format itself), ``csv`` (every column, one header
    row, no comments) or ``filing`` (the filing attachment layout: keyword, level-1 category = the risk
    group's Chinese name, level-2 category = the risk's Chinese name; one row per canonical term and
    risk)."""
    from safecorpus.detect.lexicon.library import COLUMNS, format_lexicon

    if fmt == "tsv":
        return "".join(format_lexicon(lexicon))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if fmt == "csv":
        extra_cols = sorted({k for t in lexicon.terms for k, _ in t.extra})
        writer.writerow([*COLUMNS, *extra_cols])
        for t in lexicon.terms:
            extra = dict(t.extra)
            row = [t.term, t.risk, t.topic or "", f"{t.weight:g}", t.lang or "", t.source or ""]
            writer.writerow(row + [extra.get(k, "") for k in extra_cols])
        return buf.getvalue()
    if fmt == "filing":
        from safecorpus.taxonomy.risks import load_taxonomy

        taxonomy = load_taxonomy()
        groups = {g.id: g.zh for g in taxonomy.groups}
        writer.writerow(FILING_COLUMNS)
        seen: set[tuple[str, str]] = set()
        rows = zip(lexicon.terms, canonical_terms([t.term for t in lexicon.terms]), strict=True)
        for line_no, (t, canonical) in enumerate(rows, start=1):
            if not canonical or (canonical, t.risk) in seen:
                continue
            seen.add((canonical, t.risk))
            try:
                risk = taxonomy.risk(t.risk)
            except KeyError:
                raise LexiconError(
                    f"{lexicon.path or lexicon.ident}: term row {line_no} has risk {t.risk!r}, "
                    "which is not in the taxonomy; the filing layout needs A.1.1 … A.5.2"
                ) from None
            writer.writerow([canonical, groups.get(risk.group, risk.group), risk.zh])
        return buf.getvalue()
    raise LexiconError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")


def read_any_terms(
    path: str | Path,
    mapping: dict[str, str] | None,
    source_prefix: str,
    *,
    weight: float = 1.0,
    lang: str | None = "zh",
) -> list[Term]:
    """Terms from a lexicon TSV (detected by its first line; rows keep their own weight, and their source
    or else the library's ``name@version``) or a one-term-per-line category list (which needs
    ``mapping``; rows get ``weight``, ``lang`` and the source ``<source_prefix>/<file name>``)."""
    from safecorpus.detect.lexicon.importer import import_category_lists
    from safecorpus.detect.lexicon.library import FORMAT_TAG, read_lexicon

    p = Path(path)
    try:
        with p.open("rb") as handle:
            first = handle.readline(200)
    except OSError as exc:
        raise LexiconError(f"{p}: cannot read ({exc.strerror})") from None
    if first.lstrip(b"\xef\xbb\xbf").startswith(f"# {FORMAT_TAG}".encode()):
        lex = read_lexicon(p)
        return [
            t if t.source else Term(t.term, t.risk, t.topic, t.weight, t.lang, lex.ident, t.extra)
            for t in lex.terms
        ]
    if mapping is None:
        raise LexiconError(
            f"{p}: a one-term-per-line list needs --mapping (a TOML file whose [categories] table maps "
            "the file name's stem to a risk tag such as A.1.8/gambling)"
        )
    return import_category_lists([p], mapping, source_prefix, weight=weight, lang=lang)
