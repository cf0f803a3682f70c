"""Train both tiers from labelled rows, write them with a data manifest, and score held-out rows.

Shared by ``safecorpus classifier train``, ``scripts/train_classifier.py`` and
``benchmarks/classifier_quality.py``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from safecorpus import SCHEMA_VERSION
from safecorpus.detect.classifier.embed import Embedder, fits
from safecorpus.detect.classifier.metrics import evaluate_probs
from safecorpus.detect.classifier.model import AssessmentClassifier, FastClassifier

FAST_FILE = "fast.npz"
ASSESSMENT_FILE = "assessment.npz"
MANIFEST_FILE = "manifest.json"


def baseline() -> FastClassifier:
    """The plain character n-gram logistic regression the tiers are compared with: char 1–3, no word
    features, no class weighting, the solver's default penalty."""
    return FastClassifier(word_orders=(), max_pos_weight=1.0, l2=1e-4)


def data_manifest(parts: dict[str, Sequence[tuple[str, Sequence[str]]]]) -> dict[str, Any]:
    """Row counts and a SHA-256 over (text, sorted tags) per named part, so a run's data is pinned."""
    out = {}
    for name, rows in parts.items():
        h = hashlib.sha256()
        for text, tags in rows:
            h.update(json.dumps([text, sorted(tags)], ensure_ascii=False).encode())
            h.update(b"\n")
        out[name] = {"rows": len(rows), "sha256": h.hexdigest()}
    return out


def train_fast(
    texts: Sequence[str], risks: Sequence[Sequence[str]], calibration: np.ndarray | None = None, **params: Any
) -> FastClassifier:
    return FastClassifier(**params).fit(texts, risks, calibration=calibration)


def train_assessment(
    fast: FastClassifier,
    texts: Sequence[str],
    risks: Sequence[Sequence[str]],
    embedder: Embedder | None = None,
    cached_only: bool = False,
    **params: Any,
) -> AssessmentClassifier:
    """Fit the assessment head on rows the fast tier did not train on. With ``cached_only`` the rows
    with a window not in the embedding cache are skipped (to bound CPU time)."""
    model = AssessmentClassifier(fast, embedder=embedder, **params)
    if cached_only:
        windows = model.windows(texts)
        keep = [i for i, ws in enumerate(windows) if all(model.embedder.has(w) for w in ws)]
        texts = [texts[i] for i in keep]
        risks = [risks[i] for i in keep]
    return model.fit(texts, risks)


def write_models(
    out: Path,
    fast: FastClassifier,
    assessment: AssessmentClassifier | None,
    manifest: dict[str, Any],
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    fast.save(out / FAST_FILE)
    files = {FAST_FILE: _sha256(out / FAST_FILE)}
    if assessment is not None:
        assessment.save(out / ASSESSMENT_FILE)
        files[ASSESSMENT_FILE] = _sha256(out / ASSESSMENT_FILE)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "heads": fast.heads_,
        "fast": fast.params(),
        "assessment": assessment.params() if assessment is not None else None,
        "files": files,
        **manifest,
    }
    (out / MANIFEST_FILE).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return doc


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def score(
    model: FastClassifier | AssessmentClassifier,
    texts: Sequence[str],
    risks: Sequence[Sequence[str]],
    thresholds: dict[str, float] | None = None,
) -> dict[str, Any]:
    return evaluate_probs(model.predict_proba(texts), risks, model.heads_, thresholds)


def fits_window(text: str, budget: float) -> bool:
    return fits(text, budget)
