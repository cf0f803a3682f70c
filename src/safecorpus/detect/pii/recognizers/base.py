"""The recognizer shape: mostly data (patterns, context words) plus one validation hook.

A recognizer proposes candidate spans with regular expressions; the engine finds them all in one pass and
then calls the recognizer's ``validate`` hook on each candidate only. The hook returns a :class:`Check`
(what was verified, and whether it passed) or ``None`` when the candidate is not this entity at all.
A candidate that has the shape of an identifier but fails its check digit is *kept* with
``validated=False`` (a mistyped or forged number is still personal information).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

# Digit classes used by the patterns: ASCII and full-width digits (offsets stay in the original text).
DIGIT = "0-9\uff10-\uff19"
ALNUM = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def halfwidth(text: str) -> str:
    """Full-width ASCII forms to ASCII (one code point to one, so offsets are unchanged)."""
    return text.translate(_FULLWIDTH)


def digits_of(text: str) -> str:
    """The ASCII digits (and a trailing X for check characters) of a candidate, separators removed."""
    return "".join(ch for ch in halfwidth(text) if ch.isalnum()).upper()


@dataclass(frozen=True, slots=True)
class Pattern:
    """One regular expression proposing candidates, with the base score of a candidate it finds."""

    name: str
    regex: str
    score: float
    flags: int = 0
    prefilter: bool = True  # False: matches in most texts anyway, so the hyperscan gate would only cost time
    # Proposes exactly the spans ``regex.finditer`` would, faster (the regex stays the reference and the
    # prefilter gate); a test checks the two agree.
    finder: Callable[[str], list[tuple[int, int]]] | None = None
    # The regex is written in lower case and flagged IGNORECASE; the engine may run it case-sensitively
    # on the lower-cased text instead (``re`` is several times slower case-insensitively), which finds the
    # same spans wherever lower-casing keeps every offset (see ``engine.fold_case``).
    lower_case: bool = False
    # A hyperscan-friendly expression that matches wherever ``regex`` can (look-arounds written out as
    # consumed characters), used as the prefilter gate instead of ``regex``: hyperscan drops look-arounds
    # in prefilter mode, which would make a gate that fires on almost every Chinese text.
    gate: str | None = None


@dataclass(slots=True)
class Check:
    """The verdict of a validation hook on one candidate (read-only by convention: not frozen, because
    validation hooks build one per candidate and a frozen dataclass costs several times more to build).

    ``checks`` maps each check's name (``gb11643_mod11_2``, ``luhn``, ``birth_date``…) to pass/fail.
    ``score`` overrides the pattern's base score when set. ``extra`` is copied into the finding's evidence
    (for example the card brand or the birth date).
    """

    checks: dict[str, bool] = field(default_factory=dict)
    score: float | None = None
    extra: dict[str, object] = field(default_factory=dict)
    entity: str | None = None  # a recognizer that emits two types (mobile/landline) names the one it saw
    span: tuple[int, int] | None = None  # a narrower span than the match (a context word trimmed off)

    @property
    def validated(self) -> bool | None:
        if not self.checks:
            return None
        return all(self.checks.values())


Finder = Callable[[str], Iterable[tuple[int, int]]]
"""``finder(text)`` yields candidate ``(start, end)`` spans where a regex scan would be too slow."""

Validator = Callable[[str, str, int, int], Check | None]
"""``validate(value, text, start, end)``: ``value`` is ``text[start:end]``."""


def _accept(value: str, text: str, start: int, end: int) -> Check | None:
    return Check()


@dataclass(slots=True)
class Recognizer:
    """A PII recognizer: entity type, patterns, context words, and a validation hook.

    ``context`` words found within ``context_window`` code points before (or ``context_after`` after) a
    candidate raise its score by ``context_boost``; with ``requires_context`` a candidate without them is
    dropped (QQ numbers, WeChat ids, the bare 8-digit Taiwan permit). ``category`` names a sensitive-PI
    class of PIPL Art. 28 (``financial_account`` …) when the entity itself is sensitive.
    """

    name: str
    entity: str
    patterns: Sequence[Pattern]
    validate: Validator = _accept
    context: Sequence[str] = ()
    context_window: int = 16
    context_after: int = 0
    context_boost: float = 0.15
    requires_context: bool = False
    category: str | None = None
    languages: tuple[str, ...] = ("zh", "en")
    version: str = "1"
    risk: str = "A.4.6"
    finder: Finder | None = None  # when set, ``patterns`` only gate the prefilter; the finder proposes spans
    _context_re: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def context_regex(self) -> re.Pattern[str] | None:
        if self._context_re is None and self.context:
            self._context_re = re.compile(trie_regex(w.lower() for w in self.context), re.IGNORECASE)
        return self._context_re

    def has_context(self, text: str, start: int, end: int) -> bool:
        rx = self.context_regex()
        if rx is None:
            return False
        if rx.search(text, max(0, start - self.context_window), start):
            return True
        if self.context_after:
            return rx.search(text, end, end + self.context_after) is not None
        return False

    @property
    def sensitive(self) -> bool:
        return self.category is not None


def luhn_ok(digits: str) -> bool:
    """The Luhn (ISO/IEC 7812-1) check over a string of ASCII digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass the Luhn check (used by tests and generators)."""
    for d in "0123456789":
        if luhn_ok(payload + d):
            return d
    raise AssertionError("unreachable")


def trie_regex(words: Iterable[str], after_first: str = "") -> str:
    """A regex alternation of ``words`` factored into a trie (``re`` tries branches one by one, so
    sharing prefixes makes large word lists several times faster). Matches the longest word first.

    Every branch starts with a literal, which lets ``re`` skip ahead with its first-character set.
    ``after_first`` is inserted after the first character of every word: a boundary test written there
    as a look-behind over two characters (``(?<![A-Za-z].)``) keeps that skip, where the same test in
    front of the whole alternation would make ``re`` try it at every position of the text."""
    trie: dict = {}
    for w in set(words):
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict, top: bool = False) -> str:
        glue = after_first if top else ""
        branches = [re.escape(ch) + glue + build(child) for ch, child in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = (
            branches[0]
            if len(branches) == 1 and len(branches[0]) <= 2 and not glue
            else f"(?:{'|'.join(branches)})"
        )
        return f"(?:{body})?" if "" in node else body

    return build(trie, top=True)


def words(*chunks: str) -> tuple[str, ...]:
    """Whitespace-separated word lists written as data (keeps long vocabularies readable)."""
    return tuple(" ".join(chunks).split())
