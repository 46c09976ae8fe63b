"""Sparse TF-IDF indexes over titles and per-code duty statistics (numpy only, built at load)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from matchers.knowledge.lexicon import DUTY_STOPWORDS
from matchers.knowledge.text import duty_features, title_grams, title_key

KIND_WEIGHT = {"primary": 1.0, "e7_example": 1.0, "alias": 0.95, "synonym": 0.95,
               "unit_name": 0.9, "detail_name": 0.9, "related": 0.8}


class SparseIndex:
    """Rows of weighted features, queried by cosine through a feature-major CSR layout."""

    def __init__(self, rows: list[dict[str, float]], *, idf: dict[str, float] | None = None):
        self.n_rows = len(rows)
        vocab: dict[str, int] = {} if idf is None else {f: k for k, f in enumerate(idf)}
        feats = np.array([vocab.setdefault(f, len(vocab)) for row in rows for f in row], np.int64)
        values = np.array([w for row in rows for w in row.values()], dtype=np.float64)
        owners = np.repeat(np.arange(self.n_rows), [len(row) for row in rows])
        names = list(vocab)
        if idf is None:
            df = np.bincount(feats, minlength=len(names))
            idf_arr = np.log((1 + self.n_rows) / (1 + df)) + 1.0
            idf = dict(zip(names, idf_arr.tolist(), strict=True))
        else:
            idf_arr = np.array([idf[f] for f in names])
        self.idf = idf
        values = values * idf_arr[feats]
        norms = np.sqrt(np.bincount(owners, weights=values * values, minlength=self.n_rows))
        values = values / np.maximum(norms, 1e-12)[owners]
        self._row_major = (owners, feats, values, names)
        order = np.argsort(feats, kind="stable")
        self.vocab = {f: k for k, f in enumerate(names)}
        self.indptr = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(np.bincount(feats, minlength=len(names)), out=self.indptr[1:])
        self.rows = owners[order].astype(np.int32)
        self.weights = values[order].astype(np.float32)

    def row_vector(self, i: int, keep: np.ndarray | None = None) -> dict[str, float]:
        """Normalised weights of one row (for evidence); `keep`: a mask over the features."""
        owners, feats, values, names = self._row_major
        lo, hi = np.searchsorted(owners, [i, i + 1])
        feats, values = feats[lo:hi], values[lo:hi]
        if keep is not None:
            feats, values = feats[keep[feats]], values[keep[feats]]
        return {names[f]: v for f, v in zip(feats.tolist(), values.tolist(), strict=True)}

    def vector(self, feats: dict[str, float]) -> dict[str, float]:
        idf = self.idf.get
        return _normalise({f: w * i for f, w in feats.items() if (i := idf(f)) is not None})

    def scores(self, feats: dict[str, float], *, vec: dict[str, float] | None = None) -> np.ndarray:
        """Cosine of the query with every row (`vec`: the query's `vector`, if already known)."""
        vec = self.vector(feats) if vec is None else vec
        if not vec:  # (the vector holds only features with an idf, i.e. in the vocabulary)
            return np.zeros(self.n_rows, dtype=np.float32)
        vocab = self.vocab
        keys = np.fromiter((vocab[f] for f in vec), np.int64, len(vec))
        pos, scale = gather(self.indptr, keys, np.fromiter(vec.values(), float, len(vec)))
        return np.bincount(self.rows[pos], weights=self.weights[pos] * scale,
                           minlength=self.n_rows)


def gather(indptr: np.ndarray, keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the CSR slices of `keys` and each position's query value, vectorised."""
    starts, lens = indptr[keys], indptr[keys + 1] - indptr[keys]
    total = int(lens.sum())
    offsets = np.repeat(starts - np.cumsum(lens) + lens, lens)
    return offsets + np.arange(total), np.repeat(values, lens)


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
        self.codes, self.centroids = self._centroids(entries)

    @staticmethod
    def _centroids(entries: list[tuple[str, str, str]]) -> tuple[list[str], SparseIndex]:
        """Per code: the summed n-grams of all its titles (helps titles never seen before)."""
        grams: dict[str, Counter[str]] = defaultdict(Counter)
        for code, title, kind in entries:
            if kind != "related":
                grams[code].update(title_grams(title))
        codes = sorted(grams)
        return codes, SparseIndex([sublinear(grams[c]) for c in codes])

    def centroid_scores(self, title: str) -> dict[str, float]:
        sims = self.centroids.scores(dict(title_grams(title)))
        best = np.argsort(-sims)[:30]
        return {self.codes[i]: float(sims[i]) for i in best if sims[i] > 0}

    def code_scores(self, title: str, *, top: int = 40) -> dict[str, tuple[float, str, str]]:
        """Per code: best similarity x kind weight plus 0.3 x the next two (votes of similar
        titles), capped at 1, with the best matching title and its kind."""
        sims = self.index.scores(dict(title_grams(title)))
        exact = self.exact.get(title_key(title))
        if exact is not None:
            sims[exact] = 1.0
        best = np.argpartition(-sims, min(top, len(sims) - 1))[:top]
        votes: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
        for i in best[np.argsort(-sims[best])]:
            for code, (name, kind) in self.owners[i].items():
                votes[code].append((float(sims[i]) * KIND_WEIGHT[kind], name, kind))
        out = {}
        for code, found in votes.items():
            found.sort(reverse=True)
            score = found[0][0] + 0.3 * sum(v for v, _, _ in found[1:3])
            out[code] = (min(score, 1.0), found[0][1], found[0][2])
        return out

    def exact_codes(self, title: str) -> dict[str, str]:
        """Codes owning exactly this title key, with the title's kind."""
        i = self.exact.get(title_key(title))
        return {} if i is None else {c: kind for c, (_, kind) in self.owners[i].items()}


class DutyIndex:
    """One TF-IDF vector per code from the summed duty feature counts."""

    def __init__(self, terms: dict[str, dict[str, Any]]) -> None:
        self.codes = sorted(terms)
        self.index = SparseIndex([sublinear(terms[c]["counts"]) for c in self.codes])
        self.position = {c: i for i, c in enumerate(self.codes)}
        is_word = np.array([f.startswith("w:") for f in self.index.vocab], dtype=bool)
        self._words = {c: self.index.row_vector(i, is_word) for i, c in enumerate(self.codes)}

    def code_scores(self, text: str, feats: dict[str, int] | None = None
                    ) -> tuple[np.ndarray, dict[str, float]]:
        query = sublinear(duty_features(text) if feats is None else feats)
        vec = self.index.vector(query)
        return self.index.scores(query, vec=vec), vec

    def keywords(self, code: str, query_vec: dict[str, float], n: int = 5) -> list[str]:
        """Words that contributed most to a code's duty score (only `w:` features count)."""
        row = self._words[code].get
        parts = [(w * r, f[2:]) for f, w in query_vec.items()
                 if (r := row(f)) is not None and f[2:] not in DUTY_STOPWORDS]
        return [word for _, word in sorted(parts, reverse=True)[:n]]
