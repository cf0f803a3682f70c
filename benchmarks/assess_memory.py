"""Peak memory of `safecorpus assess` on a large JSONL file (default 1 GB), measured from outside.

Writes a generated corpus (mixed Chinese/English, ~3 KB per record, 20 sources, 1% flagged with terms of
the default library) to benchmarks/_data/, runs the real console script on it and reports the child's
peak resident set size (ru_maxrss) and throughput.

    python benchmarks/assess_memory.py [--gb 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from safecorpus.detect.lexicon.library import read_lexicon

HERE = Path(__file__).resolve().parent
ZH = "我们今天在社区图书馆举办读书会，大家讨论了城市交通和公园建设的问题，气氛轻松愉快。"
EN = "The committee reviewed the annual report on public libraries and cycling lanes in the city. "


def write_corpus(path: Path, gigabytes: float, rng: random.Random) -> int:
    terms = [t.term for t in read_lexicon("default").terms if t.weight >= 0.9][:2000]
    target = int(gigabytes * 1e9)
    written = n = 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            body = (ZH * rng.randint(10, 30)) + (EN * rng.randint(5, 15))
            if rng.random() < 0.01:
                body += rng.choice(terms)
            line = (
                json.dumps({"id": f"r{n}", "source": f"site-{n % 20}", "text": body}, ensure_ascii=False)
                + "\n"
            )
            out.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gb", type=float, default=1.0)
    args = parser.parse_args()
    data = HERE / "_data"
    data.mkdir(exist_ok=True)
    corpus = data / f"assess-{args.gb:g}gb.jsonl"
    if not corpus.exists() or corpus.stat().st_size < args.gb * 1e9 * 0.99:
        t = time.perf_counter()
        n = write_corpus(corpus, args.gb, random.Random(7))
        print(f"wrote {corpus} ({n:,} records) in {time.perf_counter() - t:.0f} s")
    size = corpus.stat().st_size
    exe = Path(sys.executable).parent / "safecorpus"
    start = time.perf_counter()
    proc = subprocess.run(
        [
            str(exe),
            "assess",
            str(corpus),
            "--store-dir",
            str(data / "store"),
            "--no-progress",
            "--json",
            str(data / "assess-summary.json"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "160"},
    )
    secs = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr)
        raise SystemExit(proc.returncode)
    summary = json.loads((data / "assess-summary.json").read_text())
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(
        f"input: {size / 1e9:.2f} GB, {summary['records']['read']:,} records, "
        f"{len(summary['sources'])} sources"
    )
    print(f"safecorpus assess: {secs:.1f} s ({size / 1e6 / secs:.1f} MB/s), peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
