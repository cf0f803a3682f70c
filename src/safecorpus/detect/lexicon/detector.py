"""The keyword (lexicon) detector: the first of the standard's three filter layers.

Per batch: one normalisation pass over all texts joined by newlines, one multi-literal scan of the UTF-8
bytes, then vectorised mapping of the (few) matches back to code-point spans in each original text.
English terms (those that begin or end with an ASCII letter or digit) only match at word boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from safecorpus.detect.base import Finding
from safecorpus.detect.lexicon.library import Lexicon, Term
from safecorpus.detect.lexicon.matcher import make_matcher
from safecorpus.detect.lexicon.normalize import Normalizer, NormalizerOptions
from safecorpus.io.records import Record

VERSION = "1.0"

_WORD = np.zeros(0x110000, dtype=bool)
for _lo, _hi in ((ord("0"), ord("9")), (ord("a"), ord("z")), (ord("A"), ord("Z"))):
    _WORD[_lo : _hi + 1] = True


@dataclass(frozen=True, slots=True)
class Match:
    """A keyword hit inside one text: code-point span in the original text and the terms it stands for."""

    doc: int
    start: int
    end: int
    pattern: int


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
        for term in lexicon.terms:
            canonical = self.normalizer.normalize(term.term.strip())
            if canonical:
                patterns.setdefault(canonical, []).append(term)
        self.patterns = list(patterns)
        self.pattern_terms = [patterns[p] for p in self.patterns]
        encoded = [p.encode("utf-8") for p in self.patterns]
        self._byte_len = np.array([len(b) for b in encoded], dtype=np.int64)
        self._left_word = np.array([_is_word(p[0]) for p in self.patterns], dtype=bool)
        self._right_word = np.array([_is_word(p[-1]) for p in self.patterns], dtype=bool)
        self.matcher = make_matcher(encoded, backend)

    @property
    def backend(self) -> str:
        return self.matcher.backend

    def match_batch(self, texts: Sequence[str]) -> list[Match]:
        """All keyword hits in a batch of texts, sorted by (doc, start, end, pattern)."""
        if not texts:
            return []
        batch = self.normalizer.normalize_batch(texts)
        ids, ends_b = self.matcher.find(batch.text.encode("utf-8"))
        if not ids.size:
            return []
        codes = batch.codes
        width = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
        byte_start = np.cumsum(width) - width
        starts = np.searchsorted(byte_start, ends_b - self._byte_len[ids])
        ends = np.searchsorted(byte_start, ends_b)
        keep = np.ones(ids.size, dtype=bool)
        left = self._left_word[ids] & (starts > 0)
        keep[left] &= ~_WORD[codes[starts[left] - 1]]
        right = self._right_word[ids] & (ends < codes.size)
        keep[right] &= ~_WORD[codes[ends[right]]]
        ids, starts, ends = ids[keep], starts[keep], ends[keep]
        if not ids.size:
            return []
        o_start = batch.to_original(starts)
        o_end = batch.to_original(ends - 1) + 1
        docs = np.searchsorted(batch.doc_starts, o_start, side="right") - 1
        local_start = o_start - batch.doc_starts[docs]
        local_end = o_end - batch.doc_starts[docs]
        order = np.lexsort((ids, local_end, local_start, docs))
        return [
            Match(int(d), int(s), int(e), int(p))
            for d, s, e, p in zip(docs[order], local_start[order], local_end[order], ids[order], strict=True)
        ]

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
