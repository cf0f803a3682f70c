"""Hashed character and word n-gram features, computed for a whole batch at once with numpy.

Text is NFKC-normalised and lower-cased. Features are character 1–3-grams (Chinese and everything else)
plus English word unigrams and bigrams, hashed into ``2**bits`` buckets with a fixed multiplicative hash
(never Python's salted ``hash``), counted, log-scaled (1 + ln count) and L2-normalised per document.
The result is a CSR matrix as three arrays, which is all the numpy linear models need.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_MULT = np.uint64(0x9E3779B97F4A7C15)
_SALT = {1: 0x51ED27, 2: 0xA3B195, 3: 0x6C8E94, 4: 0x2F1B33, 5: 0x7D4A61}
_WORD_SALT = 0x1B873593
_P = np.uint64(0x100000001B3)  # odd, so invertible modulo 2**64
_PINV = np.uint64(pow(0x100000001B3, -1, 2**64))


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True, slots=True)
class Csr:
    indptr: np.ndarray  # int64, n_docs + 1
    indices: np.ndarray  # int32
    data: np.ndarray  # float32
    n_features: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def rows(self, idx: np.ndarray) -> Csr:
        """A new CSR of the given rows, in that order."""
        starts, ends = self.indptr[idx], self.indptr[idx + 1]
        lengths = ends - starts
        indptr = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        take = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        return Csr(indptr, self.indices[take], self.data[take], self.n_features)


@dataclass(frozen=True)
class HashedNgrams:
    """The featuriser: ``bits`` of hash space, character n-gram orders, English word n-grams on/off."""

    bits: int = 18
    char_orders: tuple[int, ...] = (1, 2, 3)
    word_orders: tuple[int, ...] = (1, 2)

    @property
    def n_features(self) -> int:
        return 1 << self.bits

    def describe(self) -> dict[str, object]:
        return {
            "kind": "hashed_ngrams",
            "bits": self.bits,
            "char_orders": list(self.char_orders),
            "word_orders": list(self.word_orders),
        }

    # -- hashing ------------------------------------------------------------------------------------------
    def char_keys(self, texts: Sequence[str], positions: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(doc index, bucket) for every character n-gram of every text; with ``positions`` the first
        array is instead the n-gram's start offset in the joined batch (one text: its offset in it)."""
        joined = "\x00".join(texts) + "\x00"
        cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        is_sep = (cp == 0).astype(np.int64)
        sep_cum = np.concatenate(([0], np.cumsum(is_sep)))
        shift = np.uint64(64 - self.bits)
        docs, keys = [], []
        n_all = len(cp)
        for n in self.char_orders:
            if n_all < n:
                continue
            m = n_all - n + 1
            h = np.full(m, _SALT[n], dtype=np.uint64)
            for j in range(n):
                h = (h ^ cp[j : j + m]) * _MULT
            ok = (sep_cum[n : n + m] - sep_cum[:m]) == 0
            docs.append(np.arange(m)[ok] if positions else doc_of[:m][ok])
            keys.append((h[ok] * _MULT) >> shift)
        if not docs:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(docs), np.concatenate(keys).astype(np.int64)

    def _word_keys(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(doc index, bucket) for English word n-grams (runs of [a-z0-9']), hashed with prefix sums."""
        joined = "\x00".join(texts) + "\x00"
        cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        isw = ((cp >= 97) & (cp <= 122)) | ((cp >= 48) & (cp <= 57)) | (cp == 39)
        if not isw.any():
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        prev = np.concatenate(([False], isw[:-1]))
        nxt = np.concatenate((isw[1:], [False]))
        starts = np.flatnonzero(isw & ~prev)
        ends = np.flatnonzero(isw & ~nxt)
        n = len(cp)
        with np.errstate(over="ignore"):
            pow_p = np.cumprod(np.full(n, _P, dtype=np.uint64)) * _PINV  # P**j
            pow_inv = np.cumprod(np.full(n, _PINV, dtype=np.uint64)) * _P  # P**-j
            prefix = np.cumsum(cp.astype(np.uint64) * pow_inv)
            before = np.where(starts > 0, prefix[np.maximum(starts - 1, 0)], np.uint64(0))
            word = (prefix[ends] - before) * pow_p[ends]
            lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
            doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[starts]
            shift = np.uint64(64 - self.bits)
            docs, keys = [], []
            for order in self.word_orders:
                if order == 1:
                    h, d = word ^ np.uint64(_WORD_SALT), doc
                elif order == 2 and len(word) > 1:
                    same = doc[1:] == doc[:-1]
                    h = ((word[:-1] * _MULT) ^ word[1:] ^ np.uint64(_WORD_SALT + 2))[same]
                    d = doc[1:][same]
                else:
                    continue
                docs.append(d)
                keys.append(((h * _MULT) ^ (h >> np.uint64(29))) * _MULT >> shift)
        if not docs:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(docs), np.concatenate(keys).astype(np.int64)

    def transform(self, texts: Sequence[str]) -> Csr:
        texts = [normalise(t) for t in texts]
        d1, k1 = self.char_keys(texts)
        if self.word_orders:
            d2, k2 = self._word_keys(texts)
            d1, k1 = np.concatenate((d1, d2)), np.concatenate((k1, k2))
        combined = d1 * self.n_features + k1
        uniq, counts = np.unique(combined, return_counts=True)
        doc = uniq // self.n_features
        values = (1.0 + np.log(counts)).astype(np.float32)
        norms = np.sqrt(np.bincount(doc, weights=values.astype(np.float64) ** 2, minlength=len(texts)))
        norms[norms == 0] = 1.0
        values /= norms[doc].astype(np.float32)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc, minlength=len(texts)), out=indptr[1:])
        return Csr(indptr, (uniq % self.n_features).astype(np.int32), values, self.n_features)


def csr_dot(x: Csr, w: np.ndarray) -> np.ndarray:
    """``X @ W`` for a CSR ``X`` and a dense ``W`` of shape (n_features, k), as float32.

    Uses scipy.sparse where it is installed; otherwise one gather and ``bincount`` per column (same
    result to float rounding).
    """
    if _sparse is not None:
        m = _sparse.csr_matrix((x.data, x.indices, x.indptr), shape=(x.n_rows, x.n_features))
        return np.asarray(m @ w, dtype=np.float32)
    out = np.zeros((x.n_rows, w.shape[1]), dtype=np.float32)
    if len(x.indices) == 0:
        return out
    row_of = np.repeat(np.arange(x.n_rows), np.diff(x.indptr))
    wt = np.ascontiguousarray(w.T)
    for k in range(w.shape[1]):
        out[:, k] = np.bincount(row_of, weights=wt[k][x.indices] * x.data, minlength=x.n_rows)
    return out


def _segment_add(out: np.ndarray, rows: np.ndarray, contrib: np.ndarray) -> None:
    # rows are sorted (CSR order): sum each run of equal rows with reduceat
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    out[rows[starts]] += np.add.reduceat(contrib, starts, axis=0)


def csr_tdot(x: Csr, g: np.ndarray, order: np.ndarray | None = None, chunk: int = 1 << 20) -> np.ndarray:
    """``X.T @ G`` (n_features, k); ``order`` is ``argsort(x.indices)``, computed once by callers."""
    if _sparse is not None:
        m = _sparse.csr_matrix((x.data, x.indices, x.indptr), shape=(x.n_rows, x.n_features))
        return np.asarray(m.T @ g, dtype=np.float32)
    out = np.zeros((x.n_features, g.shape[1]), dtype=np.float32)
    if len(x.indices) == 0:
        return out
    if order is None:
        order = np.argsort(x.indices, kind="stable")
    row_of = np.repeat(np.arange(x.n_rows), np.diff(x.indptr))
    cols = x.indices[order]
    for s in range(0, len(order), chunk):
        e = min(s + chunk, len(order))
        sel = order[s:e]
        _segment_add(out, cols[s:e], g[row_of[sel]] * x.data[sel, None])
    return out


def _load_sparse():  # pragma: no cover - depends on the environment
    try:
        import scipy.sparse as sparse
    except ImportError:
        return None
    return sparse


_sparse = _load_sparse()
