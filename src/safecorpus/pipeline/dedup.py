"""Exact and near-duplicate removal within the corpus, decided in one deterministic pass in plan order.

Every file's records are first annotated and keyed (``worker.run_scan``); then the driver walks the keys
in plan order (files sorted, records in input order) and keeps the first record of every duplicate set
among the records that survive the other rules. The result does not depend on workers or executor.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

import numpy as np
import orjson

from safecorpus.pipeline import minhash
from safecorpus.pipeline.spec import FileTask
from safecorpus.pipeline.storage import Folder

Duplicates = dict[int, dict[int, tuple[str, str]]]  # chunk -> local record index -> (reason, kept id)


def resolve(
    out: Folder, tasks: Sequence[FileTask], key_files: Sequence[str], mode: str, threshold: float
) -> dict[int, Duplicates]:
    seen: dict[int, str] = {}
    index = minhash.LshIndex(threshold)
    result: dict[int, Duplicates] = {}
    for task, rel in zip(tasks, key_files, strict=True):
        raw = out.read_bytes(rel)
        dups: Duplicates = {}
        if raw is not None:
            with np.load(io.BytesIO(raw)) as z:
                chunk, local, ids, exact, alive, sigs = (
                    z["chunk"],
                    z["local"],
                    z["ids"],
                    z["exact"],
                    z["alive"],
                    z["sigs"],
                )
            for j in np.flatnonzero(alive).tolist():
                key = int(exact[j])
                rid = str(ids[j])
                hit: tuple[str, str] | None = None
                if key in seen:
                    hit = ("duplicate_exact", seen[key])
                elif mode == "near":
                    bands = minhash.band_keys(sigs[j])
                    near = index.query(sigs[j], bands)
                    if near is not None:
                        hit = ("duplicate_near", near[0])
                    else:
                        index.add(rid, sigs[j], bands)
                if hit is None:
                    seen[key] = rid
                else:
                    dups.setdefault(int(chunk[j]), {})[int(local[j])] = hit
        result[task.index] = dups
    return result


def digest(dups: Duplicates) -> str:
    flat = sorted((c, n, r, k) for c, per in dups.items() for n, (r, k) in per.items())
    return hashlib.sha256(orjson.dumps(flat)).hexdigest()[:16]
