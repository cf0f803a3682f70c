"""Generated test corpora for the filter pipeline (harmless placeholder words; harmful terms stay in data)."""

from __future__ import annotations

import json
import random
from pathlib import Path

_rng = random.Random(7)
VOCAB = sorted(
    {
        "".join(_rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_rng.randint(3, 9)))
        for _ in range(6000)
    }
)


def document(rng: random.Random, paragraphs: int = 5, words: int = 90) -> str:
    return "\n\n".join(" ".join(rng.choice(VOCAB) for _ in range(words)) + "." for _ in range(paragraphs))


def edit(rng: random.Random, text: str, changes: int = 5, shuffle: bool = False) -> str:
    paras = text.split("\n\n")
    if shuffle:
        rng.shuffle(paras)
    words = "\n\n".join(paras).split(" ")
    for _ in range(changes):
        words[rng.randrange(len(words))] = rng.choice(VOCAB)
    return " ".join(words)


def write_corpus(folder: Path, files: int = 3, per_file: int = 40, seed: int = 1) -> Path:
    """A corpus with clean records, keyword hits, PII, a blocked domain, bad lines and duplicates."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    first = None
    for f in range(files):
        with (folder / f"part{f}.jsonl").open("w", encoding="utf-8") as fh:
            for i in range(per_file):
                text = document(rng, 2, 30)
                first = first or text
                rec: dict = {"id": f"p{f}-{i}", "text": text, "source": ["news", "forum", "books"][i % 3]}
                if i % 10 == 1:
                    rec["text"] += " 违禁词甲"
                if i % 10 == 2:
                    rec["text"] += " badword here"
                if i % 10 == 3:
                    rec["url"] = "https://www.blocked.example/page"
                if i % 10 == 4:
                    rec["text"] = first  # an exact duplicate
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.write("{broken json\n")
    return folder
