"""Modern contract vocabulary in Korean, read through the job dictionary's vocabulary.

The duty index and model are built from the Korean job dictionary's duty summaries, which
predate much of today's contract wording ("프론트엔드", "머신러닝", "앱", "쿠버네티스"). A compact
table written by us (matchers/knowledge/data/modern_terms_ko.csv) maps such terms to the dictionary words
they stand for; the words are added to the duty text (never replacing it) before scoring.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources

from matchers.knowledge.text import words

TABLE = "modern_terms_ko.csv"


@functools.cache
def table() -> dict[str, str]:
    """term -> dictionary words (Korean terms, lower-case)."""
    text = (resources.files("matchers.knowledge") / "data" / TABLE).read_text(encoding="utf-8")
    return {row["term"].strip().lower(): row["ko"].strip() for row in csv.DictReader(text.splitlines())}


@functools.cache
def _lookup() -> tuple[dict[str, int], frozenset[int], frozenset[int]]:
    """Table order of each term, the lengths of long terms (found anywhere in a word) and of
    short ones (found as a compound's head, at the end)."""
    order = {t: i for i, t in enumerate(table())}
    return (order, frozenset(len(t) for t in order if len(t) >= 3),
            frozenset(len(t) for t in order if len(t) < 3))


@functools.lru_cache(maxsize=1 << 16)
def _hits(word: str) -> tuple[str, ...]:
    """Terms a word holds: itself, a compound's head (모바일앱 -> 앱) or a longer term inside;
    found by looking the word's substrings up (cached per word)."""
    order, long_sizes, short_sizes = _lookup()
    if word in order:
        return (word,)
    found = {word[i:i + n] for n in long_sizes for i in range(len(word) - n + 1)}
    found.update(word[-n:] for n in short_sizes if len(word) > n)
    return tuple(sorted((t for t in found if t in order), key=order.__getitem__))


def expansion(text: str) -> str:
    """Dictionary words for the modern terms of a duty text ('' when there are none)."""
    terms = table()
    out: list[str] = []
    seen: set[str] = set()
    for word in words(text or ""):
        for term in _hits(word):
            if term not in seen:
                seen.add(term)
                out.append(terms[term])
    return " ".join(out)


def expand(text: str) -> str:
    """The text with its modern terms' dictionary words added after it."""
    extra = expansion(text)
    return f"{text} {extra}" if extra else text
