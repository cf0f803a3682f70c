"""`safecorpus assess --workers 1` against `--workers 2` on the generated corpus of assess_memory.py.

Each run is a fresh `safecorpus assess` process (one thread per process: OMP/MKL/OpenBLAS/numexpr
threads = 1), the two settings interleaved (A B, B A, …), and the medians reported: wall time, CPU time
(user + system of the command and its worker processes), the speed-up of 2 workers over 1, and the
peak resident set size of the largest process of the run (the command or one of its workers; os.wait4
gives the maximum over the process tree). It also checks that both settings give the same per-source
figures and technical sample.

    python benchmarks/assess_workers.py --gb 0.15 --repeat 3 [--corpus repetitive|varied]
        [--profile PROFILE] [--sample-size N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assess_memory import write_corpus

HERE = Path(__file__).resolve().parent
ONE_THREAD = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "RAYON_NUM_THREADS",
    )
}


def write_varied(path: Path, gigabytes: float, rng: random.Random) -> int:
    """Like assess_memory's corpus (~3 KB records, 20 sources, 1% with a library term), but each record
    is a random draw of 2,000 distinct sentences, so few text windows repeat across records (the
    repetitive corpus lets one process's embedding cache answer most of the assessment tier)."""
    from safecorpus.detect.lexicon.library import read_lexicon

    terms = [t.term for t in read_lexicon("default").terms if t.weight >= 0.9][:2000]
    zh = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    words = "the of and to in is was for on that with as by at from this be are have it an which or".split()  # noqa: SIM905
    sentences = [
        "".join(rng.choices(zh, k=rng.randint(12, 40))) + "。"
        if i % 2
        else " ".join(rng.choices(words, k=14)) + ". "
        for i in range(2000)
    ]
    target, written, n = int(gigabytes * 1e9), 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            body = "".join(rng.choices(sentences, k=rng.randint(30, 70)))
            if rng.random() < 0.01:
                body += rng.choice(terms)
            row = {"id": f"r{n}", "source": f"site-{n % 20}", "text": body}
            line = json.dumps(row, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    return n


def corpus_file(gigabytes: float, kind: str) -> Path:
    data = HERE / "_data"
    data.mkdir(exist_ok=True)
    corpus = data / (
        f"assess-{gigabytes:g}gb.jsonl" if kind == "repetitive" else f"assess-varied-{gigabytes:g}gb.jsonl"
    )
    if not corpus.exists() or corpus.stat().st_size < gigabytes * 1e9 * 0.99:
        t = time.perf_counter()
        write = write_corpus if kind == "repetitive" else write_varied
        n = write(corpus, gigabytes, random.Random(7))
        print(f"wrote {corpus} ({n:,} records) in {time.perf_counter() - t:.0f} s", flush=True)
    return corpus


def run_once(
    corpus: Path, workers: int, profile: str | None, sample_size: int | None, scratch: Path
) -> dict[str, Any]:
    """One fresh `safecorpus assess` process; its wall time, CPU time, peak RSS and figures."""
    out = scratch / f"w{workers}.json"
    args = [str(Path(sys.executable).parent / "safecorpus"), "assess", str(corpus), "--workers", str(workers)]
    args += ["--store-dir", str(scratch / f"store-w{workers}"), "--no-progress", "--json", str(out)]
    args += ["--profile", profile] if profile else []
    args += ["--sample-size", str(sample_size)] if sample_size else []
    env = {**os.environ, **ONE_THREAD, "COLUMNS": "160"}
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"assess --workers {workers} failed ({proc.returncode}): {err[-2000:]}")
    summary = json.loads(out.read_text())
    shutil.rmtree(scratch / f"store-w{workers}", ignore_errors=True)
    figures = {
        "sources": [
            {k: s[k] for k in ("name", "read", "sampled", "violations", "verdict")}
            for s in summary["sources"]
        ],
        "technical": {k: summary["technical_sample"][k] for k in ("sampled", "violations", "clean_rate")},
        "records": summary["records"],
    }
    return {
        "workers": workers,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "map_tasks": summary["execution"]["map_tasks"],
        "figures": figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gb", type=float, default=1.0, help="corpus size (the issue's target: 1.0)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per setting (interleaved)")
    parser.add_argument("--profile", help="policy profile (default: the packaged default)")
    parser.add_argument(
        "--corpus",
        choices=["repetitive", "varied"],
        default="repetitive",
        help="repetitive: assess_memory.py's generator (the issue's 1 GB corpus); varied: few repeated "
        "text windows",
    )
    parser.add_argument("--sample-size", type=int, help="items per source (default: the profile's, 400)")
    parser.add_argument("--json", dest="json_path", help="write the runs and medians here")
    args = parser.parse_args()
    corpus = corpus_file(args.gb, args.corpus)
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="assess-workers-") as tmp:
        for r in range(args.repeat):
            for workers in (1, 2) if r % 2 == 0 else (2, 1):
                load = os.getloadavg()[0]
                run = run_once(corpus, workers, args.profile, args.sample_size, Path(tmp))
                run["load_before"] = round(load, 2)
                runs.append(run)
                print(
                    f"run {r + 1} workers={workers}: {run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} CPU-s, "
                    f"peak RSS {run['peak_rss_mb']} MB (load before {load:.1f})",
                    flush=True,
                )
    med = {
        w: {
            k: statistics.median(x[k] for x in runs if x["workers"] == w)
            for k in ("wall_s", "cpu_s", "peak_rss_mb")
        }
        for w in (1, 2)
    }
    same = len({json.dumps(x["figures"], sort_keys=True) for x in runs}) == 1
    speedup = med[1]["wall_s"] / med[2]["wall_s"]
    size = corpus.stat().st_size
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"input: {size / 1e9:.2f} GB, {runs[0]['figures']['records']['read']:,} records")
    print(f"map tasks: {runs[0]['map_tasks']}")
    for w in (1, 2):
        m = med[w]
        print(
            f"workers={w}: median {m['wall_s']:.1f} s wall, {m['cpu_s']:.1f} CPU-s, "
            f"peak RSS {m['peak_rss_mb']} MB"
        )
    print(f"speed-up of 2 workers: {speedup:.2f}x; same figures in every run: {same}")
    if args.json_path:
        doc = {
            "gb": args.gb,
            "corpus": args.corpus,
            "bytes": size,
            "runs": runs,
            "medians": med,
            "speedup": speedup,
            "same": same,
        }
        Path(args.json_path).write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
