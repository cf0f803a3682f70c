"""Package the derived forms (pinyin syllables, split characters) of a library's terms, so the first run
of the detector does not spend seconds deriving them. Run after the library changes:

    python scripts/build_lexicon_derivations.py [--library default]

The file is found by a digest of the terms and tool versions; a stale one is simply not used.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.detect.lexicon.library import read_lexicon
from safecorpus.detect.lexicon.matcher import cache_dir
from safecorpus.detect.lexicon.variants import _derivation_key, term_derivations

OUT_DIR = Path(__file__).resolve().parents[1] / "src/safecorpus/data/lexicons"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--library", default="default")
    args = parser.parse_args()
    patterns = LexiconDetector(read_lexicon(args.library)).patterns
    term_derivations(patterns)
    name = f"derived-{_derivation_key(patterns)}.json.gz"
    for old in OUT_DIR.glob("derived-*.json.gz"):
        old.unlink()
    shutil.copy(cache_dir() / name, OUT_DIR / name)
    print(f"wrote {OUT_DIR / name} ({(OUT_DIR / name).stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
