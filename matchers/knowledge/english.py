"""English job titles: curated synonyms plus KSCO English unit names, matched by TF-IDF."""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter

import numpy as np

from matchers.knowledge.index import KIND_WEIGHT, SparseIndex
from matchers.knowledge.load import Knowledge
from matchers.knowledge.text import read_synonyms

log = logging.getLogger(__name__)

__all__ = ["EnglishIndex", "is_generic_en", "load_english_index", "read_synonyms"]

_WORD = re.compile(r"[a-z0-9+#]+")
_STOP = {"and", "of", "the", "in", "a", "an", "or", "for", "n.e.c", "other", "related", "workers"}
_PLURALS = (("ies", "y"), ("sses", "ss"), ("s", ""))


def english_words(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text.lower().replace("-", " ")):
        for end, repl in _PLURALS:
            if word.endswith(end) and len(word) > 4:
                word = word[: -len(end)] + repl
                break
        if word not in _STOP:
            out.append(word)
    return out


def english_features(text: str) -> Counter[str]:
    feats: Counter[str] = Counter()
    for word in english_words(text):
        feats[f"w:{word}"] += 2
        padded = f"<{word}>"
        feats.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return feats


def is_generic_en(title_en: str) -> bool:
    return " ".join(english_words(title_en)) in _generic_en()


@functools.cache
def _generic_en() -> frozenset[str]:
    rows = read_synonyms()
    return frozenset(" ".join(english_words(r["title_en"])) for r in rows if r["generic"] == "1")


class EnglishIndex:
    def __init__(self, entries: list[tuple[str, str, str]]) -> None:
        self.entries = entries
        self.exact: dict[str, int] = {}
        for i, (_, title, _) in enumerate(entries):
            self.exact.setdefault(" ".join(english_words(title)), i)
        self.index = SparseIndex([dict(english_features(t)) for _, t, _ in entries])

    def code_scores(self, title_en: str, *, top: int = 30) -> dict[str, tuple[float, list[str]]]:
        sims = self.index.scores(dict(english_features(title_en)))
        exact = self.exact.get(" ".join(english_words(title_en)))
        if exact is not None:
            sims[exact] = 1.0
        out: dict[str, tuple[float, list[str]]] = {}
        for i in np.argsort(-sims)[:top]:
            code, name, kind = self.entries[i]
            score = float(sims[i]) * KIND_WEIGHT[kind]
            if score > 0 and score > out.get(code, (0.0,))[0]:
                out[code] = (score, [f"English title '{title_en}' ~ {kind} '{name}'"])
        return out


def english_entries(kb: Knowledge) -> list[tuple[str, str, str]]:
    entries = [(r["code"], r["title_en"], "synonym") for r in read_synonyms() if kb.unit(r["code"])]
    for unit in kb.units:
        if unit.name_en:
            entries.append((unit.code, unit.name_en, "unit_name"))
    return entries


def load_english_index(kb: Knowledge) -> EnglishIndex:
    return EnglishIndex(english_entries(kb))
