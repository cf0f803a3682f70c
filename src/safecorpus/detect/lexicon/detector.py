"""The keyword (lexicon) detector: the first of the standard's three filter layers.

Per batch: one normalisation pass over all texts joined by newlines, then one multi-literal scan per
*channel*, and vectorised mapping of the (few) matches back to code-point spans in each original text.

Channels (each a view of the normalised text plus the terms transformed the same way):
- ``basic``: the normalised text as UTF-8, for Chinese and mixed terms (plus split-character forms);
- ``word``: a one-byte-per-character view where every non-alphanumeric character is a space, for English
  terms padded with spaces, so word boundaries cost nothing (plus pinyin initials);
- ``variant`` / ``variant_word``: the same after look-alike, leetspeak, letter-spacing and repeat folding;
- ``homophone``: characters replaced by their toneless syllable;
- ``pinyin``: the text transliterated to pinyin letters.
A hit found by several channels is reported once, by the most direct one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from safecorpus.detect.base import Finding
from safecorpus.detect.lexicon import variants as V
from safecorpus.detect.lexicon.library import Lexicon, Term
from safecorpus.detect.lexicon.matcher import LiteralMatcher, make_matcher
from safecorpus.detect.lexicon.normalize import NormalizedBatch, Normalizer, NormalizerOptions
from safecorpus.errors import ConfigError
from safecorpus.io.records import Record

VERSION = "2.0"

_WORD = np.zeros(0x110000, dtype=bool)
for _lo, _hi in ((ord("0"), ord("9")), (ord("a"), ord("z")), (ord("A"), ord("Z"))):
    _WORD[_lo : _hi + 1] = True
_WORD_VIEW = np.full(0x110000, ord(" "), dtype=np.uint8)
_WORD_VIEW[_WORD] = np.flatnonzero(_WORD).astype(np.uint8)
CHANNEL_ORDER = ("basic", "word", "split", "initials", "variant", "variant_word", "homophone", "pinyin")


@dataclass(frozen=True, slots=True)
class Match:
    """A keyword hit inside one text: code-point span in the original text and the terms it stands for."""

    doc: int
    start: int
    end: int
    pattern: int
    channel: str = "basic"


class Matches:
    """All hits of a batch as parallel arrays (cheap to count and filter); iterating yields `Match`es."""

    __slots__ = ("channels", "docs", "ends", "patterns", "starts")

    def __init__(
        self,
        docs: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        patterns: np.ndarray,
        channels: np.ndarray,
    ) -> None:
        self.docs, self.starts, self.ends, self.patterns, self.channels = (
            docs,
            starts,
            ends,
            patterns,
            channels,
        )

    @classmethod
    def empty(cls) -> Matches:
        e = np.empty(0, dtype=np.int64)
        return cls(e, e, e, e, e)

    def __len__(self) -> int:
        return int(self.docs.size)

    def __iter__(self) -> Iterator[Match]:
        cols = (self.docs, self.starts, self.ends, self.patterns, self.channels)
        for d, s, e, p, c in zip(*(a.tolist() for a in cols), strict=True):
            yield Match(d, s, e, p, CHANNEL_ORDER[c])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Matches) and list(self) == list(other)


@dataclass
class _Channel:
    name: str
    matcher: LiteralMatcher
    canon: np.ndarray  # view pattern → canonical pattern index
    length: np.ndarray  # pattern length in view units (bytes)
    utf8: bool  # the view is UTF-8 (offsets need mapping); else one byte per view character
    left_word: np.ndarray | None = None  # UTF-8 views: the pattern starts/ends with an ASCII word char
    right_word: np.ndarray | None = None


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _is_word_term(pattern: str) -> bool:
    """ASCII letters and digits, single spaces between words: matched in a word view."""
    return (
        bool(pattern)
        and pattern.isascii()
        and _is_word(pattern[0])
        and _is_word(pattern[-1])
        and all(part.isalnum() for part in pattern.split(" "))
    )


class LexiconDetector:
    """Detector over a keyword library; build once per process (compiled matchers are cached on disk)."""

    layer = "keyword"

    def __init__(
        self,
        lexicon: Lexicon,
        *,
        options: NormalizerOptions | None = None,
        variants: V.VariantOptions | None = None,
        backend: str = "auto",
        name: str = "lexicon",
    ) -> None:
        self.lexicon = lexicon
        self.name = name
        self.variants = variants or V.VariantOptions.none()
        self.version = f"{VERSION}+{lexicon.ident}"
        self.normalizer = Normalizer(options)
        forms = self.normalizer.normalize_many([t.term.strip().replace("\n", " ") for t in lexicon.terms])
        patterns: dict[str, list[Term]] = {}
        for term, canonical in zip(lexicon.terms, forms, strict=True):
            if canonical:
                patterns.setdefault(canonical, []).append(term)
        if not patterns:
            raise ConfigError("the keyword library has no terms to match")
        self.patterns = list(patterns)
        self.pattern_terms = [patterns[p] for p in self.patterns]
        self._backend = backend
        self.channels = self._build_channels()

    # ------------------------------------------------------------------------------------------ building

    def _build_channels(self) -> list[_Channel]:
        text: list[tuple[str, int]] = []  # (view pattern, canonical index)
        word: list[tuple[str, int]] = []
        for i, p in enumerate(self.patterns):
            (word if _is_word_term(p) else text).append((p, i))
        channels = [self._utf8("basic", text), self._bytes("word", word)]
        opts = self.variants
        if opts.split_chars:
            split = [
                (form, i)
                for i, p in enumerate(self.patterns)
                if len(p) >= opts.split_min_chars and all(V.is_hanzi(c) for c in p)
                for form in V.split_forms(p)
            ]
            channels.append(self._utf8("split", self._normalized(split)))
        syllables = [
            V.term_syllables(p) if (opts.homophones or opts.pinyin or opts.initials) else None
            for p in self.patterns
        ]
        if opts.initials:
            initials = [
                ("".join(s[0] for s in syl), i)
                for i, syl in enumerate(syllables)
                if syl and len(syl) >= opts.initials_min_chars
            ]
            channels.append(self._bytes("initials", initials))
        if opts.variant_view:
            folded = self._variant_forms()
            channels.append(self._utf8("variant", [(f, i) for f, i in folded if not _is_word_term(f)]))
            channels.append(self._bytes("variant_word", [(f, i) for f, i in folded if _is_word_term(f)]))
        if opts.homophones:
            homo = [
                (V.homophone_pattern(syl), i)
                for i, syl in enumerate(syllables)
                if syl and len(syl) >= opts.homophone_min_chars
            ]
            channels.append(self._utf8("homophone", [(h, i) for h, i in homo if h]))
        if opts.pinyin:
            pin = [
                ("".join(syl), i)
                for i, syl in enumerate(syllables)
                if syl and len("".join(syl)) >= opts.pinyin_min_letters
            ]
            channels.append(self._bytes("pinyin", pin))
        return [c for c in channels if c is not None]

    def _normalized(self, pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
        forms = self.normalizer.normalize_many([p for p, _ in pairs])
        return [(f, i) for f, (_, i) in zip(forms, pairs, strict=True) if f]

    def _variant_forms(self) -> list[tuple[str, int]]:
        joined = np.frombuffer("\n".join(self.patterns).encode("utf-32-le"), dtype=np.uint32)
        view, _, _ = V.variant_view(joined, self.variants)
        forms = view.tobytes().decode("utf-32-le").split("\n")
        if len(forms) != len(self.patterns):  # a repeated newline cannot occur: patterns have none
            raise AssertionError("variant folding changed the number of terms")
        return [(f.strip(), i) for i, f in enumerate(forms) if f.strip()]

    def _utf8(self, name: str, pairs: list[tuple[str, int]]) -> _Channel | None:
        pairs = list(dict.fromkeys(pairs))
        if not pairs:
            return None
        encoded = [p.encode("utf-8") for p, _ in pairs]
        return _Channel(
            name,
            make_matcher(encoded, self._backend),
            np.array([i for _, i in pairs], dtype=np.int64),
            np.array([len(b) for b in encoded], dtype=np.int64),
            utf8=True,
            left_word=np.array([_is_word(p[0]) for p, _ in pairs], dtype=bool),
            right_word=np.array([_is_word(p[-1]) for p, _ in pairs], dtype=bool),
        )

    def _bytes(self, name: str, pairs: list[tuple[str, int]]) -> _Channel | None:
        pairs = list(dict.fromkeys(pairs))
        if not pairs:
            return None
        pad = name != "pinyin"  # word-like views match whole words between padding spaces
        encoded = [(b" " + p.encode("ascii") + b" ") if pad else p.encode("ascii") for p, _ in pairs]
        return _Channel(
            name,
            make_matcher(encoded, self._backend),
            np.array([i for _, i in pairs], dtype=np.int64),
            np.array([len(b) for b in encoded], dtype=np.int64),
            utf8=False,
        )

    @property
    def backend(self) -> str:
        return self.channels[0].matcher.backend

    # ------------------------------------------------------------------------------------------ matching

    def match_batch(self, texts: Sequence[str]) -> Matches:
        """All keyword hits in a batch of texts, sorted by (doc, start, end, pattern)."""
        if not texts:
            return Matches.empty()
        batch = self.normalizer.normalize_batch(texts)
        views = _Views(batch, self.variants)
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        for channel in self.channels:
            hit = self._scan(channel, views)
            if hit is not None and hit[0].size:
                found.append((*hit, CHANNEL_ORDER.index(channel.name)))
        if not found:
            return Matches.empty()
        ids = np.concatenate([f[0] for f in found])
        starts = np.concatenate([f[1] for f in found])
        ends = np.concatenate([f[2] for f in found])
        chans = np.concatenate([np.full(f[0].size, f[3], dtype=np.int64) for f in found])
        o_start = batch.to_original(starts)
        o_end = batch.to_original(ends - 1) + 1
        docs = np.searchsorted(batch.doc_starts, o_start, side="right") - 1
        local_start = o_start - batch.doc_starts[docs]
        local_end = o_end - batch.doc_starts[docs]
        order = np.lexsort((chans, ids, local_end, local_start, docs))
        result = Matches(docs[order], local_start[order], local_end[order], ids[order], chans[order])
        return _dedupe(result) if len(found) > 1 else result

    def _scan(self, channel: _Channel, views: _Views) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(canonical ids, start, end) in normalised-text character positions."""
        name = channel.name
        origin_last: np.ndarray | None = None
        if name in ("basic", "split"):
            codes, origin, data = views.basic_codes, None, views.basic_utf8
        elif name in ("word", "initials"):
            codes, origin, data = views.basic_codes, None, views.word(views.basic_codes, "basic")
        elif name in ("variant", "variant_word"):
            codes, origin, origin_last = views.variant
            data = views.utf8(codes, "variant") if name == "variant" else views.word(codes, "variant")
        elif name == "homophone":
            codes, origin = views.homophone, None
            data = views.utf8(codes, "homophone")
        else:
            pin = views.pinyin
            ids, ends_v = channel.matcher.find(pin.data)
            if not ids.size:
                return None
            starts_v = ends_v - channel.length[ids]
            ok = V.pinyin_boundaries_ok(pin, views.basic_codes, starts_v, ends_v)
            return channel.canon[ids[ok]], pin.src[starts_v[ok]], pin.src[ends_v[ok] - 1] + 1
        ids, ends_b = channel.matcher.find(data)
        if not ids.size:
            return None
        if channel.utf8:
            starts, ends = views.char_span(codes, ends_b - channel.length[ids], ends_b)
            keep = np.ones(ids.size, dtype=bool)
            left = channel.left_word[ids] & (starts > 0)  # type: ignore[index]
            keep[left] &= ~_WORD[codes[starts[left] - 1]]
            right = channel.right_word[ids] & (ends < codes.size)  # type: ignore[index]
            keep[right] &= ~_WORD[codes[ends[right]]]
            ids, starts, ends = ids[keep], starts[keep], ends[keep]
        else:  # padded word view: one byte per character after a leading space
            starts, ends = ends_b - channel.length[ids], ends_b - 2
        if origin is not None:
            starts, ends = (
                origin[starts],
                (origin_last if name.startswith("variant") else origin)[ends - 1] + 1,
            )
        return channel.canon[ids], starts, ends

    # ------------------------------------------------------------------------------------------ findings

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in records]
        detector = f"{self.name}@{self.version}"
        for m in self.match_batch([r.text for r in records]):
            record = records[m.doc]
            matched = record.text[m.start : m.end]
            kinds = describe_variants(matched, self.patterns[m.pattern], m.channel)
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
                            "normalized": bool(kinds),
                            "variants": kinds,
                            "channel": m.channel,
                            "source": term.source,
                        },
                    )
                )
        return out


class _Views:
    """Lazily built views of one normalised batch, shared by the channels that read them."""

    def __init__(self, batch: NormalizedBatch, options: V.VariantOptions) -> None:
        self.batch = batch
        self.options = options
        self.basic_codes = batch.codes
        self._utf8: dict[str, bytes] = {}
        self._word: dict[str, bytes] = {}
        self._widths: dict[int, np.ndarray] = {}
        self._variant: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._homophone: np.ndarray | None = None
        self._pinyin: V.PinyinView | None = None

    @property
    def basic_utf8(self) -> bytes:
        if "basic" not in self._utf8:
            self._utf8["basic"] = self.batch.text.encode("utf-8")
        return self._utf8["basic"]

    def utf8(self, codes: np.ndarray, key: str) -> bytes:
        if key not in self._utf8:
            self._utf8[key] = codes.tobytes().decode("utf-32-le").encode("utf-8")
        return self._utf8[key]

    def word(self, codes: np.ndarray, key: str) -> bytes:
        if key not in self._word:
            self._word[key] = b" " + _WORD_VIEW[codes].tobytes() + b" "
        return self._word[key]

    def char_span(
        self, codes: np.ndarray, start_b: np.ndarray, end_b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        key = id(codes)
        if key not in self._widths:
            width = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
            self._widths[key] = np.cumsum(width) - width
        byte_start = self._widths[key]
        return np.searchsorted(byte_start, start_b), np.searchsorted(byte_start, end_b)

    @property
    def variant(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._variant is None:
            self._variant = V.variant_view(self.basic_codes, self.options)
        return self._variant

    @property
    def homophone(self) -> np.ndarray:
        if self._homophone is None:
            self._homophone = V.homophone_view(self.basic_codes)
        return self._homophone

    @property
    def pinyin(self) -> V.PinyinView:
        if self._pinyin is None:
            self._pinyin = V.pinyin_view(self.basic_codes)
        return self._pinyin


def _dedupe(m: Matches) -> Matches:
    """Report a hit once: drop a hit overlapping an earlier-channel hit of the same term in the same doc."""
    keep = np.ones(len(m), dtype=bool)
    last_end: dict[tuple[int, int], int] = {}
    order = np.lexsort((m.channels, m.starts, m.patterns, m.docs))
    for idx in order.tolist():
        key = (int(m.docs[idx]), int(m.patterns[idx]))
        start, end = int(m.starts[idx]), int(m.ends[idx])
        prev = last_end.get(key)
        if prev is not None and start < prev and m.channels[idx] > 0:
            keep[idx] = False
            continue
        last_end[key] = max(end, prev or 0)
    if keep.all():
        return m
    return Matches(m.docs[keep], m.starts[keep], m.ends[keep], m.patterns[keep], m.channels[keep])


_SEPARATOR_CATS = {"Zs", "Pc", "Pd", "Po", "Sm", "Sk", "So"}


def describe_variants(matched: str, canonical: str, channel: str) -> list[str]:
    """Name the obfuscations a matched span used, for the evidence and `lexicon check`."""
    kinds: list[str] = []
    if channel in ("homophone", "pinyin", "initials", "split"):
        kinds.append({"split": "split_chars"}.get(channel, channel))
        if channel == "pinyin" and any(V.is_hanzi(c) for c in matched):
            kinds.append("mixed")
        if channel != "split":
            return kinds
    add: Callable[[str], None] = lambda k: kinds.append(k) if k not in kinds else None  # noqa: E731
    for ch in matched:
        if unicodedata.category(ch) == "Cf" or ch in "\u00ad\ufeff" or 0xFE00 <= ord(ch) <= 0xFE0F:
            add("invisible")
        elif ch != unicodedata.normalize("NFKC", ch) and not V.is_hanzi(ch):
            add("width")
        elif ch.isupper():
            add("case")
        elif V.is_hanzi(ch) and ch not in canonical and channel in ("basic", "variant"):
            add("traditional")
        elif unicodedata.category(ch) in _SEPARATOR_CATS and ch not in canonical:
            add("emoji" if unicodedata.category(ch) == "So" else "symbols")
        elif ch.lower() in V.CONFUSABLES:
            add("confusables")
        elif ch in V.LEET and ch not in canonical:
            add("leetspeak")
    if channel in ("variant", "variant_word"):
        low = matched.lower()
        if sum(a == b for a, b in pairwise(low)) > sum(a == b for a, b in pairwise(canonical)):
            add("repeats")
        if " " in matched and " " not in canonical:
            add("letter_spacing")
    return kinds
