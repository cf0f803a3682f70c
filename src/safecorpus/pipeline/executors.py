"""Executors run one function over the plan's file tasks and return results in plan order.

``local`` runs in this process (``workers=1``) or on a process pool; ``ray`` submits one task per file to
a Ray cluster (``address``: ``auto``, ``ray://host:10001`` or ``host:port``; none starts a local one).
Tasks are idempotent — every output is written atomically and marked — so retries are safe.
``session`` keeps one pool (or one Ray connection) across several ``run_tasks`` calls, so a command with
two passes (``assess``) builds its detectors once per worker process rather than once per pass.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any

from safecorpus.errors import ConfigError

EXECUTORS = ("local", "ray")


def run_tasks(
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    *,
    executor: str = "local",
    workers: int = 1,
    address: str | None = None,
    on_done: Callable[[int], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
    on_result: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """Results in plan order. With ``on_result(i, result)`` each result is handed over as it arrives and
    not kept (the list holds None), so a caller that reduces as it goes never holds them all at once."""
    results = _Results(len(calls), on_result)
    if executor == "local":
        _local(fn, calls, workers, on_done, pool, results)
    elif executor == "ray":
        _ray(fn, calls, address, on_done, results)
    else:
        raise ConfigError(f"unknown executor {executor!r}: use local or ray")
    return list(results)


class _Results(list[Any]):
    """The results list; with ``on_result`` it passes each result on instead of keeping it."""

    def __init__(self, n: int, on_result: Callable[[int, Any], None] | None) -> None:
        super().__init__([None] * n)
        self.on_result = on_result

    def put(self, i: int, value: Any) -> None:
        if self.on_result is None:
            self[i] = value
        else:
            self.on_result(i, value)


def _local(
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    workers: int,
    on_done: Any,
    pool: ProcessPoolExecutor | None,
    results: _Results,
) -> None:
    if pool is not None and workers > 1:
        _on_pool(pool, fn, calls, on_done, results)
        return
    if workers <= 1 or len(calls) <= 1:
        for i, args in enumerate(calls):
            results.put(i, fn(*args))
            if on_done:
                on_done(i)
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(calls)), mp_context=ctx) as own:
        _on_pool(own, fn, calls, on_done, results)


def _on_pool(
    pool: ProcessPoolExecutor,
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    on_done: Any,
    results: _Results,
) -> None:
    futures = {pool.submit(fn, *args): i for i, args in enumerate(calls)}
    for fut in as_completed(futures):
        i = futures.pop(fut)
        results.put(i, fut.result())
        if on_done:
            on_done(i)


@contextmanager
def session(
    executor: str = "local", workers: int = 1, address: str | None = None, start_method: str = "spawn"
) -> Iterator[Any]:
    """A pool (local, ``workers`` > 1) or a Ray connection kept open for the block; yields the pool to
    pass to ``run_tasks`` (None otherwise). Worker processes, and what they cache, live as long as it.
    ``start_method="fork"`` lets the workers inherit what this process has built (its detectors)."""
    if executor == "local" and workers > 1:
        ctx = multiprocessing.get_context(start_method)
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            yield pool
        return
    if executor != "ray":
        yield None
        return
    ray = _ray_module()
    started_here = not ray.is_initialized()
    if started_here:
        _ray_init(ray, address)
    try:
        yield None
    finally:
        if started_here:
            ray.shutdown()


def _ray_module() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError("--executor ray needs Ray: pip install 'ray[default]'") from None
    return ray


def _ray_init(ray: Any, address: str | None) -> None:
    kwargs: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
    if address:
        kwargs["address"] = address
    else:
        kwargs.update(include_dashboard=False)
    ray.init(**kwargs)


def _ray(
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    address: str | None,
    on_done: Any,
    results: _Results,
) -> None:
    ray = _ray_module()
    started_here = not ray.is_initialized()
    if started_here:
        _ray_init(ray, address)
    try:
        remote = ray.remote(num_cpus=1, max_retries=3)(fn)
        refs = [remote.remote(*args) for args in calls]
        index = {ref: i for i, ref in enumerate(refs)}
        del refs
        pending = list(index)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                i = index.pop(ref)
                results.put(i, ray.get(ref))
                if on_done:
                    on_done(i)
    finally:
        if started_here:
            ray.shutdown()
