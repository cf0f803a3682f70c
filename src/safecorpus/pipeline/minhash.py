"""MinHash signatures by one-permutation hashing, vectorised with numpy, and an LSH index over them.

A text is reduced to its letters and digits (any script), each replaced by the first code point of its
lower case (one table lookup per character); its character 5-grams are hashed to 32 bits (a wrapping
linear combination of the five code points, then a multiply-xorshift finaliser); the top 7 bits of a
hash pick one of 128 bins and the bin keeps the smallest hash. Two signatures agree in a bin with
probability equal to the Jaccard similarity of the two 5-gram sets. Empty bins (texts of fewer than a
few hundred characters) hold ``EMPTY`` and are left out of both the estimate and the LSH bands.
Everything is deterministic: no random seeds, identical on every machine.

``VERSION`` names this recipe; it is part of every document blocklist's version and of the dedup keys'
fingerprint, so a signature of another recipe is never compared with one of this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

VERSION = "2"
BINS = 128
BANDS = 32
ROWS = BINS // BANDS
SHINGLE = 5
EMPTY = np.uint32(0xFFFFFFFF)
ALNUM_LIMIT = 0x40000  # no letters or digits above (a test checks it)
_FOLD: np.ndarray | None = None
# odd multipliers of the 5 positions and of the finaliser (32-bit arithmetic wraps)
_M = [np.uint32(m) for m in (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1)]
_F1, _F2 = np.uint32(0x7FEB352D), np.uint32(0x846CA68B)
_S15, _S16 = np.uint32(15), np.uint32(16)
_BIN_SHIFT = np.uint32(32 - 7)


def fold_table() -> np.ndarray:
    """Code point → the first code point of its lower case for letters and digits, 0 for the rest."""
    global _FOLD
    if _FOLD is None:
        alnum = [cp for cp in range(ALNUM_LIMIT) if chr(cp).isalnum()]
        # lower-cased all at once; U+0130 is the one letter whose lower case is two code points ("i" and
        # a combining dot), so it is given as its first; no other letter's lower case depends on context
        # here (final sigma needs a letter before and none after, and the last letter is not Σ)
        lower = "".join(map(chr, alnum)).replace("\u0130", "i").lower()
        table = np.zeros(0x110000, dtype=np.uint32)
        table[alnum] = np.frombuffer(lower.encode("utf-32-le"), dtype=np.uint32)
        _FOLD = table
    return _FOLD


def _hash_shingles(k: np.ndarray) -> np.ndarray:
    """32-bit hashes of the 5-grams of a uint32 array of folded code points."""
    n = k.size - SHINGLE + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint32)
    tmp = np.empty(n, dtype=np.uint32)
    h = k[:n] * _M[0]
    for j in range(1, SHINGLE):
        np.multiply(k[j : j + n], _M[j], out=tmp)
        h += tmp
    np.right_shift(h, _S16, out=tmp)
    h ^= tmp
    h *= _F1
    np.right_shift(h, _S15, out=tmp)
    h ^= tmp
    h *= _F2
    np.right_shift(h, _S16, out=tmp)
    h ^= tmp
    return h


def signature(text: str) -> np.ndarray:
    """The 128-bin one-permutation MinHash signature of ``text`` (uint32; ``EMPTY`` for empty bins)."""
    return signatures([text])[0]


def signatures(texts: Sequence[str]) -> np.ndarray:
    """``signature`` of every text, as one (len(texts), BINS) array, computed a group of texts at once."""
    out = np.full((len(texts), BINS), EMPTY, dtype=np.uint32)
    for start in range(0, len(texts), _GROUP):
        _group_signatures(texts[start : start + _GROUP], out[start : start + _GROUP])
    return out


_GROUP = 64  # texts per vectorised pass: its arrays stay in the CPU cache (measured: 2x faster than 512)


def _group_signatures(texts: Sequence[str], out: np.ndarray) -> None:
    """The texts are joined (each followed by NUL, which is neither a letter nor a digit), so one lookup,
    one compaction and one hashing pass serve the group; the shingles that run from one text into the
    next are given ``EMPTY``, which no bin's minimum is above, so they change nothing."""
    cps = np.frombuffer(("\x00".join(texts) + "\x00").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    folded = np.take(fold_table(), cps)
    keep = folded != 0
    h = _hash_shingles(folded[keep])
    if not h.size:
        return
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.intp, count=len(texts))
    bounds = np.zeros(len(texts), dtype=np.intp)
    np.cumsum(lengths[:-1], out=bounds[1:])
    counts = np.add.reduceat(keep.view(np.uint8), bounds, dtype=np.intp)  # kept characters per text
    across = (np.cumsum(counts)[:, None] - np.arange(1, SHINGLE, dtype=np.intp)).ravel()
    h[across[(across >= 0) & (across < h.size)]] = EMPTY
    slots = np.repeat(np.arange(0, len(texts) * BINS, BINS, dtype=np.intp), counts)[: h.size]
    slots += h >> _BIN_SHIFT
    np.minimum.at(out.reshape(-1), slots, h)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two 5-gram sets behind signatures ``a`` and ``b``."""
    used = (a != EMPTY) | (b != EMPTY)
    n = int(used.sum())
    return float(((a == b) & used).sum()) / n if n else 0.0


_BAND_SEEDS = (np.arange(BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
_K1, _K2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S32, _S31 = np.uint64(32), np.uint64(31)


def band_matrix(sigs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(keys, full): one 64-bit key per LSH band of every row of a (n, BINS) signature array, and
    whether the band has no empty bin (only those bands are indexed or looked up).

    A band's 4 bins are packed into two 64-bit words, mixed with each other and the band's seed and
    finalised; keys only need to agree between ``add`` and ``query`` within one run, and a collision
    only adds a candidate that the similarity check then rejects."""
    rows = sigs.reshape(-1, BANDS, ROWS).astype(np.uint64)
    k = ((rows[..., 0] << _S32) | rows[..., 1]) * _K1
    k ^= (rows[..., 2] << _S32) | rows[..., 3]
    k += _BAND_SEEDS
    k ^= k >> _S31
    k *= _K2
    full = (sigs.reshape(-1, BANDS, ROWS) != EMPTY).all(axis=2)
    return k, full


def band_keys_many(sigs: np.ndarray) -> list[list[int]]:
    """``band_keys`` of every row of a (n, BINS) signature array, vectorised over the whole batch."""
    k, full = band_matrix(sigs)
    return [row[ok].tolist() for row, ok in zip(k, full, strict=True)]


def band_keys(sig: np.ndarray) -> list[int]:
    """One 64-bit key per LSH band (band number mixed in); bands with an empty bin are left out."""
    return band_keys_many(sig.reshape(1, BINS))[0]


class LshIndex:
    """Signatures indexed by band; ``query`` returns the best match at or above ``threshold``."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.bands: dict[int, list[int]] = {}
        self.sigs: list[np.ndarray] = []
        self.keys: list[str] = []
        self._sorted: np.ndarray | None = None  # the band keys, sorted (query_many), rebuilt after add

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: str, sig: np.ndarray, bands: Iterable[int] | None = None) -> None:
        i = len(self.keys)
        self.keys.append(key)
        self.sigs.append(sig)
        for b in band_keys(sig) if bands is None else bands:
            self.bands.setdefault(b, []).append(i)
        self._sorted = None

    def query(self, sig: np.ndarray, bands: Iterable[int] | None = None) -> tuple[str, float] | None:
        """The most similar indexed signature at or above the threshold (ties: the earliest added)."""
        candidates: set[int] = set()
        for b in band_keys(sig) if bands is None else bands:
            candidates.update(self.bands.get(b, ()))
        best: tuple[str, float] | None = None
        for i in sorted(candidates):
            sim = similarity(sig, self.sigs[i])
            if sim >= self.threshold and (best is None or sim > best[1]):
                best = (self.keys[i], sim)
        return best

    def query_many(self, sigs: np.ndarray) -> list[tuple[str, float] | None]:
        """``query`` of every row of a (n, BINS) signature array: the bands of the whole batch are
        looked up in one sorted search, and only rows sharing a band with the index are compared."""
        out: list[tuple[str, float] | None] = [None] * len(sigs)
        if not self.bands or not len(sigs):
            return out
        if self._sorted is None:
            self._sorted = np.array(sorted(self.bands), dtype=np.uint64)
        keys, full = band_matrix(sigs)
        pos = np.minimum(np.searchsorted(self._sorted, keys), self._sorted.size - 1)
        shared = (self._sorted[pos] == keys) & full
        for n in np.flatnonzero(shared.any(axis=1)).tolist():
            out[n] = self.query(sigs[n], keys[n][shared[n]].tolist())
        return out
