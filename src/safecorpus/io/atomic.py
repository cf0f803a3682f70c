"""Atomic writes to local files: a reader sees the old file or the whole new one, never a part, and a
killed writer leaves at most a hidden temp file beside the target (``.NAME.tmp-PID-RANDOM``).

Every local write that must not be seen half-done (filter shards and manifests, question banks,
compiled-matcher and embedding caches) goes through here; fsspec folders are in
:class:`safecorpus.pipeline.storage.Folder`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def temp_name(name: str) -> str:
    """A hidden temp-file name for ``name``, unique per process and call."""
    return f".{name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file handle whose content replaces ``path`` when the block ends without an error.

    The data is flushed and fsynced before the rename; on an error the temp file is removed and ``path``
    is left as it was. Parent folders are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(temp_name(path.name))
    try:
        with open(tmp, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path) as fh:
        fh.write(data)
