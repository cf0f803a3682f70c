"""MinHash signatures by one-permutation hashing, vectorised with numpy, and an LSH index over them.

A text is lower-cased and reduced to its letters and digits (any script); its character 5-grams are
hashed (a wrapping polynomial over code points, then a 64-bit finaliser); the top 7 bits of each hash pick
one of 128 bins and the bin keeps the smallest low 32 bits. Two signatures agree in a bin with
probability equal to the Jaccard similarity of the two 5-gram sets. Empty bins (texts of fewer than a
few hundred characters) hold ``EMPTY`` and are left out of both the estimate and the LSH bands.
Everything is deterministic: no random seeds, identical on every machine.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import xxhash

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


def _alnum_table() -> np.ndarray:
    global _ALNUM
    if _ALNUM is None:
        table = np.zeros(0x110000, dtype=bool)
        table[[cp for cp in range(0x110000) if chr(cp).isalnum()]] = True
        _ALNUM = table
    return _ALNUM


def shingle_hashes(text: str) -> np.ndarray:
    """64-bit hashes of the character 5-grams of ``text`` (letters and digits only, lower-cased)."""
    cps = np.frombuffer(text.lower().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cps = cps[_alnum_table()[cps]].astype(np.uint64)
    n = cps.size - SHINGLE + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = cps[:n] * _MULTS[0]
        for j in range(1, SHINGLE):
            h += cps[j : j + n] * _MULTS[j]
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xC4CEB9FE1A85EC53)
        h ^= h >> np.uint64(33)
    return h


def signature(text: str) -> np.ndarray:
    """The 128-bin one-permutation MinHash signature of ``text`` (uint32; ``EMPTY`` for empty bins)."""
    h = shingle_hashes(text)
    sig = np.full(BINS, EMPTY, dtype=np.uint32)
    if h.size:
        np.minimum.at(
            sig, (h >> np.uint64(57)).astype(np.intp), (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        )
    return sig


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two 5-gram sets behind signatures ``a`` and ``b``."""
    used = (a != EMPTY) | (b != EMPTY)
    n = int(used.sum())
    return float(((a == b) & used).sum()) / n if n else 0.0


def band_keys(sig: np.ndarray) -> list[int]:
    """One 64-bit key per LSH band (band number mixed in); bands with an empty bin are left out."""
    rows = sig.reshape(BANDS, ROWS)
    full = ~(rows == EMPTY).any(axis=1)
    return [xxhash.xxh3_64_intdigest(rows[b].tobytes(), seed=b) for b in np.flatnonzero(full).tolist()]


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
