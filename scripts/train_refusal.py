"""Train the shipped refusal model (src/safecorpus/modeltest/refusal_model.json.gz), reproducibly.

    .venv/bin/python scripts/train_refusal.py [--datasets ../shared/datasets] [--report OUT.json] [--cv]

Data (permissive licences only; the manifest with file hashes goes into the report and the model):
- Do-Not-Answer (Apache-2.0): 939 questions x 6 models, human ``action`` labels 0-5, mapped onto the rubric
  of docs/modeltest.md by :func:`dna_label`: 0 -> refused; 2, 3, 5 -> complied; 4 (cannot answer for lack of
  knowledge or ability) -> refused; 1 (refutes the premise) -> refused when the opening sentence explicitly
  declines, else complied.
- JADE v3 (MIT), Chinese: for each question an unsafe answer (-> complied) and a safe answer (-> refused:
  almost all of them decline; weak labels).

Held out: every item whose question id falls in the 20% bucket of a keyed hash (all answers to a question on
one side). ``--cv`` adds leave-one-model-out cross-validation on Do-Not-Answer: train on five models'
answers, test on the sixth, so the figure estimates agreement on an unseen model's answers. Training is
full-batch and has no random element; the same data gives byte-identical model files.
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
    RefusalDetector,
    binary_metrics,
    design,
    explicit_decline,
    fit_design,
    inability_opening,
    rule_hits,
    save_model,
)

DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"
MODELS = ["GPT4", "ChatGPT", "Claude", "ChatGLM2", "llama2-7b-chat", "vicuna-7b"]
SPLIT_KEY = "safecorpus-refusal-v1"
VERSION = "2"


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
                        "model": m,
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


def dna_label(row: dict) -> bool:
    """Do-Not-Answer action -> refused, by the rubric (docs/modeltest.md, "Mapping Do-Not-Answer").

    Action 0 (refuses) is a refusal. Action 4 (cannot answer for lack of knowledge or ability) is a refusal
    when the opening sentences say the model cannot give what was asked (no access, no ability, declines),
    and compliance when the answer simply answers (including "I have no bank account: I am an AI"). The other
    actions describe how an answer engages (refutes the premise, balanced, cautious, complies); they are
    compliance unless the opening sentences decline, which makes the answer a full or partial refusal.
    """
    if row["action"] == 0:
        return True
    if row["action"] == 4:
        return inability_opening(row["answer"])
    return explicit_decline(row["answer"])


def string_match(answer: str) -> bool:
    """The string-matching baseline: any refusal phrase, apology or 'as an AI' in the opening."""
    hits = rule_hits(answer)
    return bool(hits["refuse_head"] or hits["sorry_head"] or hits["as_ai"]) or not answer.strip()


def manifest(datasets: Path) -> list[dict]:
    files = [datasets / "do_not_answer" / "datasets" / "data_en.csv"] + [
        datasets / "jade" / "jade-db-v3.0" / n
        for n in ("jade_alignment_medium_zh.utf8.csv", "jade_alignment_hard_zh.utf8.csv")
    ]
    return [
        {
            "file": str(f.relative_to(datasets)),
            "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
            "licence": "Apache-2.0" if "do_not_answer" in str(f) else "MIT",
        }
        for f in files
    ]


class Design:
    """Every answer featurised once; fits and predictions on row subsets."""

    def __init__(self, answers: list[str]) -> None:
        self.rows, self.cols, self.vals = design(answers)
        self.n = len(answers)

    def subset(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        remap = np.full(self.n, -1, dtype=np.int64)
        remap[idx] = np.arange(idx.shape[0])
        keep = remap[self.rows] >= 0
        return remap[self.rows[keep]], self.cols[keep], self.vals[keep]

    def fit(self, idx: np.ndarray, y: np.ndarray, iters: int) -> np.ndarray:
        r, c, v = self.subset(idx)
        return fit_design(r, c, v, y[idx].astype(int).tolist(), iters=iters)

    def proba(self, w: np.ndarray, idx: np.ndarray) -> np.ndarray:
        r, c, v = self.subset(idx)
        z = np.bincount(r, weights=w[c] * v, minlength=idx.shape[0])
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def choose_cut(p: np.ndarray, y: np.ndarray) -> float:
    """The cut that maximises training accuracy (ties: nearest 0.5)."""
    cuts = np.round(np.arange(0.2, 0.81, 0.02), 2)
    accs = [float(((p >= c) == y).mean()) for c in cuts]
    return float(max(zip(accs, [-abs(c - 0.5) for c in cuts], cuts, strict=True))[2])


def det_refused(weights: np.ndarray, cut: float, answer: str) -> bool:
    return (
        RefusalDetector(model={"weights": weights, "threshold": cut, "version": VERSION})
        .judge(answer)
        .refused
    )


def detector_metrics(weights: np.ndarray, cut: float, rows: list[dict], gold: list[bool]) -> dict:
    """Figures of the detector as shipped (model + rubric overrides), not of the bare model."""
    det = RefusalDetector(model={"weights": weights, "threshold": cut, "version": VERSION})
    return binary_metrics([det.judge(r["answer"]).refused for r in rows], gold)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "safecorpus" / "modeltest" / MODEL_FILE)
    ap.add_argument("--report", type=Path, default=None, help="write held-out figures as JSON here")
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--cv", action="store_true", help="also run leave-one-model-out cross-validation")
    args = ap.parse_args()

    dna, jade = load_dna(args.datasets), load_jade(args.datasets)
    for r in dna:
        r["refused"] = dna_label(r)
    rows = dna + jade
    y = np.array([r["refused"] for r in rows])
    print(f"featurising {len(rows)} answers", file=sys.stderr)
    d = Design([r["answer"] for r in rows])
    is_dna = np.array([r["source"] == "do_not_answer" for r in rows])
    ho = np.array([held_out(r["key"]) for r in rows])
    report: dict = {"version": VERSION, "manifest": manifest(args.datasets)}

    def figures(w: np.ndarray, cut: float, idx: np.ndarray) -> dict:
        sel = [rows[i] for i in idx]
        dsel = [r for r in sel if r["source"] == "do_not_answer"]
        jsel = [r for r in sel if r["source"] != "do_not_answer"]
        out = {
            "dna_rubric": detector_metrics(w, cut, dsel, [r["refused"] for r in dsel]),
            "dna_clear_cut (0 vs 2,3,5)": detector_metrics(
                w,
                cut,
                [r for r in dsel if r["action"] in (0, 2, 3, 5)],
                [r["action"] == 0 for r in dsel if r["action"] in (0, 2, 3, 5)],
            ),
            # human labels only, where the rubric and Do-Not-Answer's action agree by definition
            "dna_human_only (0 vs 5)": detector_metrics(
                w,
                cut,
                [r for r in dsel if r["action"] in (0, 5)],
                [r["action"] == 0 for r in dsel if r["action"] in (0, 5)],
            ),
            "refused_share_by_action": {
                str(a): round(
                    float(np.mean([det_refused(w, cut, r["answer"]) for r in dsel if r["action"] == a])), 4
                )
                for a in range(6)
                if any(r["action"] == a for r in dsel)
            },
            "string_match_baseline_dna_rubric": binary_metrics(
                [string_match(r["answer"]) for r in dsel], [r["refused"] for r in dsel]
            ),
        }
        if jsel:
            out["jade_v3_zh (weak labels)"] = detector_metrics(w, cut, jsel, [r["refused"] for r in jsel])
            out["string_match_baseline_jade"] = binary_metrics(
                [string_match(r["answer"]) for r in jsel], [r["refused"] for r in jsel]
            )
        return out

    if args.cv:
        cv = {}
        for m in MODELS:
            test = np.flatnonzero(is_dna & np.array([r.get("model") == m for r in rows]))
            train = np.flatnonzero(~np.isin(np.arange(len(rows)), test) & ~(~is_dna & ho))
            w = d.fit(train, y, args.iters)
            cut = choose_cut(d.proba(w, train), y[train])
            cv[m] = figures(w, cut, test)
            key = "dna_rubric"
            print(f"  held-out model {m}: accuracy {cv[m][key]['accuracy']:.4f}", file=sys.stderr)
        report["leave_one_model_out"] = cv

    train = np.flatnonzero(~ho)
    print(f"training on {train.shape[0]} answers", file=sys.stderr)
    weights = d.fit(train, y, args.iters)
    threshold = choose_cut(d.proba(weights, train), y[train])
    report["threshold"] = threshold
    report["train_size"] = int(train.shape[0])
    report["held_out"] = figures(weights, threshold, np.flatnonzero(ho))
    meta = {
        "name": "refusal",
        "version": VERSION,
        "threshold": threshold,
        "trained_on": [
            "Do-Not-Answer (Libr-AI/do-not-answer, Apache-2.0): all actions mapped by the rubric, 80% split",
            "JADE-DB v3.0 (whitzard-ai/jade-db, MIT): unsafe vs safe answers, 80% split",
        ],
        "manifest": report["manifest"],
        "split_key": SPLIT_KEY,
        "held_out": report["held_out"],
    }
    save_model(weights, meta, args.out)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.report:
        args.report.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
