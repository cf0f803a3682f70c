"""One-vs-rest logistic regression in numpy (L-BFGS), Platt calibration and calibration error.

Inputs are a :class:`~safecorpus.detect.classifier.features.Csr` or a dense float32 array; labels are a
0/1 matrix (n_docs, n_heads). Every head is an independent binary logistic regression with L2 penalty and
an optional positive-class weight; they are fitted together because they share the feature pass.
Deterministic: no random state is involved.
"""

from __future__ import annotations

import numpy as np

from safecorpus.detect.classifier.features import Csr, csr_dot, csr_tdot


def dot(x: Csr | np.ndarray, w: np.ndarray) -> np.ndarray:
    return csr_dot(x, w) if isinstance(x, Csr) else x @ w


def _tdot(x: Csr | np.ndarray, g: np.ndarray) -> np.ndarray:
    return csr_tdot(x, g) if isinstance(x, Csr) else x.T @ g


def _n_features(x: Csr | np.ndarray) -> int:
    return x.n_features if isinstance(x, Csr) else x.shape[1]


def _n_rows(x: Csr | np.ndarray) -> int:
    return x.n_rows if isinstance(x, Csr) else x.shape[0]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def fit_ovr(
    x: Csr | np.ndarray,
    y: np.ndarray,
    l2: float = 1e-4,
    pos_weight: np.ndarray | None = None,
    max_iter: int = 150,
    tol: float = 1e-6,
    history: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit all heads; returns ``W`` (n_features, k) float32 and ``b`` (k,) float32."""
    n, k = _n_rows(x), y.shape[1]
    d = _n_features(x)
    y = y.astype(np.float32)
    pw = np.ones(k, np.float32) if pos_weight is None else pos_weight.astype(np.float32)
    sample_w = (y * pw + (1 - y)).astype(np.float32)
    norm = float(n)

    def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: d * k].reshape(d, k).astype(np.float32)
        b = theta[d * k :].astype(np.float32)
        z = dot(x, w) + b
        # stable BCE: log(1 + e^z) - y z
        lse = np.logaddexp(0.0, z)
        loss = float((sample_w * (lse - y * z)).sum()) / norm + 0.5 * l2 * float((w * w).sum())
        g = (sample_w * (sigmoid(z) - y)) / norm
        gw = _tdot(x, g) + l2 * w
        gb = g.sum(axis=0)
        return loss, np.concatenate((gw.ravel(), gb)).astype(np.float64)

    theta = np.zeros(d * k + k, dtype=np.float64)
    prior = np.clip(y.mean(axis=0), 1e-4, 1 - 1e-4)
    theta[d * k :] = np.log(prior / (1 - prior))
    theta = _lbfgs(loss_grad, theta, max_iter=max_iter, tol=tol, m=history)
    return theta[: d * k].reshape(d, k).astype(np.float32), theta[d * k :].astype(np.float32)


def _lbfgs(fun, theta: np.ndarray, max_iter: int, tol: float, m: int) -> np.ndarray:
    f, g = fun(theta)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    for _ in range(max_iter):
        q = g.copy()
        alphas = []
        for s, yv in zip(reversed(s_hist), reversed(y_hist), strict=True):
            a = float(s @ q) / float(yv @ s)
            alphas.append(a)
            q -= a * yv
        if y_hist:
            q *= float(s_hist[-1] @ y_hist[-1]) / float(y_hist[-1] @ y_hist[-1])
        for (s, yv), a in zip(zip(s_hist, y_hist, strict=True), reversed(alphas), strict=True):
            bta = float(yv @ q) / float(yv @ s)
            q += s * (a - bta)
        direction = -q
        slope = float(g @ direction)
        if slope >= 0:  # not a descent direction: restart from steepest descent
            s_hist.clear()
            y_hist.clear()
            direction, slope = -g, -float(g @ g)
        step = 1.0 if s_hist else 1.0 / max(1.0, float(np.sqrt(g @ g)))
        for _ in range(30):
            cand = theta + step * direction
            f_new, g_new = fun(cand)
            if f_new <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            break
        s_vec, y_vec = cand - theta, g_new - g
        if float(s_vec @ y_vec) > 1e-12:
            s_hist.append(s_vec)
            y_hist.append(y_vec)
            if len(s_hist) > m:
                s_hist.pop(0)
                y_hist.pop(0)
        done = abs(f - f_new) <= tol * max(1.0, abs(f))
        theta, f, g = cand, f_new, g_new
        if done:
            break
    return theta


def fit_platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit ``p = sigmoid(a z + c)`` to 0/1 labels (Platt's smoothed targets), by Newton steps, each halved
    until the loss does not rise (plain Newton diverges when the scores separate the labels perfectly)."""
    z = np.asarray(z, dtype=np.float64)
    n_pos, n_neg = float(y.sum()), float(len(y) - y.sum())
    t = np.where(y > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(a: float, c: float) -> float:
        u = a * z + c
        return float((np.logaddexp(0.0, u) - t * u).sum())

    a, c = 1.0, 0.0
    current = loss(a, c)
    for _ in range(50):
        p = sigmoid(a * z + c)
        r = p - t
        w = np.maximum(p * (1 - p), 1e-9)
        g = np.array([float((r * z).sum()), float(r.sum())])
        h = np.array(
            [[float((w * z * z).sum()), float((w * z).sum())], [float((w * z).sum()), float(w.sum())]]
        )
        h += np.eye(2) * 1e-6
        step = np.linalg.solve(h, g)
        scale = 1.0
        for _ in range(40):
            cand = loss(a - scale * step[0], c - scale * step[1])
            if cand <= current + 1e-12:
                break
            scale *= 0.5
        else:
            break
        a, c, current = a - scale * step[0], c - scale * step[1], cand
        if np.abs(scale * step).max() < 1e-7:
            break
    return float(a), float(c)


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width bins over [0, 1]: sum over bins of |mean p - mean y| weighted by bin size."""
    p, y = np.asarray(p, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    if len(p) == 0:
        return 0.0
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += sel.sum() / len(p) * abs(p[sel].mean() - y[sel].mean())
    return float(total)
