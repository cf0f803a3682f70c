"""Build src/safecorpus/data/lexicons/allow_default.tsv: benign phrases that contain a default-library
term, so that the term inside them is not reported.

Method (allow-v1, documented in docs/lexicon-library.md):

1. Candidates from a dictionary: every word of jieba's dictionary (MIT) with frequency ≥ 5 and at least
   three characters that strictly contains a default-library term, where the word is not a library term
   itself (source ``jieba-dict@allow-v1``).
2. Candidates from text: run the default library over COLD train and SWSR comments (both labels, both
   permissive, none of the held-out COLD dev) and take every jieba-dictionary word (frequency ≥ 3)
   around a match that strictly contains it (source ``cold-train+swsr@allow-v1``).
3. Drop candidates that are library terms, and those in ``mappings/allow_reject.txt`` (the hand review:
   the longer phrase keeps the term's harmful sense).

Same inputs and ``--date`` give the same file. Build-only packages: jieba.

    .venv/bin/python scripts/build_allowlist.py --date YYYY-MM-DD
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import jieba

from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.detect.lexicon.importer import read_term_list
from safecorpus.detect.lexicon.library import read_lexicon
from safecorpus.detect.lexicon.normalize import canonical_terms
from safecorpus.detect.lexicon.rules import AllowList, AllowPhrase, write_allow_list

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src/safecorpus/data/lexicons/allow_default.tsv"
REJECT = REPO / "src/safecorpus/data/lexicons/mappings/allow_reject.txt"
DICT_MIN_FREQ = 5
TEXT_MIN_FREQ = 3
MAX_PHRASE = 8


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=Path, default=REPO.parent / "shared/datasets")
    ap.add_argument("--date", default=dt.date.today().isoformat())
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    jieba.setLogLevel(60)
    jieba.initialize()
    freq: dict[str, int] = jieba.dt.FREQ
    lexicon = read_lexicon("default")
    detector = LexiconDetector(lexicon)
    patterns = set(detector.patterns)
    tag_of = {p: ts[0].tag for p, ts in zip(detector.patterns, detector.pattern_terms, strict=True)}
    found: dict[str, tuple[str, str, int]] = {}  # phrase -> (source, tag, count)

    # 1. dictionary words containing a term
    words = sorted(w for w, f in freq.items() if f >= DICT_MIN_FREQ and len(w) >= 3 and "\n" not in w)
    for m in detector.match_batch(words):
        word = words[m.doc]
        if (m.start, m.end) != (0, len(word)):
            found.setdefault(word, ("jieba-dict@allow-v1", tag_of[detector.patterns[m.pattern]], freq[word]))

    # 2. dictionary words around matches in permissive comment text
    texts = [r["TEXT"] for r in _read_csv(args.datasets / "cold/COLDataset/train.csv")]
    texts += [r["comment_text"] for r in _read_csv(args.datasets / "swsr/SWSR/SexComment.csv")]
    seen_in_text: Counter[str] = Counter()
    text_tag: dict[str, str] = {}
    for m in detector.match_batch(texts):
        text, s, e = texts[m.doc], m.start, m.end
        around = set()
        for a in range(max(0, e - MAX_PHRASE), s + 1):
            for b in range(e, min(len(text), a + MAX_PHRASE) + 1):
                if (a, b) != (s, e) and freq.get(text[a:b], 0) >= TEXT_MIN_FREQ:
                    around.add(text[a:b])
        for w in around:
            seen_in_text[w] += 1
            text_tag[w] = tag_of[detector.patterns[m.pattern]]
    for w, n in seen_in_text.items():
        if w not in found:
            found[w] = ("cold-train+swsr@allow-v1", text_tag[w], n)

    # 3. filters
    reject = set(read_term_list(REJECT))
    phrases = sorted(found)
    canon = dict(zip(phrases, canonical_terms(phrases), strict=True))
    kept = [p for p in phrases if canon[p] and canon[p] not in patterns and p not in reject]
    rows = [
        AllowPhrase(p, f"covers a {found[p][1]} term; count {found[p][2]}", found[p][0])
        for p in sorted(kept, key=lambda p: (found[p][0], p))
    ]
    date = dt.date.fromisoformat(args.date)
    allow = AllowList(
        name="allow_default",
        version=date.strftime("%Y.%m.%d"),
        updated_at=date,
        phrases=rows,
        header={
            "description": "benign phrases containing default-library terms (allow-v1, "
            "scripts/build_allowlist.py; see docs/lexicon-library.md)",
            "for_lexicon": lexicon.ident,
        },
    )
    write_allow_list(allow, args.out)
    print(
        f"{len(rows)} phrases ({len(found)} candidates, {len(found) - len(kept)} dropped: library "
        f"terms or hand-rejected) → {args.out}"
    )


if __name__ == "__main__":
    main()
