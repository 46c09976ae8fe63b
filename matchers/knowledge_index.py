"""Sparse TF-IDF indexes over titles and per-code duty statistics (numpy only, built at load)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from matchers.knowledge_text import duty_features, title_grams, title_key

KIND_WEIGHT = {"primary": 1.0, "e7_example": 1.0, "alias": 0.95, "synonym": 0.95,
               "unit_name": 0.9, "detail_name": 0.9, "related": 0.55}


class SparseIndex:
    """Rows of weighted features, queried by cosine through a feature-major CSR layout."""

    def __init__(self, rows: list[dict[str, float]], *, idf: dict[str, float] | None = None):
        self.idf = idf if idf is not None else _idf(rows)
        self.n_rows = len(rows)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.row_vectors = []
        for i, row in enumerate(rows):
            vec = _normalise({f: w * self.idf.get(f, 0.0) for f, w in row.items()})
            self.row_vectors.append(vec)
            for f, w in vec.items():
                postings[f].append((i, w))
        self._layout(postings)

    def _layout(self, postings: dict[str, list[tuple[int, float]]]) -> None:
        self.vocab = {f: k for k, f in enumerate(postings)}
        sizes = [len(p) for p in postings.values()]
        self.indptr = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.indptr[1:])
        flat = [pair for p in postings.values() for pair in p]
        self.rows = np.array([r for r, _ in flat], dtype=np.int32)
        self.weights = np.array([w for _, w in flat], dtype=np.float32)

    def vector(self, feats: dict[str, float]) -> dict[str, float]:
        return _normalise({f: w * self.idf[f] for f, w in feats.items() if f in self.idf})

    def scores(self, feats: dict[str, float]) -> np.ndarray:
        """Cosine of the query with every row."""
        vec = self.vector(feats)
        idx = [(self.vocab[f], w) for f, w in vec.items() if f in self.vocab]
        if not idx:
            return np.zeros(self.n_rows, dtype=np.float32)
        spans = [np.arange(self.indptr[k], self.indptr[k + 1]) for k, _ in idx]
        pos = np.concatenate(spans)
        qw = np.repeat(np.array([w for _, w in idx], dtype=np.float32), [len(s) for s in spans])
        return np.bincount(self.rows[pos], weights=self.weights[pos] * qw, minlength=self.n_rows)


def _idf(rows: list[dict[str, float]]) -> dict[str, float]:
    df = Counter(f for row in rows for f in row)
    n = len(rows)
    return {f: math.log((1 + n) / (1 + d)) + 1.0 for f, d in df.items()}


def _normalise(vec: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {f: w / norm for f, w in vec.items()}


def sublinear(counts: dict[str, int]) -> dict[str, float]:
    return {f: 1.0 + math.log(c) for f, c in counts.items() if c > 0}


class TitleIndex:
    """Unique title keys with their (code, kind) owners, n-gram TF-IDF over the keys."""

    def __init__(self, entries: list[tuple[str, str, str]]):
        owners: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        for code, title, kind in entries:
            key = title_key(title)
            best = owners[key].get(code)
            if key and (best is None or KIND_WEIGHT[kind] > KIND_WEIGHT[best[1]]):
                owners[key][code] = (title, kind)
        self.keys = list(owners)
        self.owners = [owners[k] for k in self.keys]
        self.exact = {k: i for i, k in enumerate(self.keys)}
        self.index = SparseIndex([dict(title_grams(k)) for k in self.keys])

    def code_scores(self, title: str, *, top: int = 40) -> dict[str, tuple[float, str, str]]:
        """Per code: best similarity x kind weight, with the matching title and its kind."""
        sims = self.index.scores(dict(title_grams(title)))
        exact = self.exact.get(title_key(title))
        if exact is not None:
            sims[exact] = 1.0
        best = np.argpartition(-sims, min(top, len(sims) - 1))[:top]
        out: dict[str, tuple[float, str, str]] = {}
        for i in best[np.argsort(-sims[best])]:
            for code, (name, kind) in self.owners[i].items():
                score = float(sims[i]) * KIND_WEIGHT[kind]
                if score > out.get(code, (0.0,))[0]:
                    out[code] = (score, name, kind)
        return out


class DutyIndex:
    """One TF-IDF vector per code from the summed duty feature counts."""

    def __init__(self, terms: dict[str, dict]):
        self.codes = sorted(terms)
        self.index = SparseIndex([sublinear(terms[c]["counts"]) for c in self.codes])
        self.position = {c: i for i, c in enumerate(self.codes)}

    def code_scores(self, text: str) -> tuple[np.ndarray, dict[str, float]]:
        query = sublinear(duty_features(text))
        return self.index.scores(query), self.index.vector(query)

    def keywords(self, code: str, query_vec: dict[str, float], n: int = 5) -> list[str]:
        """Words that contributed most to a code's duty score."""
        row = self.index.row_vectors[self.position[code]]
        parts = [(w * row[f], f[2:]) for f, w in query_vec.items() if f.startswith("w:") and f in row]
        return [word for _, word in sorted(parts, reverse=True)[:n]]
