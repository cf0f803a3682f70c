"""Regenerate examples/demo-corpus deterministically (run after the keyword library changes)."""

from __future__ import annotations

import sys
from pathlib import Path

from safecorpus.demo import generate

if __name__ == "__main__":
    out = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[1] / "examples/demo-corpus"
    )
    counts = generate(out)
    print(f"wrote {out}: " + ", ".join(f"{k} {v} flagged" for k, v in counts.items()))
