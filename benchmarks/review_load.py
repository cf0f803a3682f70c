"""Load on the review app: N simulated reviewers over real HTTP against `safecorpus serve` on PostgreSQL.

Each simulated person loops: ask the queue for the next item (a redirect), open the item page, think,
post a label (annotators) or a review (reviewers). Every HTTP request's response time is recorded. An
item counts as "held" from the moment its page arrives until its label is sent; two people holding the
same item at once is a double assignment. At the end every label and review the server accepted must be
in the database ("no label lost").

    .venv/bin/python benchmarks/review_load.py --users 20 --seconds 60        # starts its own PostgreSQL
    .venv/bin/python benchmarks/review_load.py --store-url postgresql://…     # an existing database
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "load-test-passphrase"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(url: str, annotators: int, reviewers: int, items: int) -> None:
    """Users (qualified) and items in the store at ``url``."""
    from safecorpus.review import accounts, qualification
    from safecorpus.review.queues import NewItem, add_items
    from safecorpus.review.store import open_review_store

    engine = open_review_store(url)
    test = qualification.load_test()
    right = {i: sorted(r) for i, _t, r in test.items}
    for role, n in (("annotator", annotators), ("reviewer", reviewers)):
        for i in range(n):
            user = accounts.create_user(engine, f"{role[:3]}{i}", PASSWORD, role, "en")
            qualification.take(engine, user, right)
    rng = random.Random(7)
    add_items(
        engine,
        [
            NewItem("source", f"site{i % 5}", f"rec{i}", f"sample text {i} " * rng.randint(5, 60))
            for i in range(items)
        ],
        double_share=0.1,
    )
    engine.dispose()


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.holding: dict[int, str] = {}
        self.double: list[tuple[int, str, str]] = []
        self.accepted = {"label": 0, "review": 0}
        self.refused = 0
        self.errors: list[str] = []

    def timed(self, fn: Any, *args: Any, **kw: Any) -> httpx.Response:
        t0 = time.perf_counter()
        resp = fn(*args, **kw)
        with self.lock:
            self.latencies.append(time.perf_counter() - t0)
        return resp


def person(
    base: str,
    name: str,
    mode: str,
    seconds: float,
    think: float,
    rec: Recorder,
    seed: int,
    start: threading.Barrier,
) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as c:
        page = c.get("/login")
        c.post(
            "/login", data={"username": name, "password": PASSWORD, "csrf": CSRF.search(page.text).group(1)}
        )
        start.wait()  # everyone logged in (scrypt is slow on purpose); the clock starts now
        stop = time.monotonic() + seconds
        time.sleep(rng.uniform(0, think))  # people do not all click at the same instant
        suffix = "?mode=review" if mode == "review" else ""
        while time.monotonic() < stop:
            resp = rec.timed(c.get, f"/queue/source/next{suffix}")
            if resp.status_code != 303:
                time.sleep(think)  # nothing left for now
                continue
            url = resp.headers["location"]
            page = rec.timed(c.get, url)
            if page.status_code != 200:
                with rec.lock:
                    rec.errors.append(f"{name} GET {url}: {page.status_code}")
                continue
            item_id = int(url.rsplit("/", 1)[1])
            with rec.lock:
                if item_id in rec.holding:
                    rec.double.append((item_id, rec.holding[item_id], name))
                rec.holding[item_id] = name
            time.sleep(rng.uniform(0.5, 1.5) * think)
            data = {"csrf": CSRF.search(page.text).group(1)}
            if rng.random() < 0.15:
                data["risk"] = rng.choice(["A.1.6", "A.2.4", "A.4.6"])
            else:
                data["clean"] = "1"
            with rec.lock:
                if rec.holding.get(item_id) == name:
                    del rec.holding[item_id]
            resp = rec.timed(c.post, f"{url}/{'review' if mode == 'review' else 'label'}", data=data)
            with rec.lock:
                if resp.status_code == 303:
                    rec.accepted[mode] += 1
                elif resp.status_code == 409:
                    rec.refused += 1
                else:
                    rec.errors.append(f"{name} POST {url}: {resp.status_code}")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to tell server cost from machine contention."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stored_counts(url: str) -> dict[str, int]:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from safecorpus.review.models import Label, Review
    from safecorpus.review.store import open_review_store

    engine = open_review_store(url)
    with Session(engine) as s:
        out = {
            "label": s.scalar(select(func.count()).select_from(Label)) or 0,
            "review": s.scalar(select(func.count()).select_from(Review)) or 0,
        }
    engine.dispose()
    return out


def run_load(
    url: str, users: int = 20, seconds: float = 60, think: float = 1.0, items: int = 4000
) -> dict[str, Any]:
    reviewers = max(1, users // 4)
    annotators = users - reviewers
    prepare(url, annotators, reviewers, items)
    port = _free_port()
    env = {**os.environ}
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from safecorpus.cli import main; main()",
            "serve",
            "--store-url",
            url,
            "--port",
            str(port),
            "--lang",
            "en",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the review app did not start") from None
                time.sleep(0.2)
        rec = Recorder()
        barrier = threading.Barrier(users + 1)
        people = [(f"ann{i}", "label") for i in range(annotators)] + [
            (f"rev{i}", "review") for i in range(reviewers)
        ]
        threads = [
            threading.Thread(target=person, args=(base, n, m, seconds, think, rec, k, barrier))
            for k, (n, m) in enumerate(people)
        ]
        for th in threads:
            th.start()
        barrier.wait()
        t0 = time.monotonic()
        cpu0 = _cpu_seconds(server.pid)
        for th in threads:
            th.join()
        wall = time.monotonic() - t0
        server_cpu = _cpu_seconds(server.pid) - cpu0
    finally:
        server.terminate()
        server.wait(10)
    stored = stored_counts(url)
    lat = sorted(rec.latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else 0.0

    return {
        "users": users,
        "annotators": annotators,
        "reviewers": reviewers,
        "seconds": round(wall, 1),
        "think_s": think,
        "requests": len(lat),
        "requests_per_s": round(len(lat) / wall, 1),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, len(lat)), 2),
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "max_ms": round(lat[-1] * 1000, 1) if lat else 0.0,
        "labels_accepted": rec.accepted["label"],
        "labels_stored": stored["label"],
        "reviews_accepted": rec.accepted["review"],
        "reviews_stored": stored["review"],
        "refused_409": rec.refused,
        "double_assignments": len(rec.double),
        "errors": rec.errors[:10],
        "load_average": os.getloadavg(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think", type=float, default=1.0, help="mean think time per item, seconds")
    ap.add_argument("--items", type=int, default=4000)
    ap.add_argument("--store-url", help="PostgreSQL URL (default: a throwaway local server)")
    args = ap.parse_args()
    server = None
    url = args.store_url
    if url is None:
        from tests.support.pgtemp import TempPostgres, find_bin

        bin_dir = find_bin()
        if bin_dir is None:
            sys.exit("PostgreSQL server binaries not found; pass --store-url")
        server = TempPostgres(bin_dir)
        server.start()
        url = server.create_database("review_load")
    try:
        out = run_load(url, args.users, args.seconds, args.think, args.items)
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(out, indent=2))
    ok = out["double_assignments"] == 0 and out["labels_accepted"] == out["labels_stored"]
    ok = ok and out["reviews_accepted"] == out["reviews_stored"] and not out["errors"]
    print("PASS" if ok and out["p95_ms"] < 200 else "FAIL", file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the throwaway server: tests/support
    main()
