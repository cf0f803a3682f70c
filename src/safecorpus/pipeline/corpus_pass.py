"""One corpus pass for every command that scans a corpus: a map over the plan's pieces, reduced in order.

The corpus (a local path or an fsspec URL) is planned into pieces exactly as ``assess`` plans it (one per
file, large local JSON Lines files cut by size). ``map_fn(items, arg)`` turns one piece's items (records,
rejections, file notices, in file order) into a part; it runs in this process, on a local pool or on Ray.
The parts are handed to ``reduce`` in plan order whatever order they finish in, so a command's output
depends on the corpus only, never on the executor or the number of workers. ``map_fn`` and ``arg`` must
be picklable (a module-level function and plain settings); detectors are built in the worker, cached
with :func:`cached`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import FileNotice, Record, Rejection
from safecorpus.pipeline.executors import EXECUTORS, run_tasks

Item = Record | Rejection | FileNotice
T = TypeVar("T")


@dataclass(frozen=True)
class PassOptions:
    """Where the pass runs; results are identical for any of these."""

    executor: str = "local"
    workers: int = 1
    address: str | None = None

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            from safecorpus.errors import ConfigError

            raise ConfigError(f"unknown executor {self.executor!r}: use {' or '.join(EXECUTORS)}")


def read_piece(piece: Any, reader: ReaderOptions) -> Iterator[Item]:
    """The items of one piece, local or behind fsspec (a remote file is copied to a temp file)."""
    from safecorpus.io.reader import iter_file
    from safecorpus.pipeline.storage import local_copy

    task = piece.task
    suffix = "".join(PurePosixPath(task.rel).suffixes[-2:])
    with local_copy(task.url, suffix) as path:
        yield from iter_file(path, task.rel, task.file_source, reader, piece.span)


def map_piece(map_fn: Callable[[Iterator[Item], Any], T], piece: Any, reader: ReaderOptions, arg: Any) -> T:
    """One task: read a piece and map its items (runs in any worker)."""
    return map_fn(read_piece(piece, reader), arg)


def run_pass(
    corpus: Path | str,
    reader: ReaderOptions,
    map_fn: Callable[[Iterator[Item], Any], T],
    arg: Any,
    reduce: Callable[[T], None],
    options: PassOptions | None = None,
) -> int:
    """Map every piece of ``corpus`` and hand the parts to ``reduce`` in plan order; returns the number
    of pieces."""
    from safecorpus.assess.passes import pieces
    from safecorpus.pipeline.run import plan

    options = options or PassOptions()
    planned = pieces(plan(str(corpus)))
    ordered = _InOrder(reduce)
    run_tasks(
        map_piece,
        [(map_fn, p, reader, arg) for p in planned],
        executor=options.executor,
        workers=options.workers,
        address=options.address,
        on_result=ordered.add,
    )
    ordered.check(len(planned))
    return len(planned)


class _InOrder:
    """Passes parts on in plan order: one that arrives early waits for those before it."""

    def __init__(self, reduce: Callable[[Any], None]) -> None:
        self.reduce = reduce
        self.waiting: dict[int, Any] = {}
        self.next = 0

    def add(self, i: int, part: Any) -> None:
        self.waiting[i] = part
        while self.next in self.waiting:
            self.reduce(self.waiting.pop(self.next))
            self.next += 1

    def check(self, n: int) -> None:
        assert self.next == n and not self.waiting, "a part is missing"


_CACHE: dict[Hashable, Any] = {}


def cached(key: Hashable, build: Callable[[], T]) -> T:
    """Built once per process for ``key`` (detectors a worker reuses across its tasks)."""
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]
