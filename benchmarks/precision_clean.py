"""False alarms of `safecorpus assess` on real, lawful Chinese text, and (``--harmful``) its recall on
real harmful text: what each layer flags, per set.

    .venv/bin/python benchmarks/precision_clean.py --datasets ../shared/datasets
    .venv/bin/python benchmarks/precision_clean.py --harmful    # recall on items labelled harmful

Each clean set becomes a corpus (one source per set, or per TNEWS topic) and is assessed with the default
profile, in one process, with the whole corpus as the technical sample (``--technical-fraction 1.0``) and
the fast tier on the per-source samples too (``[classifier] assessment = false``; ``--assessment`` keeps the
slower assessment tier). Printed: per source the verdict and violation rate, and over the technical sample
the flagged share per layer and the personal-information types that counted. Every record here is lawful
text, so every flag is a false alarm (or a mention the standard does not forbid).

Sets (licences in the datasets' README): FewCLUE TNEWS headlines (news, 15 topics), MSRA news sentences,
CLUENER paragraphs (news), CMRC 2018 Wikipedia paragraphs (encyclopedia), CSL titles (academic).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from safecorpus.assess.decision import DecisionRule
from safecorpus.detect.base import Finding
from safecorpus.taxonomy.profile import load_profile

REPO = Path(__file__).resolve().parents[1]

# (name, relative path, field holding the text or None for "text", source: fixed name or a field)
SETS = [
    ("news-tnews", "fewclue_text/tnews_headlines.jsonl", "text", "label_desc"),
    ("news-msra", "msra_news_sentences/msra_news_sentences.jsonl", "text", None),
    ("news-cluener", "cluener/jsonl", "text", None),
    ("wiki-cmrc2018", "cmrc2018_wiki/wiki_paragraphs.jsonl", "text", None),
    ("academic-csl", "csl_abstracts/csl_abstracts.jsonl", "text", None),
]


# Items labelled harmful (licences in the datasets' README): (name, path, text field, label field, values).
HARMFUL_SETS = [
    ("cold-offensive", "cold/COLDataset/dev.csv", "TEXT", "label", {"1"}),
    ("swsr-sexist", "swsr/SWSR/SexComment.csv", "comment_text", "label", {"1"}),
    ("chbias-biased", "chbias/chbias_biased.jsonl", "text", None, set()),
    ("davidson-hate", "davidson/data/labeled_data.csv", "tweet", "class", {"0"}),
    ("davidson-offensive", "davidson/data/labeled_data.csv", "tweet", "class", {"1"}),
]


def harmful_rows(path: Path, field: str, label: str | None, values: set[str]) -> list[dict]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            docs = list(csv.DictReader(fh))
    else:
        docs = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [
        d | {"_text": d[field]}
        for d in docs
        if isinstance(d.get(field), str) and d[field].strip() and (label is None or str(d[label]) in values)
    ]


def rows_of(path: Path, field: str) -> list[dict]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*.jsonl"))
    rows = []
    for f in files:
        for line in f.read_text("utf-8").splitlines():
            try:
                doc = json.loads(line)
            except json.JSONDecodeError:
                continue
            text = doc.get(field) or doc.get("text")
            if isinstance(text, str) and text.strip():
                rows.append(doc | {"_text": text})
    return rows


def build(datasets: Path, folder: Path, per_set: int, harmful: bool = False) -> dict[str, int]:
    counts: dict[str, int] = {}
    sets = (
        [(n, rel, (f, lab, vals)) for n, rel, f, lab, vals in HARMFUL_SETS]
        if harmful
        else [(n, rel, (f, src)) for n, rel, f, src in SETS]
    )
    with (folder / "clean.jsonl").open("w", encoding="utf-8") as out:
        for name, rel, spec in sets:
            path = datasets / rel
            if not path.exists():
                print(f"skipped {name}: {path} not found", file=sys.stderr)
                continue
            source_field = None if harmful else spec[1]
            docs = harmful_rows(path, *spec) if harmful else rows_of(path, spec[0])
            seen: set[str] = set()
            n = 0
            for i, doc in enumerate(docs):
                text = doc["_text"]
                if text in seen:
                    continue
                seen.add(text)
                source = f"{name}:{doc[source_field]}" if source_field and doc.get(source_field) else name
                row = {"id": f"{name}-{i}", "text": text, "source": source}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
                if n >= per_set:
                    break
            counts[name] = n
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default=str(REPO.parent / "shared" / "datasets"))
    ap.add_argument("--per-set", type=int, default=5000, help="records per set (default 5000)")
    ap.add_argument("--assessment", action="store_true", help="keep the assessment tier on the samples")
    ap.add_argument("--harmful", action="store_true", help="the harmful sets: the flagged share is recall")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="precision-") as tmp:
        folder = Path(tmp)
        counts = build(Path(args.datasets), folder, args.per_set, args.harmful)
        profile = folder / "profile.toml"
        profile.write_text(
            'extends = "gbt45654-2025"\nname = "precision"\n'
            + ("" if args.assessment else "[classifier]\nassessment = false\n"),
            "utf-8",
        )
        cli = [sys.executable, "-c", "from safecorpus.cli import main; main()"]
        cmd = [
            *cli, "assess", str(folder / "clean.jsonl"), "--profile", str(profile),
            "--technical-fraction", "1.0", "--store-dir", str(folder / "store"),
            "--json", str(folder / "summary.json"), "--no-progress",
        ]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True)
        summary = json.loads((folder / "summary.json").read_text("utf-8"))
        (findings,) = list((folder / "store" / "evidence").glob("*/findings.jsonl"))
        rule = DecisionRule.from_profile(load_profile(str(profile)))
        per_genre: dict[str, Counter[str]] = {}
        pi_types: Counter[str] = Counter()
        for line in findings.read_text("utf-8").splitlines():
            doc = json.loads(line)
            if "schema" in doc:  # the findings file's header line
                continue
            if doc["sample"] != "technical" or not doc["violation"]:
                continue
            genre = doc["source"].split(":")[0]
            tally = per_genre.setdefault(genre, Counter())
            tally["flagged"] += 1
            for layer in doc["layers"]:
                tally[layer] += 1
            if "pii" in doc["layers"]:  # the PI findings that made the record a violation, by type
                for f in rule.counted([Finding(**f) for f in doc["findings"]]):
                    if f.layer == "pii":
                        pi_types[str(f.evidence.get("type"))] += 1
    print(f"{'genre':<16}{'records':>8}{'flagged':>9}{'rate':>8}{'keyword':>9}{'classif.':>9}{'pii':>6}")
    for name, n in counts.items():
        t = per_genre.get(name, Counter())
        print(
            f"{name:<16}{n:>8,}{t['flagged']:>9,}{t['flagged'] / max(n, 1):>8.2%}"
            f"{t['keyword']:>9,}{t['classifier']:>9,}{t['pii']:>6,}"
        )
    verdicts = Counter(s["verdict"] for s in summary["sources"])
    tech = summary["technical_sample"]
    print(f"sources: {dict(verdicts)}; technical sample clean rate {tech['clean_rate']:.2%}")
    print(f"PI types counted: {dict(pi_types.most_common())}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "counts": counts,
                    "per_genre": {k: dict(v) for k, v in per_genre.items()},
                    "sources": [
                        {k: s[k] for k in ("name", "read", "sampled", "violations", "verdict")}
                        for s in summary["sources"]
                    ],
                    "technical_sample": tech,
                    "pi_types": dict(pi_types),
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
            "utf-8",
        )


if __name__ == "__main__":
    main()
