from __future__ import annotations

import random

from safecorpus.assess import sampling


def test_hash_depends_on_key_not_order() -> None:
    k1, k2 = sampling.sampling_key("a"), sampling.sampling_key("b")
    assert sampling.record_hash("r1", k1) == sampling.record_hash("r1", k1)
    assert sampling.record_hash("r1", k1) != sampling.record_hash("r1", k2)


def test_bottom_k_is_order_independent_and_mergeable() -> None:
    key = sampling.sampling_key("seed")
    ids = [f"id{i}" for i in range(5000)]
    whole: sampling.BottomK[str] = sampling.BottomK(50)
    for rid in ids:
        whole.offer(sampling.record_hash(rid, key), rid, rid)
    shuffled = ids[:]
    random.Random(1).shuffle(shuffled)
    left: sampling.BottomK[str] = sampling.BottomK(50)
    right: sampling.BottomK[str] = sampling.BottomK(50)
    for i, rid in enumerate(shuffled):
        (left if i % 2 else right).offer(sampling.record_hash(rid, key), rid, rid)
    left.merge(right)
    assert [e[1] for e in whole.items()] == [e[1] for e in left.items()]
    assert len(whole.items()) == 50


def test_fraction_sample_size_is_close_to_fraction() -> None:
    key = sampling.sampling_key("seed")
    cut = sampling.fraction_cut(0.1)
    n = sum(sampling.record_hash(f"r{i}", key) < cut for i in range(20000))
    assert 1800 < n < 2200
