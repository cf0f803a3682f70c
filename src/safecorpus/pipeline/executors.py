"""Executors run one function over the plan's file tasks and return results in plan order.

``local`` runs in this process (``workers=1``) or on a process pool; ``ray`` submits one task per file to
a Ray cluster (``address``: ``auto``, ``ray://host:10001`` or ``host:port``; none starts a local one).
Tasks are idempotent — every output is written atomically and marked — so retries are safe.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
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
) -> list[Any]:
    if executor == "local":
        return _local(fn, calls, workers, on_done)
    if executor == "ray":
        return _ray(fn, calls, address, on_done)
    raise ConfigError(f"unknown executor {executor!r}: use local or ray")


def _local(fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], workers: int, on_done: Any) -> list[Any]:
    results: list[Any] = [None] * len(calls)
    if workers <= 1 or len(calls) <= 1:
        for i, args in enumerate(calls):
            results[i] = fn(*args)
            if on_done:
                on_done(i)
        return results
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(calls)), mp_context=ctx) as pool:
        futures = {pool.submit(fn, *args): i for i, args in enumerate(calls)}
        for fut in as_completed(futures):
            i = futures[fut]
            results[i] = fut.result()
            if on_done:
                on_done(i)
    return results


def _ray(
    fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], address: str | None, on_done: Any
) -> list[Any]:
    try:
        import ray
    except ImportError:
        raise ConfigError("--executor ray needs Ray: pip install 'ray[default]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        kwargs: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
        if address:
            kwargs["address"] = address
        else:
            kwargs.update(include_dashboard=False)
        ray.init(**kwargs)
    try:
        remote = ray.remote(num_cpus=1, max_retries=3)(fn)
        refs = [remote.remote(*args) for args in calls]
        index = {ref: i for i, ref in enumerate(refs)}
        results: list[Any] = [None] * len(calls)
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                i = index[ref]
                results[i] = ray.get(ref)
                if on_done:
                    on_done(i)
        return results
    finally:
        if started_here:
            ray.shutdown()
