"""Linear per-code models (one-vs-rest linear SVM) over title n-grams and duty features.

Trained at build time (scikit-learn, a dev-only dependency) and shipped as pruned, quantised
weights; scored at match time with numpy alone. Features are the same sublinear TF-IDF, L2
normalised vectors at both ends (`weigh`), so the shipped weights apply unchanged.
Only derived numbers are shipped: feature strings (n-grams, words), idf and class weights.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from matchers.knowledge_index import gather

SCALE = 1000  # weights are stored as integers in thousandths
PRUNE = 0.05  # weights smaller than this (in absolute value) are dropped
TITLE_C = 1.0  # SVM regularisation for titles (bench: 0.5-2 within 1 point)
DUTY_C = 1.0  # SVM regularisation for duties
MIN_DF = 2  # features of a single training document are left out
SAMPLE_WEIGHT = {"related": 0.5}  # related jobs are weaker evidence than titles and aliases


def weigh(feats: dict[str, float], vocab: dict[str, int], idf) -> dict[int, float]:
    """Sublinear tf x idf, L2-normalised, over the features the vocabulary knows."""
    get, log = vocab.get, math.log
    vec = {k: (1.0 + log(c)) * idf[k] for f, c in feats.items()
           if c > 0 and (k := get(f)) is not None}
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {k: w / norm for k, w in vec.items()}


class LinearModel:
    """Feature-major sparse weights: scores(features) -> one margin per class."""

    def __init__(self, data: dict):
        self.classes: list[str] = data["classes"]
        self.vocab = {f: k for k, f in enumerate(data["vocab"])}
        self.idf = np.asarray(data["idf"], dtype=np.float64)
        self.indptr = np.asarray(data["indptr"], dtype=np.int64)
        self.cls = np.asarray(data["cls"], dtype=np.int32)
        self.w = np.asarray(data["w"], dtype=np.float32) / SCALE
        self.bias = np.asarray(data["bias"], dtype=np.float64)
        self._idf_list = self.idf.tolist()

    def knows(self, feats: dict[str, float]) -> bool:
        return any(f in self.vocab for f in feats)

    def scores(self, feats: dict[str, float]) -> np.ndarray:
        vec = weigh(feats, self.vocab, self._idf_list)
        out = self.bias.copy()
        if not vec:
            return out
        keys = np.fromiter(vec.keys(), np.int64, len(vec))
        pos, scale = gather(self.indptr, keys, np.fromiter(vec.values(), float, len(vec)))
        return out + np.bincount(self.cls[pos], weights=self.w[pos] * scale,
                                 minlength=len(self.classes))


def fit_platt(margins: np.ndarray, gold: np.ndarray, iters: int = 50) -> tuple[float, float]:
    """Logistic fit of P(gold | margin) = sigmoid(a margin + b) by Newton steps (calibration)."""
    x = np.stack([margins, np.ones_like(margins)], axis=1)
    theta = np.zeros(2)
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-x @ theta))
        hess = x.T @ (x * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
        theta -= np.linalg.solve(hess, x.T @ (p - gold))
    return round(float(theta[0]), 3), round(float(theta[1]), 3)


def _vocab_idf(docs: list[dict[str, float]]) -> tuple[dict[str, int], list[float]]:
    """Features seen in at least MIN_DF documents, with smoothed idf."""
    df: Counter = Counter()
    for d in docs:
        df.update(d.keys())
    vocab = {f: k for k, f in enumerate(sorted(f for f, n in df.items() if n >= MIN_DF))}
    n = len(docs)
    return vocab, [math.log((1 + n) / (1 + df[f])) + 1.0 for f in vocab]


def _matrix(docs, vocab, idf):
    from scipy import sparse

    rows, cols, vals = [], [], []
    for i, d in enumerate(docs):
        for k, v in weigh(d, vocab, idf).items():
            rows.append(i)
            cols.append(k)
            vals.append(v)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)))


def train(docs: list[dict[str, float]], labels: list[str], *, weights=None, c: float = 1.0) -> dict:
    """Fit a one-vs-rest linear SVM; returns the shippable, pruned model dict."""
    from sklearn.svm import LinearSVC

    vocab, idf = _vocab_idf(docs)
    svm = LinearSVC(C=c).fit(_matrix(docs, vocab, idf), labels, sample_weight=weights)
    if svm.coef_.shape[0] == 1:
        raise ValueError("need at least three classes")
    return _pack(svm, list(vocab), idf)


def _pack(svm, names: list[str], idf: list[float]) -> dict:
    coef = svm.coef_.T  # feature-major
    coef = np.where(np.abs(coef) >= PRUNE, np.round(coef * SCALE), 0).astype(np.int32)
    feat, cls = np.nonzero(coef)  # every feature stays in the vocabulary: it counts in the norm
    indptr = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum(np.bincount(feat, minlength=len(names)), out=indptr[1:])
    return {"classes": [str(c) for c in svm.classes_], "vocab": names,
            "idf": [round(x, 4) for x in idf], "indptr": indptr.tolist(),
            "cls": cls.tolist(), "w": coef[feat, cls].tolist(),
            "bias": [round(float(b), 4) for b in svm.intercept_]}
