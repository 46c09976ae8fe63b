"""Fast text features shared by the knowledge builder and the matcher (no model needed)."""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from typing import Any

_WORD = re.compile(r"[가-힣]+|[a-z][a-z0-9+#.]*|[0-9]+")
_PARENS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_SPACES = re.compile(r"[\s·ㆍ/,\-_]+")
# particles and verb endings stripped from word ends (longest first); single-syllable
# particles that often end nouns (가, 이, 과, 로, 도) are left alone on purpose
_ENDINGS = tuple(
    sorted(
        ["으로서", "으로써", "에서는", "에게서", "하거나", "하면서", "하는데", "한다", "하며", "하고", "하여", "하는", "하기", "하게", "하도록", "된다", "되는", "되며", "되어", "시킨다", "시키며", "시키는", "으로", "에서", "에게", "로서", "로써", "부터", "까지", "에는", "에도", "이다", "이며", "을", "를", "은", "는", "의", "에", "한", "할", "및"],
        key=len,
        reverse=True,
    )
)


def normalize(text: str) -> str:
    """NFKC, lower case, collapsed spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


@functools.lru_cache(maxsize=1 << 16)
def title_key(title: str) -> str:
    """Key under which titles are compared: no parentheses, no spaces or separators."""
    text = _PARENS.sub("", normalize(title))
    return _SPACES.sub("", text).strip(".")


_BY_LENGTH = tuple((n, frozenset(e for e in _ENDINGS if len(e) == n))
                   for n in sorted({len(e) for e in _ENDINGS}, reverse=True))


@functools.lru_cache(maxsize=1 << 16)
def strip_ending(word: str) -> str:
    """Remove one particle or verb ending from a Hangul word, keeping >= 2 syllables."""
    for n, ends in _BY_LENGTH:
        if len(word) - n >= 2 and word[-n:] in ends:
            return word[:-n]
    return word


def words(text: str) -> list[str]:
    """Words of a text with particles and common endings removed."""
    return [strip_ending(w) for w in _WORD.findall(normalize(text))]


_QUALIFIED = re.compile(r"^(?P<head>[^()]+?)\s*\((?P<qual>[^()]*[가-힣][^()]*)\)\s*$")


def unqualified(title: str) -> str:
    """A title written head(qualifier) as Korean writes it unbracketed: 조리사(한식) -> 한식 조리사,
    번역가(일본어) -> 일본어 번역가. Other titles unchanged."""
    m = _QUALIFIED.match(title or "")
    return f"{m['qual'].strip()} {m['head'].strip()}" if m else title


def title_grams(title: str) -> Counter[str]:
    """Character 1-3 grams of a title key with boundary marks ('^', '$')."""
    key = title_key(title)
    padded = f"^{key}$"
    grams: Counter[str] = Counter()
    for n in (2, 3):
        grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    grams.update(f"1:{ch}" for ch in key)
    return grams


def duty_features(text: str) -> Counter[str]:
    """Bag of words and in-word character bigrams of a duty text."""
    feats: Counter[str] = Counter()
    for word in words(text):
        feats[f"w:{word}"] += 1
        if len(word) > 2:
            feats.update(word[i : i + 2] for i in range(len(word) - 1))
    return feats


def read_synonyms(name: str = "synonyms_en.csv") -> list[dict[str, str]]:
    """Rows of a curated synonym table (code, title_en or title_ko, generic)."""
    text = (resources.files("matchers.knowledge") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def title_entries(titles: Iterable[tuple[str, str, str]], k7: dict[str, dict[str, Any]], *,
                  synonyms: bool = True) -> list[tuple[str, str, str]]:
    """(code, title, kind): dictionary titles, KSCO7 unit and detail names, curated synonyms."""
    entries = [(c, t, k) for c, t, k in titles]
    if synonyms:
        entries += [(r["code"], r["title_ko"], "synonym") for r in read_synonyms("synonyms_ko.csv")
                    if k7.get(r["code"], {}).get("level") == "unit"]
    for code, row in k7.items():
        if row["level"] == "unit":
            entries.append((code, row["name_ko"], "unit_name"))
        elif row["level"] == "detailed" and not row["name_ko"].startswith("그 외"):
            entries.append((row["parent_code"], row["name_ko"], "detail_name"))
    return entries
