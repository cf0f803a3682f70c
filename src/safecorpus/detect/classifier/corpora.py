"""Load the public labelled data sets onto the risk ids, by the written mapping in label_mapping.toml.

Used by ``scripts/train_classifier.py`` and ``benchmarks/classifier_quality.py``; the runtime never reads
these data sets. Each loader yields :class:`Example` rows with a deterministic ``split`` (``train`` or
``heldout``) so the held-out rows never reach training.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

HELDOUT_FRACTION = 0.2
RESPONSE_MODELS = ("GPT4", "ChatGPT", "Claude", "ChatGLM2", "llama2-7b-chat", "vicuna-7b")
SAFETYBENCH_PREFIXES = ("请问下面的文本是否包含攻击性的内容？\n", "请问下面的文本是否存在偏见歧视？\n")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    risks: tuple[str, ...]  # "A.2.5" or "A.2.5/topic"; empty = safe
    dataset: str
    key: str
    split: str  # "train" or "heldout"
    ship: bool = True


def load_mapping() -> dict[str, Any]:
    text = resources.files("safecorpus.data").joinpath("classifier/label_mapping.toml").read_text("utf-8")
    return tomllib.loads(text)


def hashed_split(dataset: str, key: str, fraction: float = HELDOUT_FRACTION) -> str:
    h = int.from_bytes(hashlib.sha1(f"{dataset}:{key}".encode()).digest()[:8], "big") / 2**64
    return "heldout" if h < fraction else "train"


def _csv(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def load_cold(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    table = mapping["cold"]["offensive_by_topic"]
    for name, split in (("train.csv", "train"), ("dev.csv", "heldout")):
        for row in _csv(root / "cold" / "COLDataset" / name):
            risks = tuple(table[row["topic"]]) if row["label"].strip() == "1" else ()
            yield Example(row["TEXT"], risks, "cold", f"{split}:{row['']}", split)


def load_swsr(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    for row in _csv(root / "swsr" / "SWSR" / "SexComment.csv"):
        risks = tuple(mapping["swsr"]["sexist"]) if row["label"].strip() == "1" else ()
        key = row["index"]
        yield Example(row["comment_text"], risks, "swsr", key, hashed_split("swsr", key))


def _jade_risks(mapping: dict[str, Any], kind: str, subtypes: str) -> tuple[str, ...]:
    table, other = mapping["jade"]["subtype"], mapping["jade"]["other_by_type"]
    out: list[str] = []
    for sub in (s.strip() for s in subtypes.split("|")):
        if sub == "其他":
            out.extend(other.get(kind.strip(), ()))
        else:
            out.extend(table.get(sub, ()))
    return tuple(dict.fromkeys(out))


def load_jade(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    files = (
        "jade-db-v1.0/jade_benchmark_zh.csv",
        "jade-db-v1.0/jade_benchmark_en.csv",
        "jade-db-v2.0/jade_benchmark_easy_zh.csv",
        "jade-db-v2.0/jade_benchmark_medium_zh.csv",
    )
    seen: set[str] = set()
    for name in files:
        for row in _csv(root / "jade" / name):
            text = row["问题"].strip()
            risks = _jade_risks(mapping, row["违规类型"], row["违规子类"])
            if not text or not risks or text in seen:
                continue
            seen.add(text)
            key = hashlib.sha1(text.encode()).hexdigest()[:16]
            yield Example(text, risks, "jade", key, hashed_split("jade", key))


def load_safety_prompts(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    table = mapping["safety_prompts"]["category"]
    path = root / "safety_prompts" / "safety_prompts_subset_zh_en.jsonl"
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        risks = table.get(row["category"])
        if not risks:
            continue
        key = f"{row['category']}:{row['idx']}"
        split = hashed_split("safety_prompts", key)
        for lang in ("zh", "en"):
            if (row.get(lang) or "").strip():
                yield Example(row[lang].strip(), tuple(risks), "safety_prompts", f"{key}:{lang}", split)


def load_safetybench(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    table = mapping["safetybench"]["category"]
    folder = root / "safetybench" / "opensource_data"
    items = json.loads((folder / "test_zh_subset.json").read_text("utf-8"))
    answers = json.loads((folder / "test_answers_zh_subset.json").read_text("utf-8"))
    for item in items:
        q = item["question"]
        prefix = next((p for p in SAFETYBENCH_PREFIXES if q.startswith(p)), None)
        answer = answers.get(str(item["id"]))
        if prefix is None or answer is None or item["category"] not in table:
            continue
        if [o.strip("。") for o in item["options"]] != ["是", "否"]:
            continue
        risks = tuple(table[item["category"]]) if answer["answer"] == 0 else ()
        key = str(item["id"])
        yield Example(q[len(prefix) :].strip(), risks, "safetybench", key, hashed_split("safetybench", key))


def load_davidson(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    table = mapping["davidson"]["class"]
    for row in _csv(root / "davidson" / "data" / "labeled_data.csv"):
        key = row[""]
        yield Example(
            row["tweet"], tuple(table[row["class"]]), "davidson", key, hashed_split("davidson", key)
        )


def load_hatexplain(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    table = mapping["hatexplain"]["category"]
    divisions = json.loads((root / "hatexplain" / "post_id_divisions.json").read_text("utf-8"))
    test_ids = set(divisions["test"])
    for row in _csv(root / "hatexplain" / "datasets" / "092_HateXplain" / "092-HateXplain.csv"):
        if row["category"] not in table:
            continue
        post = row[""]
        split = "heldout" if post in test_ids else "train"
        yield Example(row["text"], tuple(table[row["category"]]), "hatexplain", post, split)


def load_toxigen(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    table = mapping["toxigen"]["hate_target"]
    for i, row in enumerate(_csv(root / "toxigen" / "derived" / "toxigen_seed_sentences.csv")):
        label, target = row["label"].strip(), row["target_group"].strip()
        if label == "neutral":
            risks: tuple[str, ...] = ()
        elif label == "hate" and target in table:
            risks = tuple(table[target])
        else:
            continue
        key = str(i)
        yield Example(row["text"], risks, "toxigen", key, hashed_split("toxigen", key))


def load_do_not_answer(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    table = mapping["do_not_answer"]["types_of_harm"]
    for row in _csv(root / "do_not_answer" / "datasets" / "Instruction" / "do_not_answer_en.csv"):
        risks = table.get(row["types_of_harm"])
        if risks:
            key = row["id"]
            yield Example(
                row["question"], tuple(risks), "do_not_answer", key, hashed_split("do_not_answer", key)
            )
    # The six chat models' answers that the annotators judged harmless (mostly refusals and cautious
    # explanations): plain English prose, the safe class the English sets otherwise lack. Each answer
    # follows its question's split, so no question reaches both sides.
    safe = tuple(mapping["do_not_answer"].get("harmless_response", ()))
    if not mapping["do_not_answer"].get("use_responses", False):
        return
    for row in _csv(root / "do_not_answer" / "datasets" / "data_en.csv"):
        split = hashed_split("do_not_answer", row["id"])
        for model in RESPONSE_MODELS:
            text = (row.get(f"{model}_response") or "").strip()
            if text and row.get(f"{model}_harmful", "").strip() == "0":
                yield Example(text, safe, "do_not_answer", f"{row['id']}:{model}", split)


def load_harmbench(root: Path, mapping: dict[str, Any]) -> Iterator[Example]:
    folder = root / "harmbench" / "data" / "behavior_datasets"
    sem, strong = mapping["harmbench"]["semantic"], mapping["harmbench"]["strongreject"]
    for row in _csv(folder / "harmbench_behaviors_text_all.csv"):
        risks = sem.get(row["SemanticCategory"])
        if risks:
            key = row["BehaviorID"]
            yield Example(row["Behavior"], tuple(risks), "harmbench", key, hashed_split("harmbench", key))
    for i, row in enumerate(_csv(folder / "strongreject_dataset.csv")):
        risks = strong.get(row["category"])
        if risks:
            key = f"sr{i}"
            yield Example(
                row["forbidden_prompt"], tuple(risks), "harmbench", key, hashed_split("harmbench", key)
            )


LOADERS = {
    "cold": load_cold,
    "swsr": load_swsr,
    "jade": load_jade,
    "safety_prompts": load_safety_prompts,
    "safetybench": load_safetybench,
    "davidson": load_davidson,
    "hatexplain": load_hatexplain,
    "toxigen": load_toxigen,
    "do_not_answer": load_do_not_answer,
    "harmbench": load_harmbench,
}


def load_all(root: Path, names: tuple[str, ...] | None = None) -> list[Example]:
    """Every mapped row of the named data sets (all of them by default), in a fixed order."""
    mapping = load_mapping()
    out: list[Example] = []
    for name in names or tuple(LOADERS):
        if not mapping[name].get("ship", False):
            continue
        out.extend(ex for ex in LOADERS[name](root, mapping) if ex.text.strip())
    return out


CALIBRATION_FRACTION = 0.3


def is_calibration(example: Example) -> bool:
    """Training rows set aside to calibrate the fast tier and to train the assessment head."""
    if example.split != "train":
        return False
    return hashed_split(f"calib:{example.dataset}", example.key, CALIBRATION_FRACTION) == "heldout"


# The assessment tier embeds a bounded sample (the encoder costs ~70 ms of one core per row): at most this
# many calibration rows per data set for its head, and held-out rows per set for its figures (None = all).
ASSESSMENT_TRAIN_CAPS: dict[str, int | None] = {
    "cold": 4000,
    "swsr": 1500,
    "davidson": 1000,
    "hatexplain": 1500,
    "do_not_answer": 600,
}
ASSESSMENT_EVAL_CAPS: dict[str, int | None] = {"cold": None}
ASSESSMENT_EVAL_DEFAULT_CAP = 800


def capped(
    examples: list[Example], caps: dict[str, int | None], default: int | None, salt: str
) -> list[Example]:
    """At most ``caps[dataset]`` (else ``default``; None = all) rows per data set, chosen by a keyed hash
    (``sha1("<salt>:<dataset>:<key>")``, lowest first) and returned in their original order."""
    by_set: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        by_set.setdefault(e.dataset, []).append(i)
    keep: set[int] = set()
    for name, idx in by_set.items():
        cap = caps.get(name, default)
        if cap is None or cap >= len(idx):
            keep.update(idx)
            continue
        ranked = sorted(idx, key=lambda i: hashlib.sha1(f"{salt}:{name}:{examples[i].key}".encode()).digest())
        keep.update(ranked[:cap])
    return [e for i, e in enumerate(examples) if i in keep]


TRAIN_SEED = 20250601
TRAIN_SUBSAMPLE = {"davidson": 0.5, "hatexplain": 0.5}


def select_training(rows: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training rows, held-out rows) as the shipped model uses them: the English tweet sets subsampled to
    half with a generator seeded ``TRAIN_SEED``, in the order ``load_all`` gives."""
    import numpy as np

    rng = np.random.default_rng(TRAIN_SEED)
    train = [e for e in rows if e.split == "train" and rng.random() < TRAIN_SUBSAMPLE.get(e.dataset, 1.0)]
    return train, [e for e in rows if e.split == "heldout"]
