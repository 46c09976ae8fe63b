"""Modern contract vocabulary in Korean, read through the job dictionary's vocabulary.

The duty index and model are built from the Korean job dictionary's duty summaries, which
predate much of today's contract wording ("프론트엔드", "머신러닝", "앱", "쿠버네티스"). A compact
table written by us (matchers/data/modern_terms_ko.csv) maps such terms to the dictionary words
they stand for; the words are added to the duty text (never replacing it) before scoring.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources

from matchers.knowledge_text import words

TABLE = "modern_terms_ko.csv"


@functools.cache
def table() -> dict[str, str]:
    """term -> dictionary words (Korean terms, lower-case)."""
    text = (resources.files("matchers") / "data" / TABLE).read_text(encoding="utf-8")
    return {row["term"].strip().lower(): row["ko"].strip() for row in csv.DictReader(text.splitlines())}


def _hits(word: str, terms: dict[str, str]) -> list[str]:
    """Terms a word holds: itself, a compound's head (모바일앱 -> 앱) or a longer term inside."""
    if word in terms:
        return [word]
    return [t for t in terms if (len(t) >= 3 and t in word) or (len(t) < 3 and word.endswith(t)
                                                                and len(word) > len(t))]


def expansion(text: str) -> str:
    """Dictionary words for the modern terms of a duty text ('' when there are none)."""
    terms = table()
    out: list[str] = []
    seen: set[str] = set()
    for word in words(text or ""):
        for term in _hits(word, terms):
            if term not in seen:
                seen.add(term)
                out.append(terms[term])
    return " ".join(out)


def expand(text: str) -> str:
    """The text with its modern terms' dictionary words added after it."""
    extra = expansion(text)
    return f"{text} {extra}" if extra else text
