"""List the library terms whose homophones are ordinary words, so the homophone variant skips them.

Many library entries are themselves homophone spellings of everyday words (a slur written with the
characters of a neutral noun). Matching them by sound would flag the everyday word everywhere. This
script reads jieba's word-frequency dictionary (MIT; a build-time tool only), computes the toneless
pinyin of every common word (frequency >= --min-freq) with the same function the detector uses, and
writes every library term whose pinyin equals a common word's pinyin (other than the term itself) to
src/safecorpus/data/lexicons/homophone_exclude_<library>.txt.

    python scripts/build_homophone_exclusions.py [--library default] [--min-freq 20]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jieba

from safecorpus.detect.lexicon.library import read_lexicon
from safecorpus.detect.lexicon.normalize import canonical_terms
from safecorpus.detect.lexicon.variants import VariantOptions, term_syllables

OUT_DIR = Path(__file__).resolve().parents[1] / "src/safecorpus/data/lexicons"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--library", default="default")
    parser.add_argument("--min-freq", type=int, default=20)
    args = parser.parse_args()
    min_chars = VariantOptions().homophone_min_chars
    dict_path = Path(jieba.__file__).parent / "dict.txt"
    common: dict[tuple[str, ...], str] = {}
    for line in dict_path.read_text("utf-8").splitlines():
        word, freq, *_ = line.split(" ")
        if int(freq) >= args.min_freq and len(word) >= min_chars:
            syl = term_syllables(word)
            if syl:
                common.setdefault(tuple(syl), word)
    lexicon = read_lexicon(args.library)
    excluded = set()
    for term in canonical_terms([t.term for t in lexicon.terms]):
        syl = term_syllables(term) if len(term) >= min_chars else None
        if syl and tuple(syl) in common and common[tuple(syl)] != term:
            excluded.add(term)
    out = OUT_DIR / f"homophone_exclude_{args.library}.txt"
    header = (
        f"# terms of the '{args.library}' library not matched by homophone: each sounds like a common word\n"
        f"# built by scripts/build_homophone_exclusions.py (jieba dictionary, frequency >= {args.min_freq})\n"
    )
    out.write_text(header + "".join(f"{t}\n" for t in sorted(excluded)), "utf-8")
    print(f"{len(excluded)} of {len(lexicon.terms)} terms excluded from homophone matching -> {out}")


if __name__ == "__main__":
    main()
