"""Sparse TF-IDF indexes over titles and per-code duty statistics (numpy only).

The packaged knowledge's indexes are precomputed at `make data` (`indexes.npz` beside it,
written by `matchers.buildtime.reference.write_indexes`): an index is read from those arrays when
its inputs digest as the ones the file was built from (the packaged titles with the curated
synonyms, the packaged duty statistics), and built in memory from any other inputs (a knowledge
without held-out entries, no synonyms). Either way its scores are the same, bit for bit.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import numpy as np
import orjson

from matchers.knowledge.lexicon import DUTY_STOPWORDS
from matchers.knowledge.load import read_indexes
from matchers.knowledge.text import duty_features, title_grams, title_key

KIND_WEIGHT = {"primary": 1.0, "e7_example": 1.0, "alias": 0.95, "synonym": 0.95,
               "unit_name": 0.9, "detail_name": 0.9, "related": 0.8}

Arrays = dict[str, np.ndarray]


class SparseIndex:
    """Rows of weighted features, queried by cosine through a feature-major CSR layout."""

    def __init__(self, rows: list[dict[str, float]], *, idf: dict[str, float] | None = None):
        n_rows = len(rows)
        vocab: dict[str, int] = {} if idf is None else {f: k for k, f in enumerate(idf)}
        feats = np.array([vocab.setdefault(f, len(vocab)) for row in rows for f in row], np.int64)
        values = np.array([w for row in rows for w in row.values()], dtype=np.float64)
        owners = np.repeat(np.arange(n_rows), [len(row) for row in rows])
        names = list(vocab)
        if idf is None:
            df = np.bincount(feats, minlength=len(names))
            idf_arr = np.log((1 + n_rows) / (1 + df)) + 1.0
        else:
            idf_arr = np.array([idf[f] for f in names])
        order = np.argsort(feats, kind="stable")
        self.raw = values[order]  # the rows' own weights, feature by feature (what is stored)
        values = values * idf_arr[feats]
        norms = np.sqrt(np.bincount(owners, weights=values * values, minlength=n_rows))
        values = values / np.maximum(norms, 1e-12)[owners]
        indptr = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(np.bincount(feats, minlength=len(names)), out=indptr[1:])
        self._set(names, idf_arr, norms, indptr, owners[order].astype(np.int32),
                  values[order].astype(np.float32))

    def _set(self, names: list[str], idf: np.ndarray, norms: np.ndarray, indptr: np.ndarray,
             rows: np.ndarray, weights: np.ndarray) -> None:
        self.n_rows, self.names, self.norms = len(norms), names, norms
        self.idf: list[float] = idf.tolist()  # by feature number (the `vocab` values)
        self.vocab = dict(zip(names, range(len(names)), strict=True))
        self.indptr, self.rows, self.weights = indptr, rows, weights

    def arrays(self) -> Arrays:
        """What `from_arrays` reads back: the rows' own weights (few distinct values: they
        compress better than the float32 ones), row numbers and feature sizes in the smallest
        integer type that holds them."""
        return {"names": pack(self.names), "norms": self.norms, "raw": self.raw,
                "idf": np.array(self.idf, np.float64),
                "sizes": _small(np.diff(self.indptr)), "rows": _small(self.rows)}

    @classmethod
    def from_arrays(cls, arrays: Arrays) -> SparseIndex:
        """The index whose `arrays` these are; the weights computed as `__init__` does, element
        by element, so they are the same bits."""
        index = cls.__new__(cls)
        names, sizes, norms = unpack(arrays["names"]), arrays["sizes"], arrays["norms"]
        idf_arr, rows = arrays["idf"], arrays["rows"].astype(np.int32)
        indptr = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(sizes, dtype=np.int64, out=indptr[1:])
        feats = np.repeat(np.arange(len(names)), sizes)
        values = arrays["raw"] * idf_arr[feats] / np.maximum(norms, 1e-12)[rows]
        index.raw = arrays["raw"]
        index._set(names, idf_arr, norms, indptr, rows, values.astype(np.float32))
        return index

    def vector(self, feats: dict[str, float]) -> dict[str, float]:
        vocab, idf = self.vocab, self.idf
        return _normalise({f: w * idf[k] for f, w in feats.items()
                           if (k := vocab.get(f)) is not None})

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


def _small(values: np.ndarray) -> np.ndarray:
    return values.astype(np.min_scalar_type(int(values.max(initial=0))))


def pack(strings: list[str]) -> np.ndarray:
    """Strings as one array of UTF-8 bytes, each ended by a newline (`unpack` splits them)."""
    if any("\n" in s for s in strings):
        raise ValueError("index strings hold no newline")
    return np.frombuffer("".join(f"{s}\n" for s in strings).encode(), np.uint8)


def unpack(data: np.ndarray) -> list[str]:
    return data.tobytes().decode().split("\n")[:-1]


def digest(inputs: object) -> str:
    """Digest of an index's inputs (JSON data), naming them in the precomputed file."""
    return hashlib.sha256(orjson.dumps(inputs)).hexdigest()[:16]


def packaged(part: str, inputs: object) -> Arrays | None:
    """The precomputed arrays of `part` ("titles", "duties") when they were built from these
    very inputs, else None. Raises ReferenceDataError when the file is missing or stale."""
    meta, arrays = read_indexes()
    return _sub(arrays, f"{part}/") if meta.get(part) == digest(inputs) else None


def _sub(arrays: Mapping[str, np.ndarray], prefix: str) -> Arrays:
    """The arrays named under `prefix`, without it (only those are read from a packaged file)."""
    return {k.removeprefix(prefix): arrays[k] for k in arrays if k.startswith(prefix)}


def _prefixed(prefix: str, arrays: Arrays) -> Arrays:
    return {prefix + k: v for k, v in arrays.items()}


def precompute(entries: list[tuple[str, str, str]], terms: dict[str, dict[str, Any]],
               sources: dict[str, str]) -> Arrays:
    """What `packaged` reads: the title and duty indexes built from these inputs, and metadata
    naming the package data they come from (`sources`) and each index's input digest."""
    meta = {"sources": sources, "titles": digest(entries), "duties": digest(terms)}
    return {"meta": np.frombuffer(orjson.dumps(meta, option=orjson.OPT_SORT_KEYS), np.uint8),
            **_prefixed("titles/", TitleIndex(entries, precomputed=False).arrays()),
            **_prefixed("duties/", DutyIndex(terms, precomputed=False).arrays())}


class TitleIndex:
    """Unique title keys with their (code, kind) owners, n-gram TF-IDF over the keys."""

    def __init__(self, entries: list[tuple[str, str, str]], *, precomputed: bool = True):
        """`precomputed`: read the packaged arrays when they were built from these entries."""
        arrays = packaged("titles", entries) if precomputed else None
        self.precomputed = arrays is not None  # read from the packaged arrays
        if arrays is not None:
            self._load(arrays)
            return
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

    def arrays(self) -> Arrays:
        """What `_load` reads back (the owners flattened in their order)."""
        owned = [(code, title, kind) for o in self.owners for code, (title, kind) in o.items()]
        return {"keys": pack(self.keys), "codes": pack(self.codes),
                "owner_ptr": np.cumsum([0] + [len(o) for o in self.owners], dtype=np.int64),
                "owner_codes": pack([c for c, _, _ in owned]),
                "owner_titles": pack([t for _, t, _ in owned]),
                "owner_kinds": pack([k for _, _, k in owned]),
                **_prefixed("index/", self.index.arrays()),
                **_prefixed("centroids/", self.centroids.arrays())}

    def _load(self, arrays: Arrays) -> None:
        self.keys, self.codes = unpack(arrays["keys"]), unpack(arrays["codes"])
        owned = list(zip(unpack(arrays["owner_codes"]),
                         zip(unpack(arrays["owner_titles"]), unpack(arrays["owner_kinds"]),
                             strict=True), strict=True))
        self.owners = [dict(owned[lo:hi]) for lo, hi in pairwise(arrays["owner_ptr"].tolist())]
        self.exact = {k: i for i, k in enumerate(self.keys)}
        self.index = SparseIndex.from_arrays(_sub(arrays, "index/"))
        self.centroids = SparseIndex.from_arrays(_sub(arrays, "centroids/"))

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

    def __init__(self, terms: dict[str, dict[str, Any]], *, precomputed: bool = True) -> None:
        """`precomputed`: read the packaged arrays when they were built from these terms."""
        self.terms = terms
        arrays = packaged("duties", terms) if precomputed else None
        self.precomputed = arrays is not None  # read from the packaged arrays
        if arrays is not None:
            self.codes = unpack(arrays["codes"])
            self.index = SparseIndex.from_arrays(_sub(arrays, "index/"))
        else:
            self.codes = sorted(terms)
            self.index = SparseIndex([sublinear(terms[c]["counts"]) for c in self.codes])
        self.position = {c: i for i, c in enumerate(self.codes)}

    def arrays(self) -> Arrays:
        return {"codes": pack(self.codes), **_prefixed("index/", self.index.arrays())}

    def code_scores(self, text: str, feats: dict[str, int] | None = None
                    ) -> tuple[np.ndarray, dict[str, float]]:
        query = sublinear(duty_features(text) if feats is None else feats)
        vec = self.index.vector(query)
        return self.index.scores(query, vec=vec), vec

    def weight(self, code: str, feature: str) -> float | None:
        """A feature's weight in a code's vector (its index row's float64 weight, computed as
        the index computes it: sublinear count x idf / the row's norm), None if absent."""
        count = self.terms[code]["counts"].get(feature, 0)
        if count <= 0:
            return None
        i = self.position[code]
        idf = self.index.idf[self.index.vocab[feature]]
        return (1.0 + math.log(count)) * idf / max(float(self.index.norms[i]), 1e-12)

    def keywords(self, code: str, query_vec: dict[str, float], n: int = 5) -> list[str]:
        """Words that contributed most to a code's duty score (only `w:` features count)."""
        parts = [(w * r, f[2:]) for f, w in query_vec.items()
                 if f.startswith("w:") and f[2:] not in DUTY_STOPWORDS
                 and (r := self.weight(code, f)) is not None]
        return [word for _, word in sorted(parts, reverse=True)[:n]]
