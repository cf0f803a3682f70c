"""`safecorpus filter` now against an earlier commit: the same corpus, the same command, interleaved runs.

    .venv/bin/python benchmarks/filter_ab.py --baseline 7912c78 --size-mb 100 --repeat 5

The baseline's `src/` is exported with `git archive` into a temporary folder; each run is a fresh process
(`python -c "from safecorpus.cli import main; main()" filter …`) with that tree or this checkout's `src/`
first on `sys.path`, alternating A, B, A, B … so drifting load hits both alike. CPU time is user + system
of the process and its pool workers (`RUSAGE_CHILDREN` around each run); the ratio is of medians
(B / A: above 1 means this checkout is slower). Output: a table on stdout, JSON with `--json`.

The corpus is `filter_throughput.py`'s generator (mixed Chinese/English ~3 KB documents, 2% with a
keyword, 2% with PII, a few blocked URLs); filter runs with `--no-assessment` and the default profile.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def export_src(ref: str, into: Path) -> Path:
    """The ``src/`` tree of ``ref``, unpacked under ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "src.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "-C", str(REPO), "archive", ref, "src"], stdout=fh, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    return into / "src"


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_once(src: Path, corpus: Path, out: Path, extra: list[str]) -> dict[str, float]:
    if out.exists():
        shutil.rmtree(out)
    code = f"import sys; sys.path.insert(0, {str(src)!r}); from safecorpus.cli import main; main()"
    argv = [sys.executable, "-c", code, "filter", str(corpus), str(out), "--no-assessment", "--no-progress"]
    argv += ["--store-dir", str(out.parent / "store"), *extra]
    env = {**os.environ, "PYTHONPATH": str(src), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cpu0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"filter failed ({src}):\n{proc.stderr[-2000:]}")
    return {"wall_s": wall, "cpu_s": cpu, "load": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", required=True, help="git commit or ref to compare against (A)")
    ap.add_argument("--size-mb", type=int, default=100, help="corpus size in MB (default 100)")
    ap.add_argument("--files", type=int, default=4, help="input files (default 4)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per side, interleaved (default 5)")
    ap.add_argument("--workers", type=int, default=1, help="filter --workers (default 1)")
    ap.add_argument("--no-classifier", action="store_true", help="pass --no-classifier to both")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()

    from filter_throughput import generate

    extra = ["--workers", str(args.workers)] + (["--no-classifier"] if args.no_classifier else [])
    with tempfile.TemporaryDirectory(prefix="filter-ab-") as tmp:
        root = Path(tmp)
        sides = {"A": export_src(args.baseline, root / "a"), "B": REPO / "src"}
        corpus = root / "corpus"
        docs, size = generate(corpus, args.size_mb, 3000, args.files)
        runs: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
        for i in range(args.repeat):
            for side in ("A", "B") if i % 2 == 0 else ("B", "A"):
                runs[side].append(run_once(sides[side], corpus, root / f"out-{side}", extra))
                print(f"run {i + 1} {side}: {runs[side][-1]}", file=sys.stderr)
    med = {s: {k: statistics.median(r[k] for r in runs[s]) for k in ("wall_s", "cpu_s")} for s in runs}
    result = {
        "baseline": args.baseline,
        "head": subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
        "docs": docs,
        "mb": round(size / 2**20, 1),
        "workers": args.workers,
        "classifier": not args.no_classifier,
        "repeat": args.repeat,
        "median": med,
        "cpu_ratio_b_over_a": med["B"]["cpu_s"] / med["A"]["cpu_s"],
        "wall_ratio_b_over_a": med["B"]["wall_s"] / med["A"]["wall_s"],
        "runs": runs,
    }
    print(f"{docs:,} docs, {result['mb']} MB, {args.repeat} interleaved runs per side, medians")
    print(f"{'side':<6}{'ref':<12}{'CPU s':>9}{'wall s':>9}{'docs/CPU-s':>12}")
    for side, ref in (("A", args.baseline), ("B", result["head"] + "+wt")):
        m = med[side]
        print(f"{side:<6}{ref:<12}{m['cpu_s']:>9.1f}{m['wall_s']:>9.1f}{docs / m['cpu_s']:>12,.0f}")
    print(f"B/A CPU time: {result['cpu_ratio_b_over_a']:.3f}   wall: {result['wall_ratio_b_over_a']:.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
