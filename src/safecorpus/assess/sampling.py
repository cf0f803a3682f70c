"""Hash-based sampling (DESIGN.md "Sampling"): decided by a keyed hash of the record id, never by order.

A fixed-size sample per source is the k records with the smallest hashes (bottom-k, mergeable across
shards); a percentage sample takes the records whose hash falls below the fraction. Both are the same
on every executor and every re-run with the same key.
"""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
HASH_SPACE = 1 << 64
DESIGN = "keyed-blake2b-64; per-source bottom-k; corpus fraction by hash threshold"


def sampling_key(seed: str) -> bytes:
    """The 32-byte key for a seed string; only its fingerprint is printed, the seed is stored."""
    return hashlib.blake2b(seed.encode("utf-8"), digest_size=32, person=b"safecorpus-samp").digest()


def key_fingerprint(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def record_hash(record_id: str, key: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(record_id.encode("utf-8"), digest_size=8, key=key).digest(), "big")


def fraction_cut(fraction: float) -> int:
    return min(HASH_SPACE, int(fraction * HASH_SPACE))


@dataclass
class BottomK(Generic[T]):
    """The k items with the smallest hashes seen so far (a max-heap of negated hashes)."""

    k: int
    _heap: list[tuple[int, str, T]] = field(default_factory=list)

    def offer(self, h: int, record_id: str, item: T) -> None:
        entry = (-h, record_id, item)
        if len(self._heap) < self.k:
            heapq.heappush(self._heap, entry)
        elif -self._heap[0][0] > h:
            heapq.heapreplace(self._heap, entry)

    def would_keep(self, h: int) -> bool:
        return len(self._heap) < self.k or -self._heap[0][0] > h

    def merge(self, other: BottomK[T]) -> None:
        for neg, rid, item in other._heap:
            self.offer(-neg, rid, item)

    def items(self) -> list[tuple[int, str, T]]:
        """(hash, id, item) sorted by hash."""
        return sorted(((-neg, rid, item) for neg, rid, item in self._heap), key=lambda e: (e[0], e[1]))
