"""MinHash signatures by one-permutation hashing, vectorised with numpy, and an LSH index over them.

A text is lower-cased and reduced to its letters and digits (any script); its character 5-grams are
hashed (a wrapping polynomial over code points, then a 64-bit finaliser); the top 7 bits of each hash pick
one of 128 bins and the bin keeps the smallest low 32 bits. Two signatures agree in a bin with
probability equal to the Jaccard similarity of the two 5-gram sets. Empty bins (texts of fewer than a
few hundred characters) hold ``EMPTY`` and are left out of both the estimate and the LSH bands.
Everything is deterministic: no random seeds, identical on every machine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

BINS = 128
BANDS = 32
ROWS = BINS // BANDS
SHINGLE = 5
EMPTY = np.uint32(0xFFFFFFFF)
_MULTS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)
_ALNUM: np.ndarray | None = None
ALNUM_LIMIT = 0x40000


def _alnum_table() -> np.ndarray:
    global _ALNUM
    if _ALNUM is None:
        table = np.zeros(0x110000, dtype=bool)
        # Planes 4-16 hold no letters or digits (unassigned, tags, private use), so only the first four
        # are looked at: a quarter of the work at every process start (a test checks the claim).
        table[[cp for cp in range(ALNUM_LIMIT) if chr(cp).isalnum()]] = True
        _ALNUM = table
    return _ALNUM


def _hash_shingles(cps: np.ndarray) -> np.ndarray:
    """64-bit hashes of the 5-grams of a uint64 code-point array (in place where possible)."""
    n = cps.size - SHINGLE + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    tmp = np.empty(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = cps[:n] * _MULTS[0]
        for j in range(1, SHINGLE):
            np.multiply(cps[j : j + n], _MULTS[j], out=tmp)
            h += tmp
        np.right_shift(h, _S33, out=tmp)
        h ^= tmp
        h *= _F1
        np.right_shift(h, _S33, out=tmp)
        h ^= tmp
        h *= _F2
        np.right_shift(h, _S33, out=tmp)
        h ^= tmp
    return h


_S33 = np.uint64(33)
_S32 = np.uint64(32)
_F1 = np.uint64(0xFF51AFD7ED558CCD)
_F2 = np.uint64(0xC4CEB9FE1A85EC53)
_LOW32 = np.uint64(0xFFFFFFFF)
_BIN_SHIFT = np.uint64(57)


def shingle_hashes(text: str) -> np.ndarray:
    """64-bit hashes of the character 5-grams of ``text`` (letters and digits only, lower-cased)."""
    cps = np.frombuffer(text.lower().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return _hash_shingles(cps[_alnum_table()[cps]].astype(np.uint64))


def signature(text: str) -> np.ndarray:
    """The 128-bin one-permutation MinHash signature of ``text`` (uint32; ``EMPTY`` for empty bins)."""
    h = shingle_hashes(text)
    sig = np.full(BINS, EMPTY, dtype=np.uint32)
    if h.size:
        np.minimum.at(sig, (h >> _BIN_SHIFT).astype(np.intp), (h & _LOW32).astype(np.uint32))
    return sig


def signatures(texts: Sequence[str]) -> np.ndarray:
    """``signature`` of every text, as one (len(texts), BINS) array, computed for the whole batch at once.

    The texts are joined with NUL (neither a letter nor a digit, so it never enters a shingle, and it
    stops lower-casing's final-sigma context just as a string end does); a shingle counts only when its
    first and last characters belong to the same text. The result equals ``signature`` text by text."""
    out = np.full((len(texts), BINS), EMPTY, dtype=np.uint32)
    if not texts:
        return out
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:  # a text holds NUL itself: one by one
        for i, t in enumerate(texts):
            out[i] = signature(t)
        return out
    cps = np.frombuffer(joined.lower().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    doc = np.cumsum(cps == 0)
    keep = _alnum_table()[cps]
    h = _hash_shingles(cps[keep].astype(np.uint64))
    if not h.size:
        return out
    doc = doc[keep]
    same = doc[: h.size] == doc[SHINGLE - 1 : SHINGLE - 1 + h.size]
    h, doc = h[same], doc[: h.size][same]
    slots = doc.astype(np.intp) * BINS + (h >> _BIN_SHIFT).astype(np.intp)
    np.minimum.at(out.reshape(-1), slots, (h & _LOW32).astype(np.uint32))
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two 5-gram sets behind signatures ``a`` and ``b``."""
    used = (a != EMPTY) | (b != EMPTY)
    n = int(used.sum())
    return float(((a == b) & used).sum()) / n if n else 0.0


_BAND_SEEDS = (np.arange(BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)


def band_keys_many(sigs: np.ndarray) -> list[list[int]]:
    """``band_keys`` of every row of a (n, BINS) signature array, vectorised over the whole batch.

    A band's 4 bins are packed into two 64-bit words, mixed with the band's seed and finalised
    (splitmix64); keys only need to agree between ``add`` and ``query`` within one run, and a collision
    only adds a candidate that the similarity check then rejects."""
    rows = sigs.reshape(-1, BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        k = ((rows[..., 0] << _S32) | rows[..., 1]) * _F1
        k ^= ((rows[..., 2] << _S32) | rows[..., 3]) * _F2
        k += _BAND_SEEDS
        k ^= k >> _S33
        k *= _F1
        k ^= k >> _S33
    full = (sigs.reshape(-1, BANDS, ROWS) != EMPTY).all(axis=2)
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

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: str, sig: np.ndarray, bands: Iterable[int] | None = None) -> None:
        i = len(self.keys)
        self.keys.append(key)
        self.sigs.append(sig)
        for b in band_keys(sig) if bands is None else bands:
            self.bands.setdefault(b, []).append(i)

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
