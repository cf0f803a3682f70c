"""Rules applied after keyword matching: the allow-list and context rules.

**Allow-list.** A list of benign phrases that contain a library term (place names, idioms, ordinary
words). A match is suppressed when an allow-list phrase found in the same text covers the match's span.
The phrases are found by a second `LexiconDetector`, built with the keyword detector's normaliser
options (basic normalisation, no variants: an allow phrase covers what is written in it, in any width,
case, script or spacing), so they are normalised exactly like the text and found in one fast pass. File format
(TSV, comment header like the lexicon's)::

    # safecorpus-allowlist: 1
    # name: allow_default
    # version: 2026.12.01
    # updated_at: 2026-12-01
    phrase<TAB>note<TAB>source
    ...

**Context rules.** Extra columns of the lexicon TSV (kept in ``Term.extra``):

- ``context_require``: ``|``-separated words; the term counts only when one of them occurs nearby;
- ``context_exclude``: ``|``-separated words; the term does not count when one of them occurs nearby;
- ``context_window``: "nearby" in characters of the original text between the two spans (default 20).

Rows are grouped by canonical form in the detector, so rules are too: the rules of every row of one
canonical form are merged (require and exclude words are united, the widest window wins). A context word
that lies entirely inside the match itself does not count.

Use::

    rules = load_rules(lexicon, detector)          # allow-list from the lexicon's header or the
    kept = apply_rules(texts, matches, rules)      # packaged allow_<name>.tsv, context rules from rows
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from safecorpus.detect.lexicon.library import Lexicon, Term, format_header, parse_updated_at, read_data_text
from safecorpus.errors import LexiconError

if TYPE_CHECKING:
    from safecorpus.detect.lexicon.detector import LexiconDetector, Matches

ALLOW_TAG = "safecorpus-allowlist"
ALLOW_FORMAT = "1"
ALLOW_COLUMNS = ("phrase", "note", "source")
DEFAULT_WINDOW = 20
CONTEXT_COLUMNS = ("context_require", "context_exclude", "context_window")
_NO_ALLOW = {"", "none", "-"}


# --------------------------------------------------------------------------------------------------
# allow-list file


@dataclass(frozen=True, slots=True)
class AllowPhrase:
    phrase: str
    note: str | None = None
    source: str | None = None


@dataclass
class AllowList:
    name: str
    version: str
    updated_at: dt.date | None
    phrases: list[AllowPhrase]
    header: dict[str, str] = field(default_factory=dict)
    path: str | None = None

    @property
    def ident(self) -> str:
        return f"{self.name}@{self.version}"


def parse_allow_list(text: str, path: str = "<allow-list>") -> AllowList:
    lines = text.splitlines()
    header: dict[str, str] = {}
    for ln in lines:
        if ln.startswith("#"):
            key, sep, value = ln[1:].partition(":")
            if sep:
                header[key.strip()] = value.strip()
    if header.get(ALLOW_TAG) != ALLOW_FORMAT:
        raise LexiconError(f"{path}: line 1 must be '# {ALLOW_TAG}: {ALLOW_FORMAT}'")
    body = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("#")]
    if not body or body[0][1].split("\t")[0] != "phrase":
        line_no = body[0][0] if body else len(lines)
        raise LexiconError(f"{path}:{line_no}: the column header must be 'phrase<TAB>note<TAB>source'")
    phrases: list[AllowPhrase] = []
    for line_no, line in body[1:]:
        cells = line.split("\t")
        if len(cells) > len(ALLOW_COLUMNS):
            raise LexiconError(f"{path}:{line_no}: {len(cells)} cells but {len(ALLOW_COLUMNS)} columns")
        cells += [""] * (len(ALLOW_COLUMNS) - len(cells))
        if not cells[0].strip():
            raise LexiconError(f"{path}:{line_no}: the phrase is empty")
        phrases.append(AllowPhrase(cells[0].strip(), cells[1].strip() or None, cells[2].strip() or None))
    updated_at = parse_updated_at(header, path)
    return AllowList(
        name=header.get("name", Path(path).stem),
        version=header.get("version", "0"),
        updated_at=updated_at,
        phrases=phrases,
        header=header,
        path=path,
    )


def read_allow_list(path: str | Path) -> AllowList:
    """Read an allow-list TSV; a bare name (``allow_default``) loads a packaged one."""
    text, origin = read_data_text(path, "allow-list")
    return parse_allow_list(text, origin)


def format_allow_list(allow: AllowList) -> Iterator[str]:
    yield from format_header(
        ALLOW_TAG, ALLOW_FORMAT, allow.name, allow.version, allow.updated_at, allow.header
    )
    yield "\t".join(ALLOW_COLUMNS) + "\n"
    for p in allow.phrases:
        cells = (p.phrase, p.note or "", p.source or "")
        if any("\t" in c or "\n" in c for c in cells):
            raise LexiconError(f"allow-list phrase {p.phrase!r}: a cell contains a tab or newline")
        yield "\t".join(cells) + "\n"


def write_allow_list(allow: AllowList, path: str | Path) -> None:
    Path(path).write_text("".join(format_allow_list(allow)), "utf-8")


def default_allow_list_for(lexicon: Lexicon) -> AllowList | None:
    """The allow-list a lexicon names in its ``allow_list`` header (a path, relative to the lexicon
    file, or a packaged name; ``none`` for no allow-list), else the packaged ``allow_<name>.tsv``."""
    named = lexicon.header.get("allow_list")
    if named is not None:
        if named.strip().lower() in _NO_ALLOW:
            return None
        candidate = Path(named)
        if lexicon.path and not candidate.is_absolute() and not str(lexicon.path).startswith("packaged:"):
            beside = Path(lexicon.path).parent / candidate
            if beside.exists():
                candidate = beside
        return read_allow_list(candidate if candidate.exists() else named)
    packaged = resources.files("safecorpus.data").joinpath(f"lexicons/allow_{lexicon.name}.tsv")
    if packaged.is_file():
        return parse_allow_list(packaged.read_text("utf-8"), f"packaged:allow_{lexicon.name}")
    return None


# --------------------------------------------------------------------------------------------------
# context rules


@dataclass(frozen=True, slots=True)
class ContextRule:
    require: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    window: int = DEFAULT_WINDOW

    def merge(self, other: ContextRule) -> ContextRule:
        return ContextRule(
            tuple(dict.fromkeys(self.require + other.require)),
            tuple(dict.fromkeys(self.exclude + other.exclude)),
            max(self.window, other.window),
        )

    def to_extra(self) -> tuple[tuple[str, str], ...]:
        out = []
        if self.require:
            out.append(("context_require", "|".join(self.require)))
        if self.exclude:
            out.append(("context_exclude", "|".join(self.exclude)))
        if self.window != DEFAULT_WINDOW:
            out.append(("context_window", str(self.window)))
        return tuple(out)


def _split_words(value: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in value.split("|") if w.strip())


def context_rule(term: Term, where: str = "") -> ContextRule | None:
    """The context rule in a row's extra columns, or None when the row has none."""
    extra = dict(term.extra)
    require = _split_words(extra.get("context_require", ""))
    exclude = _split_words(extra.get("context_exclude", ""))
    raw_window = extra.get("context_window", "").strip()
    if not (require or exclude):
        return None
    window = DEFAULT_WINDOW
    if raw_window:
        try:
            window = int(raw_window)
        except ValueError:
            window = -1
        if window < 0:
            raise LexiconError(
                f"{where or 'lexicon'}: term {term.term!r}: context_window {raw_window!r} "
                "must be a whole number of characters ≥ 0"
            )
    return ContextRule(require, exclude, window)


def with_context_rule(term: Term, rule: ContextRule | None) -> Term:
    """A copy of ``term`` whose context columns hold ``rule`` (None removes them)."""
    kept = tuple((k, v) for k, v in term.extra if k not in CONTEXT_COLUMNS)
    new_extra = kept + (rule.to_extra() if rule else ())
    return Term(term.term, term.risk, term.topic, term.weight, term.lang, term.source, new_extra)


# --------------------------------------------------------------------------------------------------
# the compiled rules and their application


@dataclass
class RuleDecision:
    """Why one match was kept or suppressed (for ``lexicon check`` and debugging)."""

    kept: bool
    allow_phrase: str | None = None
    allow_span: tuple[int, int] | None = None
    context: str | None = None  # "require" or "exclude"
    context_words: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.allow_phrase is not None:
            return f"suppressed by allow-list phrase {self.allow_phrase!r} at {self.allow_span}"
        if self.context == "require":
            return (
                "suppressed: none of the required context words nearby ("
                + ", ".join(self.context_words)
                + ")"
            )
        if self.context == "exclude":
            return "suppressed: excluded context word nearby (" + ", ".join(self.context_words) + ")"
        return "kept"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kept": self.kept,
            "allow_phrase": self.allow_phrase,
            "allow_span": list(self.allow_span) if self.allow_span else None,
            "context": self.context,
            "context_words": list(self.context_words),
        }


class LexiconRules:
    """Compiled post-match rules for one keyword detector: build once, apply to every batch."""

    def __init__(
        self,
        detector: LexiconDetector,
        allow: AllowList | None = None,
        *,
        where: str | None = None,
    ) -> None:
        from safecorpus.detect.lexicon.detector import LexiconDetector

        where = where or detector.lexicon.path or detector.lexicon.ident
        self.allow = allow
        options = detector.normalizer.options
        self.allow_phrases: list[str] = []
        self.allow_detector: LexiconDetector | None = None
        if allow is not None and allow.phrases:
            terms = [Term(p.phrase, "allow", None, 1.0, None, p.source) for p in allow.phrases]
            lex = Lexicon(allow.name, allow.version, allow.updated_at, terms, path=allow.path)
            self.allow_detector = LexiconDetector(lex, options=options, name="allow")
        # context rules per pattern (canonical form) of the keyword detector
        self.pattern_rules: dict[int, ContextRule] = {}
        for i, terms in enumerate(detector.pattern_terms):
            merged: ContextRule | None = None
            for t in terms:
                rule = context_rule(t, where)
                if rule is not None:
                    merged = rule if merged is None else merged.merge(rule)
            if merged is not None:
                self.pattern_rules[i] = merged
        self.context_detector: LexiconDetector | None = None
        self._context_word_ids: dict[str, int] = {}
        if self.pattern_rules:
            words = sorted({w for r in self.pattern_rules.values() for w in (*r.require, *r.exclude)})
            lex = Lexicon("context", "1", None, [Term(w, "context") for w in words])
            self.context_detector = LexiconDetector(lex, options=options, name="context")
            # the canonical pattern index each context word ended up under
            for p_index, p_terms in enumerate(self.context_detector.pattern_terms):
                for t in p_terms:
                    self._context_word_ids[t.term] = p_index
        self._rule_patterns = np.array(sorted(self.pattern_rules), dtype=np.int64)

    @property
    def empty(self) -> bool:
        return self.allow_detector is None and not self.pattern_rules

    def summary(self) -> dict[str, Any]:
        return {
            "allow_list": self.allow.ident if self.allow else None,
            "allow_phrases": len(self.allow.phrases) if self.allow else 0,
            "context_rules": len(self.pattern_rules),
        }

    # -- evaluation -------------------------------------------------------------------------------

    def keep_mask(self, texts: Sequence[str], matches: Matches) -> np.ndarray:
        """Boolean mask over ``matches``: True where no rule suppresses the match."""
        return self._evaluate(texts, matches, explain=False)[0]

    def explain(self, texts: Sequence[str], matches: Matches) -> list[RuleDecision]:
        """One decision per match, saying which rule (if any) suppressed it."""
        return self._evaluate(texts, matches, explain=True)[1]

    def _evaluate(
        self, texts: Sequence[str], matches: Matches, *, explain: bool
    ) -> tuple[np.ndarray, list[RuleDecision]]:
        n = len(matches)
        keep = np.ones(n, dtype=bool)
        decisions = [RuleDecision(True) for _ in range(n)] if explain else []
        if not n or self.empty:
            return keep, decisions
        if self.allow_detector is not None:
            # only the texts with a match can suppress one: scan those (a few in a batch), not all
            allowed = _in_docs(self.allow_detector, texts, np.unique(matches.docs))
            if len(allowed):
                covered, which = _covered(matches, allowed)
                keep &= ~covered
                if explain:
                    for i in np.flatnonzero(covered).tolist():
                        j = int(which[i])
                        a_start, a_end = int(allowed.starts[j]), int(allowed.ends[j])
                        phrase = texts[int(allowed.docs[j])][a_start:a_end]
                        decisions[i] = RuleDecision(False, allow_phrase=phrase, allow_span=(a_start, a_end))
        if self.context_detector is not None and self._rule_patterns.size:
            ruled = keep & np.isin(matches.patterns, self._rule_patterns)
            if ruled.any():
                idx = np.flatnonzero(ruled)
                docs = np.unique(matches.docs[idx])
                sub_texts = [texts[int(d)] for d in docs]
                ctx = self.context_detector.match_batch(sub_texts)
                by_doc: dict[int, list[tuple[int, int, int]]] = {}
                for m in ctx:
                    by_doc.setdefault(int(docs[m.doc]), []).append((m.start, m.end, m.pattern))
                for i in idx.tolist():
                    rule = self.pattern_rules[int(matches.patterns[i])]
                    doc = int(matches.docs[i])
                    s, e = int(matches.starts[i]), int(matches.ends[i])
                    near = {
                        p
                        for cs, ce, p in by_doc.get(doc, ())
                        if not (cs >= s and ce <= e) and max(cs - e, s - ce, 0) <= rule.window
                    }
                    verdict: RuleDecision | None = None
                    if rule.exclude:
                        hit = tuple(w for w in rule.exclude if self._context_word_ids.get(w) in near)
                        if hit:
                            verdict = RuleDecision(False, context="exclude", context_words=hit)
                    if (
                        verdict is None
                        and rule.require
                        and not any(self._context_word_ids.get(w) in near for w in rule.require)
                    ):
                        verdict = RuleDecision(False, context="require", context_words=rule.require)
                    if verdict is not None:
                        keep[i] = False
                        if explain:
                            decisions[i] = verdict
        return keep, decisions


def _in_docs(detector: LexiconDetector, texts: Sequence[str], docs: np.ndarray) -> Matches:
    """``detector``'s matches in ``texts[d]`` for each ``d`` of the sorted ``docs``, with batch indices."""
    if docs.size == len(texts):
        return detector.match_batch(texts)
    found = detector.match_batch([texts[d] for d in docs.tolist()])
    if not len(found):
        return found
    # Matches is imported for type checking only (import cycle), so build it through its type
    return type(found)(docs[found.docs], found.starts, found.ends, found.patterns, found.channels)


def _covered(matches: Matches, allowed: Matches) -> tuple[np.ndarray, np.ndarray]:
    """For each match, whether some allow span of the same doc covers it, and that span's index."""
    big = np.int64(max(int(matches.ends.max(initial=0)), int(allowed.ends.max(initial=0))) + 2)
    a_start = allowed.docs * big + allowed.starts
    a_end = allowed.docs * big + allowed.ends
    order = np.argsort(a_start, kind="stable")
    a_start, a_end = a_start[order], a_end[order]
    # running maximum of the ends, and which span holds it
    run_end = np.maximum.accumulate(a_end)
    holder = np.zeros(a_end.size, dtype=np.int64)
    is_new = np.concatenate(([True], a_end[1:] > run_end[:-1]))
    holder[is_new] = np.flatnonzero(is_new)
    holder = np.maximum.accumulate(holder)
    m_start = matches.docs * big + matches.starts
    m_end = matches.docs * big + matches.ends
    pos = np.searchsorted(a_start, m_start, side="right") - 1
    valid = pos >= 0
    covered = np.zeros(m_start.size, dtype=bool)
    covered[valid] = run_end[pos[valid]] >= m_end[valid]
    which = np.full(m_start.size, -1, dtype=np.int64)
    which[covered] = order[holder[pos[covered]]]
    return covered, which


def load_rules(
    lexicon: Lexicon,
    detector: LexiconDetector,
    allow: AllowList | str | Path | None = None,
    *,
    use_allow: bool = True,
) -> LexiconRules:
    """Rules for ``detector``: the given allow-list (or the lexicon's default one) and the context rules
    in the lexicon's rows."""
    if not use_allow:
        allow_list = None
    elif allow is None:
        allow_list = default_allow_list_for(lexicon)
    elif isinstance(allow, AllowList):
        allow_list = allow
    else:
        allow_list = read_allow_list(allow)
    return LexiconRules(detector, allow_list)


def apply_rules(texts: Sequence[str], matches: Matches, rules: LexiconRules | None) -> Matches:
    """``matches`` without those an allow-list phrase covers or a context rule rejects."""
    if rules is None or rules.empty or not len(matches):
        return matches
    keep = rules.keep_mask(texts, matches)
    if keep.all():
        return matches
    return subset_matches(matches, keep)


def subset_matches(matches: Matches, keep: np.ndarray) -> Matches:
    """The matches where ``keep`` is True (every parallel array of ``Matches`` is sliced alike)."""
    out = object.__new__(type(matches))
    for slot in type(matches).__slots__:
        setattr(out, slot, getattr(matches, slot)[keep])
    return out
