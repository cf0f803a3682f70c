"""Text normalisation for keyword matching: one vectorised pass over a whole batch of texts.

What it does, per character, through a single code-point table (so the cost does not grow with the
number of rules):

- Unicode NFKC where it maps one character to one character (full-width → half-width, compatibility
  ideographs, circled letters …),
- lower case,
- traditional → simplified Chinese (a character table built from OpenCC, see scripts/build_t2s_table.py),
- invisible characters (zero-width spaces and joiners, BOM, soft hyphen, variation selectors) removed;

then, on the result, runs of at most ``max_separator_run`` inserted separator characters (spaces,
ASCII/Unicode punctuation and symbols, but not Chinese sentence punctuation or line breaks) are removed
where they stand between two CJK characters, so a term written with dots or spaces between its
characters still matches.

Texts and terms go through the same normaliser, so matching only needs consistency. The batch form keeps
an index from every normalised character back to the original text, so spans map back exactly; the
index is built only when characters were removed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

MAX_CP = 0x110000
# Characters never treated as separators even though Unicode files them as punctuation: a Chinese
# sentence break is structure, not obfuscation, and removing it would join unrelated clauses.
_SENTENCE_PUNCT = set("，。、；：？「」『』（）《》〈〉【】“”‘’\"'()[]{}<>,;:?")
SEPARATOR_CATEGORIES = {"Zs", "Pc", "Pd", "Po", "Sm", "Sk", "So"}
_INVISIBLE = [0x00AD, 0x034F, 0x061C, 0x180E, 0xFEFF, *range(0x200B, 0x2010), *range(0x202A, 0x202F)]
_INVISIBLE += [
    *range(0x2060, 0x2070),
    *range(0xFE00, 0xFE10),
    *range(0xE0100, 0xE01F0),
    *range(0xE0000, 0xE0080),
]
_CJK_RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F), (0x3040, 0x30FF)]


@lru_cache(maxsize=1)
def _t2s_pairs() -> dict[int, int]:
    text = resources.files("safecorpus.data").joinpath("t2s_chars.tsv").read_text("utf-8")
    pairs: dict[int, int] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            trad, simp = line.split("\t")
            pairs[ord(trad)] = ord(simp)
    return pairs


@dataclass(frozen=True)
class NormalizerOptions:
    nfkc: bool = True
    lower: bool = True
    t2s: bool = True
    strip_invisible: bool = True
    squeeze_separators: bool = True
    max_separator_run: int = 3

    def describe(self) -> list[str]:
        names = ["nfkc", "lower", "t2s", "strip_invisible", "squeeze_separators"]
        return [n for n in names if getattr(self, n)]


@lru_cache(maxsize=8)
def _tables(options: NormalizerOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code-point map with 0 = delete, separator flags, CJK flags), built once per option set."""
    table = np.arange(MAX_CP, dtype=np.uint32)
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        out = unicodedata.normalize("NFKC", ch) if options.nfkc else ch
        if options.lower:
            out = out.lower()
        if len(out) == 1 and out != ch:
            table[cp] = ord(out)
    if options.nfkc:  # mathematical alphanumerics and enclosed letters beyond the BMP
        for cp in [*range(0x1D400, 0x1D800), *range(0x1F100, 0x1F200)]:
            out = unicodedata.normalize("NFKC", chr(cp))
            out = out.lower() if options.lower else out
            if len(out) == 1:
                table[cp] = ord(out)
    if options.t2s:
        t2s = _t2s_pairs()
        for trad, simp in t2s.items():
            table[trad] = simp
        # NFKC can land a compatibility ideograph on a traditional form: apply t2s to the targets too
        for at in np.flatnonzero(table != np.arange(MAX_CP, dtype=np.uint32)):
            target = int(table[at])
            if target in t2s:
                table[at] = t2s[target]
    if options.strip_invisible:
        table[_INVISIBLE] = 0
    # code point 0 doubles as the delete marker, so NUL characters are always removed
    separators = np.zeros(MAX_CP, dtype=bool)
    if options.squeeze_separators:
        for cp in range(0x10000):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            ch = chr(cp)
            if unicodedata.category(ch) in SEPARATOR_CATEGORIES and ch not in _SENTENCE_PUNCT:
                separators[cp] = True
        separators[0x1F000:0x1FB00] = True  # emoji and pictographs
        separators[[0x09, 0x0A, 0x0D]] = False
    cjk = np.zeros(MAX_CP, dtype=bool)
    for low, high in _CJK_RANGES:
        cjk[low : high + 1] = True
    return table, separators, cjk


@dataclass(slots=True)
class NormalizedBatch:
    """The normalised text of a batch of documents joined by newlines, with the maps back."""

    text: str
    codes: np.ndarray  # normalised code points
    # the positions of the joined original text that normalising removed (sorted; None = none), as
    # "kept characters before each": usually a handful, so the map back costs nothing per character
    removed_at: np.ndarray | None
    doc_starts: np.ndarray  # start of each document in the joined original text
    doc_lengths: np.ndarray

    @property
    def origin(self) -> np.ndarray | None:
        """Index into the joined original text per normalised character; None = identity."""
        return None if self.removed_at is None else self.to_original(np.arange(self.codes.size))

    def to_original(self, positions: np.ndarray) -> np.ndarray:
        """Index into the joined original text of each normalised position."""
        return positions if self.removed_at is None else _to_raw(self.removed_at, positions)


def _removed_at(removed: np.ndarray) -> np.ndarray:
    """Sorted removed positions → the number of kept positions before each (non-decreasing)."""
    return removed - np.arange(removed.size, dtype=removed.dtype)


def _to_raw(removed_at: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """A kept position's index before removal: itself plus the removed positions before it."""
    return positions + np.searchsorted(removed_at, positions, side="right")


_OTHER, _SEP, _CJK = 0, 1, 2
_CODE_MASK = np.uint32(0x1FFFFF)
_STOPS = np.array([ord(c) for c in ".!?…"], dtype=np.uint32)
_SPACES = np.array([ord(c) for c in " \u3000\u00a0"], dtype=np.uint32)


class Normalizer:
    """Vectorised normaliser; build once, reuse for every batch (the tables take ~0.2 s to build)."""

    def __init__(self, options: NormalizerOptions | None = None) -> None:
        self.options = options or NormalizerOptions()
        self._table, self._separators, self._cjk = _tables(self.options)
        classes = np.where(self._cjk, _CJK, np.where(self._separators, _SEP, _OTHER)).astype(np.uint32)
        # the class of the character each code point normalises to, packed above the code point
        self._packed = self._table | (np.take(classes, self._table) << 24)

    def normalize(self, text: str) -> str:
        """Normalise one string (used for lexicon terms and `lexicon check`)."""
        return self.normalize_batch([text]).text

    def strip_separators(self, term: str) -> str:
        """A term without the separator characters at its ends (its core)."""
        start, end = 0, len(term)
        while start < end and self._separators[ord(term[start])]:
            start += 1
        while end > start and self._separators[ord(term[end - 1])]:
            end -= 1
        return term[start:end]

    def normalize_many(self, texts: Sequence[str]) -> list[str]:
        """Normalise many short strings (terms) in one pass; none may contain a newline."""
        if not texts:
            return []
        return self.normalize_batch(texts).text.split("\n")

    def normalize_batch(self, texts: Sequence[str]) -> NormalizedBatch:
        joined = "\n".join(texts)
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        starts = np.zeros(len(texts), dtype=np.int64)
        if len(texts) > 1:
            np.cumsum(lengths[:-1] + 1, out=starts[1:])
        raw = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        # one gather gives the normalised code point (low 21 bits) and its class (bits 24+); np.take
        # gathers ~1.5x faster than fancy indexing
        packed = np.take(self._packed, raw)
        codes = packed & _CODE_MASK
        removed_at: np.ndarray | None = None  # see NormalizedBatch
        if np.count_nonzero(codes) != codes.size:
            keep = codes != 0
            removed_at = _removed_at(np.flatnonzero(~keep))
            codes, packed = codes[keep], packed[keep]
        if self.options.squeeze_separators and codes.size:
            drop = self._separator_runs(codes, (packed >> 24).astype(np.uint8))
            if drop is not None:
                codes = np.delete(codes, drop)
                raw_drop = drop if removed_at is None else _to_raw(removed_at, drop)
                if removed_at is None:
                    removed_at = _removed_at(raw_drop)
                else:
                    before = removed_at + np.arange(removed_at.size)  # back to removed positions
                    removed_at = _removed_at(np.union1d(before, raw_drop))
        text = codes.tobytes().decode("utf-32-le")
        return NormalizedBatch(text, codes, removed_at, starts, lengths)

    def _separator_runs(self, codes: np.ndarray, cls: np.ndarray) -> np.ndarray | None:
        """Sorted positions of the separator runs (at most ``max_separator_run`` long) with CJK on both
        sides.

        Only separators right after a CJK character can start such a run, so the work beyond one table
        lookup and one comparison is proportional to those few candidates, not to the text.
        """
        starts = np.flatnonzero((cls[1:] == _SEP) & (cls[:-1] == _CJK)) + 1
        if not starts.size:
            return None
        limit = self.options.max_separator_run
        ahead = np.minimum(starts[:, None] + np.arange(limit + 1), codes.size - 1)
        window = cls[ahead]  # the candidate run and the character after it
        is_sep = window == _SEP
        run_len = np.where(is_sep.all(axis=1), limit + 1, np.argmin(is_sep, axis=1))
        after = window[np.arange(starts.size), np.minimum(run_len, limit)]
        ok = (run_len <= limit) & (after == _CJK) & (starts + run_len < codes.size)
        starts, run_len, ahead = starts[ok], run_len[ok], ahead[ok]
        if starts.size:
            # ". " between two characters is a sentence break, not obfuscation: a run with a stop and a
            # space stays (checked only on the few runs that have CJK on both sides)
            in_run = np.arange(limit + 1) < run_len[:, None]
            chars = codes[ahead]
            stop = np.isin(chars, _STOPS) & in_run
            space = np.isin(chars, _SPACES) & in_run
            brk = stop.any(axis=1) & space.any(axis=1)
            starts, run_len = starts[~brk], run_len[~brk]
        if not starts.size:
            return None
        return np.sort(np.concatenate([starts[run_len > k] + k for k in range(limit)]))


@lru_cache(maxsize=1)
def default_normalizer() -> Normalizer:
    return Normalizer()


def canonical_term(term: str) -> str:
    """The canonical form a term is stored, deduplicated and matched under."""
    return default_normalizer().normalize(term.strip())


def canonical_terms(terms: Sequence[str]) -> list[str]:
    """Canonical forms of many terms at once (newlines inside a term are treated as spaces)."""
    return default_normalizer().normalize_many([t.strip().replace("\n", " ") for t in terms])
