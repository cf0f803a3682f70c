"""Fixed inputs shared by the PII benchmarks: a mixed zh/en corpus and generated identifiers.

Everything is generated here or read from ../shared/datasets (evaluation only, nothing is shipped).
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def zh_sentences(limit: int = 20000) -> list[str]:
    out = []
    with open(DATASETS / "cluener" / "jsonl" / "train.jsonl", encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line)["text"])
            if len(out) >= limit:
                break
    return out


def en_sentences(limit: int = 20000) -> list[str]:
    out: list[str] = []
    with open(DATASETS / "do_not_answer" / "datasets" / "data_en.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for key, val in row.items():
                if key and key.endswith("_response") and val:
                    out.extend(s.strip() + "." for s in val.split(". ") if len(s.strip()) > 20)
            if len(out) >= limit:
                break
    return out[:limit]


def mixed_docs(n_docs: int = 4000, seed: int = 7, target_bytes: int = 475) -> list[str]:
    """Docs of about ``target_bytes`` UTF-8 bytes, ~60% Chinese and ~40% English sentences by count."""
    rng = random.Random(seed)
    zh, en = zh_sentences(), en_sentences()
    docs = []
    for _ in range(n_docs):
        parts: list[str] = []
        size = 0
        while size < target_bytes:
            s = rng.choice(zh) if rng.random() < 0.6 else rng.choice(en)
            parts.append(s)
            size += len(s.encode("utf-8"))
        docs.append(" ".join(parts))
    return docs


def english_docs(n_docs: int = 300, seed: int = 7, target_bytes: int = 475) -> list[str]:
    rng = random.Random(seed)
    en = en_sentences()
    docs = []
    for _ in range(n_docs):
        parts: list[str] = []
        size = 0
        while size < target_bytes:
            s = rng.choice(en)
            parts.append(s)
            size += len(s)
        docs.append(" ".join(parts))
    return docs
