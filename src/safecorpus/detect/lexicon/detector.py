"""The keyword (lexicon) detector: the first of the standard's three filter layers.

Per batch: one normalisation pass over all texts joined by newlines, one multi-literal scan of the UTF-8
bytes, then vectorised mapping of the (few) matches back to code-point spans in each original text.
English terms (those that begin or end with an ASCII letter or digit) only match at word boundaries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from safecorpus.detect.base import Finding
from safecorpus.detect.lexicon.library import Lexicon, Term
from safecorpus.detect.lexicon.matcher import make_matcher
from safecorpus.detect.lexicon.normalize import Normalizer, NormalizerOptions
from safecorpus.errors import ConfigError
from safecorpus.io.records import Record

VERSION = "1.0"

_WORD = np.zeros(0x110000, dtype=bool)
for _lo, _hi in ((ord("0"), ord("9")), (ord("a"), ord("z")), (ord("A"), ord("Z"))):
    _WORD[_lo : _hi + 1] = True
_WORD_VIEW = np.full(0x110000, ord(" "), dtype=np.uint8)
_WORD_VIEW[_WORD] = np.flatnonzero(_WORD).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class Match:
    """A keyword hit inside one text: code-point span in the original text and the terms it stands for."""

    doc: int
    start: int
    end: int
    pattern: int


class Matches:
    """All hits of a batch as parallel arrays (cheap to count and filter); iterating yields `Match`es."""

    __slots__ = ("docs", "ends", "patterns", "starts")

    def __init__(self, docs: np.ndarray, starts: np.ndarray, ends: np.ndarray, patterns: np.ndarray) -> None:
        self.docs, self.starts, self.ends, self.patterns = docs, starts, ends, patterns

    @classmethod
    def empty(cls) -> Matches:
        e = np.empty(0, dtype=np.int64)
        return cls(e, e, e, e)

    def __len__(self) -> int:
        return int(self.docs.size)

    def __iter__(self) -> Iterator[Match]:
        for d, s, e, p in zip(
            self.docs.tolist(), self.starts.tolist(), self.ends.tolist(), self.patterns.tolist(), strict=True
        ):
            yield Match(d, s, e, p)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Matches) and list(self) == list(other)


class LexiconDetector:
    """Detector over a keyword library; build once per process (compiling takes well under a second)."""

    layer = "keyword"

    def __init__(
        self,
        lexicon: Lexicon,
        *,
        options: NormalizerOptions | None = None,
        backend: str = "auto",
        name: str = "lexicon",
    ) -> None:
        self.lexicon = lexicon
        self.name = name
        self.version = f"{VERSION}+{lexicon.ident}"
        self.normalizer = Normalizer(options)
        patterns: dict[str, list[Term]] = {}
        canonical_forms = self.normalizer.normalize_many(
            [t.term.strip().replace("\n", " ") for t in lexicon.terms]
        )
        for term, canonical in zip(lexicon.terms, canonical_forms, strict=True):
            if canonical:
                patterns.setdefault(canonical, []).append(term)
        self.patterns = list(patterns)
        self.pattern_terms = [patterns[p] for p in self.patterns]
        # Pure-ASCII word terms are matched in a one-byte-per-character "word view" of the text where
        # every non-alphanumeric character is a space, padded with spaces: word boundaries then cost
        # nothing and substrings inside longer words never reach Python.
        word = np.array([_is_word_term(p) for p in self.patterns], dtype=bool)
        self._word_ids = np.flatnonzero(word)
        self._text_ids = np.flatnonzero(~word)
        text_encoded = [self.patterns[i].encode("utf-8") for i in self._text_ids]
        self._byte_len = np.array([len(b) for b in text_encoded], dtype=np.int64)
        self._left_word = np.array([_is_word(self.patterns[i][0]) for i in self._text_ids], dtype=bool)
        self._right_word = np.array([_is_word(self.patterns[i][-1]) for i in self._text_ids], dtype=bool)
        self.matcher = make_matcher(text_encoded, backend) if text_encoded else None
        word_encoded = [b" " + self.patterns[i].encode("ascii") + b" " for i in self._word_ids]
        self._word_len = np.array([len(b) for b in word_encoded], dtype=np.int64)
        self.word_matcher = make_matcher(word_encoded, backend) if word_encoded else None
        if self.matcher is None and self.word_matcher is None:
            raise ConfigError("the keyword library has no terms to match")

    @property
    def backend(self) -> str:
        return (self.matcher or self.word_matcher).backend  # type: ignore[union-attr]

    def match_batch(self, texts: Sequence[str]) -> Matches:
        """All keyword hits in a batch of texts, sorted by (doc, start, end, pattern)."""
        if not texts:
            return Matches.empty()
        batch = self.normalizer.normalize_batch(texts)
        codes = batch.codes
        found_ids, found_starts, found_ends = [], [], []
        if self.matcher is not None:
            ids, ends_b = self.matcher.find(batch.text.encode("utf-8"))
            if ids.size:
                width = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
                byte_start = np.cumsum(width) - width
                starts = np.searchsorted(byte_start, ends_b - self._byte_len[ids])
                ends = np.searchsorted(byte_start, ends_b)
                keep = np.ones(ids.size, dtype=bool)
                left = self._left_word[ids] & (starts > 0)
                keep[left] &= ~_WORD[codes[starts[left] - 1]]
                right = self._right_word[ids] & (ends < codes.size)
                keep[right] &= ~_WORD[codes[ends[right]]]
                found_ids.append(self._text_ids[ids[keep]])
                found_starts.append(starts[keep])
                found_ends.append(ends[keep])
        if self.word_matcher is not None:
            view = b" " + _WORD_VIEW[codes].tobytes() + b" "
            ids, ends_v = self.word_matcher.find(view)
            if ids.size:
                found_ids.append(self._word_ids[ids])
                found_starts.append(ends_v - self._word_len[ids])
                found_ends.append(ends_v - 2)
        if not found_ids:
            return Matches.empty()
        ids, starts, ends = (
            np.concatenate(found_ids),
            np.concatenate(found_starts),
            np.concatenate(found_ends),
        )
        if not ids.size:
            return Matches.empty()
        o_start = batch.to_original(starts)
        o_end = batch.to_original(ends - 1) + 1
        docs = np.searchsorted(batch.doc_starts, o_start, side="right") - 1
        local_start = o_start - batch.doc_starts[docs]
        local_end = o_end - batch.doc_starts[docs]
        order = np.lexsort((ids, local_end, local_start, docs))
        return Matches(docs[order], local_start[order], local_end[order], ids[order])

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in records]
        detector = f"{self.name}@{self.version}"
        for m in self.match_batch([r.text for r in records]):
            record = records[m.doc]
            matched = record.text[m.start : m.end]
            for term in self.pattern_terms[m.pattern]:
                out[m.doc].append(
                    Finding(
                        record_id=record.id,
                        detector=detector,
                        layer=self.layer,
                        risk=term.risk,
                        topic=term.topic,
                        score=term.weight,
                        start=m.start,
                        end=m.end,
                        evidence={
                            "term": term.term,
                            "matched": matched,
                            "normalized": matched != self.patterns[m.pattern],
                            "source": term.source,
                        },
                    )
                )
        return out


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _is_word_term(pattern: str) -> bool:
    """ASCII letters and digits, single spaces between words: matched in the word view."""
    return (
        pattern.isascii()
        and _is_word(pattern[0])
        and _is_word(pattern[-1])
        and all(part.isalnum() for part in pattern.split(" "))
    )
