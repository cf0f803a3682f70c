"""Where `safecorpus filter`'s CPU time goes, stage by stage, on the corpus of `filter_throughput.py`.

    PYTHONPATH=src .venv/bin/python benchmarks/filter_stages.py --size-mb 20            # per-stage timers
    PYTHONPATH=src .venv/bin/python benchmarks/filter_stages.py --size-mb 20 --cprofile # cProfile tables

One worker, in-process. The detectors are built first on a small slice of the corpus (so the figures are
the steady per-document cost, without building the detectors or the lexicon's first-batch rules); then
every detector's ``detect``, ``decide`` and the output encoding are wrapped in CPU-time
(``time.process_time``) timers for one run over the whole corpus. "total" is the whole run (reading,
findings store, ledger and writing included); what the stages do not cover is the framework around them.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from filter_throughput import DATA, generate


def _timed(timers: dict[str, float], label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            timers[label] = timers.get(label, 0.0) + time.process_time() - t

    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=20)
    ap.add_argument("--cprofile", action="store_true", help="print cProfile tables instead of stage timers")
    args = ap.parse_args()

    from safecorpus.detect.lexicon.library import read_lexicon
    from safecorpus.pipeline import BlocklistSpec, FilterConfig, content_hash_hex, run_filter, worker
    from safecorpus.pipeline import spec as spec_mod
    from safecorpus.taxonomy.profile import load_profile

    corpus = DATA / f"corpus-{args.size_mb}mb-3000b-8f"
    if not corpus.exists():
        generate(corpus, args.size_mb, 3000, 8)
    work = Path(tempfile.mkdtemp(prefix="filterstages-"))
    terms = sorted({t.term for t in read_lexicon("default").terms})
    rng = random.Random(2)
    blocked = work / "blocked.jsonl"
    blocked.write_text(
        "".join(
            json.dumps({"id": f"b{i}", "text": " ".join(rng.choices(terms[:5000], k=300))}) + "\n"
            for i in range(200)
        )
    )
    hashes = work / "hashes.txt"
    hashes.write_text("".join(content_hash_hex(f"blocked {i}") + "\n" for i in range(1000)))
    profile = load_profile()

    def config(data: Path) -> FilterConfig:
        shutil.rmtree(work / "out", ignore_errors=True)
        return FilterConfig(
            corpus=str(data),
            out=str(work / "out"),
            profile=profile,
            blocklists=[BlocklistSpec("hashes", str(hashes)), BlocklistSpec("docs", str(blocked))],
        )

    warm = work / "warm"
    warm.mkdir()
    for f in sorted(corpus.glob("*.jsonl")):
        with f.open("rb") as fh:
            (warm / f.name).write_bytes(b"".join(fh.readline() for _ in range(600)))
    run_filter(config(warm))  # builds the detectors (cached per process) and the lexicon rules
    docs = sum(1 for p in corpus.glob("*.jsonl") for _ in p.open("rb"))
    load = os.getloadavg()[0]
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        run_filter(config(corpus))
        prof.disable()
        stats = pstats.Stats(prof)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(50)
    else:
        timers: dict[str, float] = {}
        ctx = next(iter(spec_mod._CONTEXTS.values()))
        for det, ident in zip(ctx.detectors, ctx.ids, strict=True):
            det.detect = _timed(timers, ident.split("@")[0], det.detect)  # type: ignore[method-assign]
        for name in ("decide", "_encode", "_output_row"):
            setattr(worker, name, _timed(timers, name.strip("_"), getattr(worker, name)))
        t = time.process_time()
        run_filter(config(corpus))
        total = time.process_time() - t
        print(f"{docs:,} docs, load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(f"  {'total':<40}{total:8.2f} s {total / docs * 1e6:8.1f} µs/doc")
        for label, sec in sorted(timers.items(), key=lambda kv: -kv[1]):
            print(f"  {label:<40}{sec:8.2f} s {sec / docs * 1e6:8.1f} µs/doc")
        rest = total - sum(timers.values())
        print(f"  {'(read, findings store, ledger, write)':<40}{rest:8.2f} s {rest / docs * 1e6:8.1f} µs/doc")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
