"""Per-risk precision/recall/F1, the any-risk confusion summary and calibration error, as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from safecorpus import SCHEMA_VERSION
from safecorpus.detect.classifier.linear import expected_calibration_error
from safecorpus.detect.classifier.model import ANY, label_matrix


def _prf(pred: np.ndarray, true: np.ndarray) -> dict[str, Any]:
    tp = int((pred & true).sum())
    fp = int((pred & ~true).sum())
    fn = int((~pred & true).sum())
    tn = int((~pred & ~true).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = tp + fp + fn + tn
    return {
        "support": tp + fn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "accuracy": (tp + tn) / n if n else 0.0,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def evaluate_probs(
    probs: np.ndarray,
    risks: Sequence[Sequence[str]],
    heads: Sequence[str],
    thresholds: dict[str, float] | None = None,
    default_threshold: float = 0.5,
) -> dict[str, Any]:
    """Score calibrated probabilities against gold risk tags (empty = safe).

    ``any_risk`` counts a record flagged when any head (the ``any`` head included) is at or above its
    threshold, against gold "has any risk". ``macro_f1`` is the mean F1 over risk heads with support.
    """
    thresholds = thresholds or {}
    y = label_matrix(risks, heads).astype(bool)
    cut = np.array([thresholds.get(h, default_threshold) for h in heads])
    pred = probs >= cut
    per_risk = {}
    for k, head in enumerate(heads):
        if head == ANY:
            continue
        entry = _prf(pred[:, k], y[:, k])
        entry["threshold"] = float(cut[k])
        entry["ece"] = expected_calibration_error(probs[:, k], y[:, k])
        per_risk[head] = entry
    gold_any = np.array([bool(r) for r in risks])
    flagged = np.asarray(pred.any(axis=1))
    any_risk = _prf(flagged, gold_any)
    if ANY in heads:
        k = heads.index(ANY)
        any_risk["ece"] = expected_calibration_error(probs[:, k], gold_any)
    with_support = [v["f1"] for v in per_risk.values() if v["support"] > 0]
    labelled_out = sorted(
        {t.split("/", 1)[0] for tags in risks for t in tags} - set(heads) - {ANY},
        key=lambda r: [int(p) for p in r[2:].split(".")] if r.startswith("A.") else [999],
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "n": len(risks),
        "any_risk": any_risk,
        "per_risk": per_risk,
        "macro_f1": float(np.mean(with_support)) if with_support else 0.0,
        "risks_without_model": labelled_out,
    }


def format_report(doc: dict[str, Any]) -> str:
    lines = [f"{'risk':<8} {'support':>7} {'prec':>6} {'recall':>6} {'f1':>6} {'ece':>6}"]
    for risk, m in doc["per_risk"].items():
        lines.append(
            f"{risk:<8} {m['support']:>7} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} "
            f"{m['ece']:>6.3f}"
        )
    a = doc["any_risk"]
    lines.append(
        f"any-risk: accuracy {a['accuracy']:.3f}  precision {a['precision']:.3f}  recall {a['recall']:.3f}  "
        f"f1 {a['f1']:.3f}  (tp {a['tp']}, fp {a['fp']}, fn {a['fn']}, tn {a['tn']})"
    )
    lines.append(f"macro-F1 over risks with support: {doc['macro_f1']:.3f}  (n = {doc['n']})")
    if doc["risks_without_model"]:
        lines.append("labelled risks the model has no head for: " + ", ".join(doc["risks_without_model"]))
    return "\n".join(lines)
