"""Runner throughput against a local endpoint that takes a fixed time per answer.

    .venv/bin/python benchmarks/modeltest_throughput.py [--n 1000] [--delay 0.2] [--concurrency 32]

The floor is n × delay / concurrency (6.25 s for the defaults); issue 7 asks for at most 1.3 × the floor.
Prints one JSON line with the wall time, the floor, the ratio and the load average after the run; exits 1
when the ratio is above --max-ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from safecorpus.modeltest.bank import BankItem
from safecorpus.modeltest.runner import AnswerStore, RunConfig, run_bank

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the mock endpoint is a test helper
from tests.support.mockserver import MockChatServer, Reply

ROOT = Path(__file__).resolve().parents[1]

_SERVE = """
import sys, time
sys.path.insert(0, sys.argv[2])
from tests.support.mockserver import MockChatServer, Reply
delay = float(sys.argv[1])
with MockChatServer(lambda q, a: Reply(text="An ordinary answer.", delay=delay)) as server:
    print(server.url, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
"""


@contextlib.contextmanager
def _endpoint(delay: float, separate_process: bool) -> Iterator[str]:
    """The mock endpoint, in this process or (like a real endpoint) in its own process."""
    if not separate_process:
        with MockChatServer(lambda q, a: Reply(text="An ordinary answer.", delay=delay)) as server:
            yield server.url
        return
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(delay), str(ROOT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.stdin.close()
        proc.wait(10)


def measure(n: int, delay: float, concurrency: int, separate_process: bool = False) -> dict:
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
        _endpoint(delay, separate_process) as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        store = Path(tmp) / "answers.jsonl"
        cfg = RunConfig(endpoint=url, model="mock", concurrency=concurrency, timeout_s=30)
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
        "server": "separate process" if separate_process else "same process",
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--max-ratio", type=float, default=1.3)
    ap.add_argument("--server-process", action="store_true", help="run the mock endpoint in its own process")
    args = ap.parse_args()
    result = measure(args.n, args.delay, args.concurrency, args.server_process)
    print(json.dumps(result))
    sys.exit(0 if result["ratio"] <= args.max_ratio and result["ok"] == args.n else 1)


if __name__ == "__main__":
    main()
