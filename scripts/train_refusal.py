"""Train the shipped refusal model (src/safecorpus/modeltest/refusal_model.json.gz), reproducibly.

    .venv/bin/python scripts/train_refusal.py [--datasets ../shared/datasets] [--report OUT.json]

Data (permissive licences only):
- Do-Not-Answer (Apache-2.0): 939 questions × 6 models, human ``action`` labels 0–5. Training uses the
  unambiguous actions: 0 (refuses) → refused; 2, 3, 5 (balanced answer, cautious answer, complies) → not
  refused. Actions 1 (refutes the premise) and 4 (cites lack of ability or knowledge) mix refusals and
  answers, so they are left out of training and reported separately.
- JADE v3 (MIT), Chinese: for each question an unsafe answer (→ not refused) and a safe answer (→ refused:
  almost all of them decline; weak labels).

Held out: every item whose question id falls in the 20% bucket of a keyed hash (all six answers to a question
stay on the same side). The model is fitted on the rest only; the held-out figures are printed and written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from safecorpus.modeltest.refusal import (  # noqa: E402
    MODEL_FILE,
    binary_metrics,
    fit_logistic,
    predict_proba,
    save_model,
)

DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"
MODELS = ["GPT4", "ChatGPT", "Claude", "ChatGLM2", "llama2-7b-chat", "vicuna-7b"]
SPLIT_KEY = "safecorpus-refusal-v1"
VERSION = "1"


def held_out(key: str) -> bool:
    h = hashlib.sha256(f"{SPLIT_KEY}|{key}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64 < 0.2


def load_dna(datasets: Path) -> list[dict]:
    csv.field_size_limit(10**9)
    path = datasets / "do_not_answer" / "datasets" / "data_en.csv"
    out = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for m in MODELS:
                action = int(row[f"{m}_action"])
                out.append(
                    {
                        "key": f"dna/{row['id']}",
                        "question": row["question"],
                        "answer": row[f"{m}_response"],
                        "action": action,
                        "source": "do_not_answer",
                    }
                )
    return out


def load_jade(datasets: Path) -> list[dict]:
    out = []
    for name in ("jade_alignment_medium_zh.utf8.csv", "jade_alignment_hard_zh.utf8.csv"):
        with (datasets / "jade" / "jade-db-v3.0" / name).open(encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                key = f"jade3/{name.split('_')[2]}/{row['ID'].strip()}"
                for col, refused in (("违规回答", False), ("安全有用回答", True)):
                    if row.get(col, "").strip():
                        out.append(
                            {
                                "key": key,
                                "question": row["问题"],
                                "answer": row[col],
                                "refused": refused,
                                "source": "jade_v3",
                            }
                        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "safecorpus" / "modeltest" / MODEL_FILE)
    ap.add_argument("--report", type=Path, default=None, help="write held-out figures as JSON here")
    ap.add_argument("--iters", type=int, default=300)
    args = ap.parse_args()

    dna, jade = load_dna(args.datasets), load_jade(args.datasets)
    train = [
        r | {"refused": r["action"] == 0}
        for r in dna
        if r["action"] in (0, 2, 3, 5) and not held_out(r["key"])
    ]
    train += [r for r in jade if not held_out(r["key"])]
    print(f"training on {len(train)} answers", file=sys.stderr)
    weights = fit_logistic([r["answer"] for r in train], [int(r["refused"]) for r in train], iters=args.iters)

    # choose the cut on the training data: maximise accuracy (ties: the one nearest 0.5)
    p_train = predict_proba(weights, [r["answer"] for r in train])
    y_train = np.array([r["refused"] for r in train])
    cuts = np.round(np.arange(0.2, 0.81, 0.02), 2)
    accs = [float(((p_train >= c) == y_train).mean()) for c in cuts]
    best = max(zip(accs, [-abs(c - 0.5) for c in cuts], cuts, strict=True))[2]
    threshold = float(best)

    def evaluate(rows: list[dict], gold) -> dict:
        if not rows:
            return {}
        p = predict_proba(weights, [r["answer"] for r in rows])
        return binary_metrics([bool(x >= threshold) for x in p], [gold(r) for r in rows])

    dna_ho = [r for r in dna if held_out(r["key"])]
    jade_ho = [r for r in jade if held_out(r["key"])]
    report = {
        "version": VERSION,
        "threshold": threshold,
        "train_size": len(train),
        "held_out": {
            "dna_unambiguous (0 vs 2,3,5)": evaluate(
                [r for r in dna_ho if r["action"] in (0, 2, 3, 5)], lambda r: r["action"] == 0
            ),
            "dna_all (0,4 refused; 1,2,3,5 not)": evaluate(dna_ho, lambda r: r["action"] in (0, 4)),
            "dna_all (0 refused; 1-5 not)": evaluate(dna_ho, lambda r: r["action"] == 0),
            "dna_all (0,1,4 refused; 2,3,5 not)": evaluate(dna_ho, lambda r: r["action"] in (0, 1, 4)),
            "jade_v3_zh (weak labels)": evaluate(jade_ho, lambda r: r["refused"]),
        },
        "held_out_by_action": {
            str(a): float(
                np.mean(
                    predict_proba(weights, [r["answer"] for r in dna_ho if r["action"] == a]) >= threshold
                )
            )
            for a in range(6)
        },
    }
    meta = {
        "name": "refusal",
        "version": VERSION,
        "threshold": threshold,
        "trained_on": [
            "Do-Not-Answer (Libr-AI/do-not-answer, Apache-2.0): actions 0 vs 2,3,5, 80% split",
            "JADE-DB v3.0 (whitzard-ai/jade-db, MIT): unsafe vs safe answers, 80% split",
        ],
        "split_key": SPLIT_KEY,
        "held_out": report["held_out"],
    }
    save_model(weights, meta, args.out)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.report:
        args.report.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
