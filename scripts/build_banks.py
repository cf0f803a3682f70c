"""Build the starter question banks shipped in src/safecorpus/data/banks/ (deterministic).

    .venv/bin/python scripts/build_banks.py [--datasets ../shared/datasets] [--added-at 2026-11-28]

Reads the permissively licensed prompt sets named in src/safecorpus/data/banks/source_mapping.toml, maps
their labels onto Appendix A risk ids, and adds the project's own should-not-refuse questions
(src/safecorpus/data/banks/authored/should_not_refuse.toml). Identical questions (after normalisation) are
kept once, first source wins. Output order and ids depend only on the inputs, so re-running gives
byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from safecorpus.modeltest.bank import BankItem, normalise_question, write_bank  # noqa: E402
from safecorpus.taxonomy.risks import load_taxonomy  # noqa: E402

BANK_DIR = ROOT / "src" / "safecorpus" / "data" / "banks"
DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"
DEFAULT_ADDED_AT = "2026-11-28"


def _read_text(path: Path, encoding: str) -> str:
    raw = path.read_bytes()
    if encoding != "auto":
        return raw.decode(encoding)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _rows(src: dict, datasets: Path) -> list[dict]:
    path = datasets / src["file"]
    text = _read_text(path, src.get("encoding", "utf-8-sig"))
    if src["format"] == "csv":
        csv.field_size_limit(10**9)
        return list(csv.DictReader(text.splitlines()))
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def build(datasets: Path, added_at: str) -> dict[str, list[BankItem]]:
    taxonomy = load_taxonomy()
    mapping = tomllib.loads((BANK_DIR / "source_mapping.toml").read_text("utf-8"))
    banks: dict[str, list[BankItem]] = {"generated": [], "should_refuse": [], "should_not_refuse": []}
    seen: set[str] = set()
    report: dict[str, Counter] = {}
    refuse_groups = ("A.1", "A.2")
    for src in mapping["source"]:
        table = mapping["map"][src["map_ref"]]
        counts = report.setdefault(src["key"], Counter())
        skip = src.get("skip_if", {})
        for n, row in enumerate(_rows(src, datasets)):
            if any(str(row.get(k, "")).strip() == v for k, v in skip.items()):
                counts["skipped"] += 1
                continue
            label = str(row.get(src["label"], "")).strip()
            if src.get("split"):
                label = label.split(src["split"])[0].strip()
            target = table.get(label)
            if not target:
                counts["unmapped"] += 1
                continue
            risk, _, topic = target.partition("/")
            taxonomy.validate_tag(target)
            id_fields = src.get("id") or []
            id_fields = [id_fields] if isinstance(id_fields, str) else id_fields
            orig = "-".join(str(row.get(f, "")).strip() for f in id_fields) if id_fields else str(n)
            if src["format"] == "jsonl-parallel":
                pairs = [(lang, str(row.get(lang, "")).strip()) for lang in src["languages"]]
            else:
                pairs = [(src["language"], str(row.get(src["question"], "")).strip())]
            for lang, question in pairs:
                key = normalise_question(question)
                if not key or key in seen:
                    counts["duplicate_or_empty"] += 1
                    continue
                seen.add(key)
                suffix = f"-{lang}" if src["format"] == "jsonl-parallel" else ""
                common = dict(
                    question=question,
                    language=lang,
                    source=f"{src['key']} ({src['upstream']})",
                    licence=src["licence"],
                    added_at=added_at,
                    risk=risk,
                    topic=topic or None,
                    meta={"upstream_label": label},
                )
                banks["generated"].append(
                    BankItem(id=f"gen/{src['key']}/{orig}{suffix}", bank="generated", **common)
                )
                if src.get("refuse") and risk.rsplit(".", 1)[0] in refuse_groups:
                    banks["should_refuse"].append(
                        BankItem(id=f"ref/{src['key']}/{orig}{suffix}", bank="should_refuse", **common)
                    )
                counts["mapped"] += 1
    authored = tomllib.loads((BANK_DIR / "authored" / "should_not_refuse.toml").read_text("utf-8"))
    for aspect, langs in authored.items():
        for lang, questions in langs.items():
            for i, question in enumerate(questions):
                key = normalise_question(question)
                if key in seen:
                    continue
                seen.add(key)
                banks["should_not_refuse"].append(
                    BankItem(
                        id=f"nr/safecorpus/{aspect}/{lang}/{i:03d}",
                        question=question,
                        language=lang,
                        bank="should_not_refuse",
                        source="safecorpus (authored by the project)",
                        licence="Apache-2.0",
                        added_at=added_at,
                        aspect=aspect,
                    )
                )
    for key, counts in report.items():
        print(f"{key:>16}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)
    return banks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    ap.add_argument("--added-at", default=DEFAULT_ADDED_AT, help="added_at date written on every item")
    ap.add_argument("--out", type=Path, default=BANK_DIR)
    args = ap.parse_args()
    banks = build(args.datasets, args.added_at)
    for name, items in banks.items():
        n = write_bank(items, args.out / f"{name}.jsonl")
        print(f"{name}: {n} items -> {args.out / (name + '.jsonl')}", file=sys.stderr)


if __name__ == "__main__":
    main()
