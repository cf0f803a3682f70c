"""Runner throughput against a local endpoint that takes a fixed time per answer.

    .venv/bin/python benchmarks/modeltest_throughput.py [--n 1000] [--delay 0.2] [--concurrency 32]

The floor is n × delay / concurrency (6.25 s for the defaults); issue 7 asks for at most 1.3 × the floor.
Prints one JSON line with the wall time, the floor, the ratio and the load average after the run; exits 1
when the ratio is above --max-ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from safecorpus.modeltest.bank import BankItem
from safecorpus.modeltest.mockserver import MockChatServer, Reply
from safecorpus.modeltest.runner import AnswerStore, RunConfig, run_bank


def measure(n: int, delay: float, concurrency: int) -> dict:
    items = [
        BankItem(
            id=f"q{i:05d}",
            question=f"benchmark question number {i}",
            language="en",
            bank="generated",
            source="benchmark",
            licence="Apache-2.0",
            added_at="2026-11-28",
            risk="A.5.2",
        )
        for i in range(n)
    ]
    with (
        MockChatServer(lambda q, a: Reply(text="An ordinary answer.", delay=delay)) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        store = Path(tmp) / "answers.jsonl"
        cfg = RunConfig(endpoint=server.url, model="mock", concurrency=concurrency, timeout_s=30)
        t0 = time.perf_counter()
        counts = run_bank(items, cfg, store)
        wall = time.perf_counter() - t0
        stored = len(AnswerStore(store).answered())
    floor = n * delay / concurrency
    return {
        "n": n,
        "delay_s": delay,
        "concurrency": concurrency,
        "wall_s": round(wall, 3),
        "floor_s": round(floor, 3),
        "ratio": round(wall / floor, 3),
        "ok": counts["ok"],
        "failed": counts["failed"],
        "stored_ok": stored,
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--max-ratio", type=float, default=1.3)
    args = ap.parse_args()
    result = measure(args.n, args.delay, args.concurrency)
    print(json.dumps(result))
    sys.exit(0 if result["ratio"] <= args.max_ratio and result["ok"] == args.n else 1)


if __name__ == "__main__":
    main()
