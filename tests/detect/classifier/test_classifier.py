"""The classifier learns a tiny generated task, round-trips through files, and reports in the JSON schema."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from safecorpus.cli import _register, cli
from safecorpus.detect.base import Detector
from safecorpus.detect.classifier.detector import ClassifierDetector
from safecorpus.detect.classifier.embed import best_window, fits
from safecorpus.detect.classifier.features import HashedNgrams
from safecorpus.detect.classifier.linear import expected_calibration_error
from safecorpus.detect.classifier.model import FastClassifier
from safecorpus.io.records import Record

FILLER = [
    "今天天气不错",
    "我们去公园散步",
    "the weather is nice",
    "let us read a book",
    "会议在下午三点",
    "数据很重要",
]


def generated(n: int = 400, seed: int = 1) -> tuple[list[str], list[list[str]]]:
    """Marker tokens stand in for risky content: qqx -> A.2.5, zzv -> A.1.8; no marker = safe."""
    rng = random.Random(seed)
    texts, risks = [], []
    for i in range(n):
        words = rng.sample(FILLER, 3)
        kind = i % 3
        if kind == 1:
            words.insert(rng.randrange(4), "qqx")
        elif kind == 2:
            words.insert(rng.randrange(4), "zzv")
        texts.append(" ".join(words))
        risks.append([[], ["A.2.5"], ["A.1.8/drugs"]][kind])
    return texts, risks


def test_features_are_deterministic_and_batch_independent() -> None:
    f = HashedNgrams(bits=12)
    a = f.transform(["hello world", "你好世界"])
    b = f.transform(["你好世界"])
    assert a.indices[a.indptr[1] :].tolist() == b.indices.tolist()
    assert np.allclose(a.data[a.indptr[1] :], b.data)


def test_fast_tier_learns_and_round_trips(tmp_path: Path) -> None:
    texts, risks = generated()
    model = FastClassifier(bits=12, min_support=5).fit(texts, risks)
    assert model.heads_ == ["A.1.8", "A.2.5", "any"]
    test_texts, test_risks = generated(90, seed=2)
    p = model.predict_proba(test_texts)
    gold = np.array([[("A.1.8/drugs" in r), ("A.2.5" in r), bool(r)] for r in test_risks])
    assert ((p >= 0.5) == gold).mean() > 0.95
    model.save(tmp_path / "m.npz")
    again = FastClassifier.load(tmp_path / "m.npz")
    assert np.allclose(again.predict_proba(test_texts), p, atol=1e-2)


def test_ece() -> None:
    assert expected_calibration_error(np.array([0.0, 1.0]), np.array([0, 1])) == 0.0
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([0, 0])) == pytest.approx(1.0)


def test_window_picks_the_strongest_part() -> None:
    text = "甲" * 100 + "乙乙" + "甲" * 100
    weights = np.array([1.0 if c == "乙" else 0.0 for c in text])
    window = best_window(text, weights, budget=10)
    assert "乙乙" in window and len(window) <= 10
    assert fits("short text") and not fits("长" * 65)


def _write(path: Path, texts: list[str], risks: list[list[str]]) -> None:
    path.write_text(
        "".join(
            json.dumps({"text": t, "risks": r}, ensure_ascii=False) + "\n"
            for t, r in zip(texts, risks, strict=True)
        ),
        "utf-8",
    )


def test_cli_train_and_evaluate_json_schema(tmp_path: Path) -> None:
    _register()
    texts, risks = generated()
    _write(tmp_path / "train.jsonl", texts, risks)
    t2, r2 = generated(60, seed=3)
    _write(tmp_path / "dev.jsonl", t2, r2)
    runner = CliRunner()
    res = runner.invoke(
        cli,
        [
            "classifier",
            "train",
            str(tmp_path / "train.jsonl"),
            "--out",
            str(tmp_path / "m"),
            "--min-support",
            "5",
        ],
    )
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert (
        manifest["training_data"]["input"]["rows"] == 400
        and len(manifest["training_data"]["input"]["sha256"]) == 64
    )
    res = runner.invoke(
        cli,
        [
            "classifier",
            "evaluate",
            str(tmp_path / "dev.jsonl"),
            "--tier",
            "fast",
            "--model",
            str(tmp_path / "m"),
            "--json",
            str(tmp_path / "out.json"),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out.json").read_text())
    assert set(doc["any_risk"]) >= {"accuracy", "precision", "recall", "f1"}
    assert set(doc["per_risk"]) == {"A.1.8", "A.2.5"}
    for m in doc["per_risk"].values():
        assert set(m) >= {"precision", "recall", "f1", "support"}
    assert doc["any_risk"]["accuracy"] > 0.9

    detector = ClassifierDetector("fast", tmp_path / "m", thresholds={"A.2.5": 0.5})
    assert isinstance(detector, Detector) and detector.layer == "classifier"
    recs = [Record(f"r{i}", t, "s", "f", i) for i, t in enumerate(t2[:6])]
    found = detector.detect(recs)
    assert len(found) == 6
    for fs, r in zip(found, r2[:6], strict=True):
        assert {f.risk for f in fs} == {x.split("/")[0] for x in r}
        assert all(f.layer == "classifier" and 0.5 <= f.score <= 1 for f in fs)
