"""Instructions per byte of all PII text recognizers: a load-independent speed measure.

Run under callgrind with instrumentation off at start; the script switches it on only while it scans
``--docs`` fresh mixed zh/en documents (after a warm-up on 300 others), so the count excludes start-up:

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/pii.cg \\
        .venv/bin/python benchmarks/pii_callgrind.py --docs 1000
    grep Collected <valgrind output>      # instructions; divide by the bytes printed

Point PYTHONPATH at another checkout's ``src`` to count an older version on the same documents.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _pii_corpus import mixed_docs
from safecorpus.detect.pii.detector import PiiDetector
from safecorpus.detect.pii.engine import PiiEngine


def _callgrind(switch: str) -> None:
    subprocess.run(["callgrind_control", "-i", switch, str(os.getpid())], check=False, capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument(
        "--detector", action="store_true", help="count the whole PiiDetector, sensitive categories included"
    )
    args = ap.parse_args()
    warm = mixed_docs(300, seed=99)
    docs = mixed_docs(args.docs, seed=7)
    scan = PiiDetector().spans if args.detector else PiiEngine().analyze
    for d in warm:
        scan(d)
    _callgrind("on")
    spans = sum(len(scan(d)) for d in docs)
    _callgrind("off")
    print(f"bytes {sum(len(d.encode()) for d in docs)} spans {spans}")


if __name__ == "__main__":
    main()
