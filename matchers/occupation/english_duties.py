"""English duty text projected into the Korean duty feature space through a curated glossary.

The duty index and model are built from the Korean job dictionary, so English duties
("Design and develop backend APIs") are rewritten word by word, longest phrase first, into the
dictionary's Korean vocabulary ("설계 디자인 개발 백엔드 서버 API 인터페이스") before scoring.
Runs of English prose are rewritten. A lone term in Korean text ("React 기반 화면 개발",
"PLC 제어반", "(Kotlin, Swift)") stays as it is and its glossary words are added after it
(additive: the Korean text is never replaced), so the dictionary vocabulary the term stands for
counts too. The glossary (matchers/knowledge/data/glossary_en_ko.csv) is
written by us: English terms and phrases with their Korean occupational equivalents.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

GLOSSARY = "glossary_en_ko.csv"
MIN_RUN = 3  # English words in a row (or a whole text without Hangul) that count as English text
# a run in Korean text is English prose (not a gloss like "(CFS: Container Freight Station)")
# only with one of these
_FUNCTION = frozenset(["and", "or", "the", "a", "an", "of", "to", "for", "with", "in", "on", "at", "by", "from"])
MAX_PHRASE = 4  # longest glossary phrase, in words
_TOKEN = re.compile(r"[가-힣]+|[A-Za-z][A-Za-z0-9+#&']*|[^\sA-Za-z가-힣]+")
_LATIN = re.compile(r"[A-Za-z]")
# "design" is 설계 in engineering and software, 디자인 in the visual and product arts: a segment
# with one of these (stemmed) words reads it as 디자인
_ARTS_WORDS = ("graphic", "logo", "visual", "poster", "brochure", "banner", "illustration",
               "fashion", "clothing", "garment", "apparel", "collection", "interior", "furniture",
               "packaging", "typography", "font", "character", "animation", "ui", "ux", "colour",
               "color", "rendering", "mock", "sketch", "jewelry", "jewellery", "bag", "shoe",
               "accessory", "costume", "icon", "emoticon", "webtoon", "leaflet", "catalogue",
               "catalog", "signboard", "decoration")
_ARTS_READING = {"design": "디자인", "designer": "디자이너"}
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ers", "ors", "er", "or", "ies",
             "ed", "es", "s")
_STOP = frozenset(["a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "as", "per", "via", "our", "your", "their", "its", "his", "her", "this", "that", "these", "those", "all", "any", "each", "every", "other", "such", "etc", "etc.", "is", "are", "be", "been", "being", "will", "shall", "may", "can", "must", "should", "would", "could", "do", "does", "did", "has", "have", "had", "we", "you", "they", "he", "she", "it", "i", "me", "us", "them", "who", "which", "what", "where", "when", "how", "responsible", "responsibility", "responsibilities", "duty", "duties", "task", "tasks", "role", "job", "work", "include", "includes", "including", "included", "main", "key", "daily", "day", "various", "related", "relevant", "assigned", "necessary", "ensure", "ensuring", "also", "well", "both", "within", "across", "under", "over", "through", "about", "up", "out", "more", "most", "company's", "employer", "employee's", "position", "the_employee", "following", "following:", "e.g.", "i.e."])


def stem(word: str) -> str:
    """Crude suffix stripping shared by the glossary keys and the text (develops -> develop)."""
    word = word.lower().strip("'")
    word = word.removesuffix("'s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word[:-1] if word.endswith("e") and len(word) >= 6 else word


def singular(word: str) -> str:
    """Plural to singular only: the exact form looked up before the stem."""
    for end, repl in (("ies", "y"), ("sses", "ss"), ("s", "")):
        if word.endswith(end) and len(word) > 4 and not word.endswith("ss"):
            return word[: -len(end)] + repl
    return word


_ARTS = frozenset(stem(w) for w in _ARTS_WORDS)


@functools.cache
def glossary() -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str]]:
    """(exact, stemmed): singular English word sequences -> Korean words, and the same keyed by
    stems. Rows with the same exact key are merged; on a stem collision the shortest English
    form wins (develop over developer, program over programming), so an inflected form reads as
    its base word and not as a blend of every word sharing its stem."""
    text = (resources.files("matchers.knowledge") / "data" / GLOSSARY).read_text(encoding="utf-8")
    exact: dict[tuple[str, ...], str] = {}
    stemmed: dict[tuple[str, ...], tuple[int, str]] = {}
    for row in csv.DictReader(text.splitlines()):
        words = english_tokens(row["en"])
        if not words:
            continue
        key = tuple(singular(w) for w in words)
        exact[key] = row["ko"] if key not in exact else _merge(exact[key], row["ko"])
        skey, size = tuple(stem(w) for w in words), len(" ".join(words))
        old = stemmed.get(skey)
        if old is None or size < old[0]:
            stemmed[skey] = (size, row["ko"])
        elif size == old[0]:
            stemmed[skey] = (size, _merge(old[1], row["ko"]))
    return exact, {k: v for k, (_, v) in stemmed.items()}


def _merge(a: str, b: str) -> str:
    words = a.split()
    return " ".join(words + [w for w in b.split() if w not in words])


def english_tokens(text: str) -> list[str]:
    return [t for t in re.findall(r"[a-z][a-z0-9+#&]*", text.lower().replace("-", " "))
            if t not in _STOP]


@dataclass(frozen=True)
class Projection:
    text: str  # the text with its English runs rewritten in Korean
    english_words: int  # content words in the English runs
    known_words: int  # of those, words covered by the glossary

    @property
    def coverage(self) -> float:
        return self.known_words / self.english_words if self.english_words else 0.0


def project(text: str) -> Projection:
    """Rewrite the English runs of a duty text into Korean glossary words (the text itself,
    untouched, when it holds no English run)."""
    if not text or not _LATIN.search(text):
        return Projection(text or "", 0, 0)
    tokens = _TOKEN.findall(text)
    has_hangul = any("가" <= t[0] <= "힣" for t in tokens)
    out: list[str] = []
    run: list[str] = []
    lone: list[str] = []
    counts = [0, 0]

    def flush() -> None:
        words = [w for w in run if _LATIN.match(w)]
        # a bracketed gloss ("설계(Planning and Design)", "CFS(Container Freight Station)");
        # a colon only counts inside the run, not as the label separator before it ("업무: ...")
        gloss = any(c in t for t in run for c in "([") or any(":" in t for t in run[1:])
        if (words and not has_hangul) or (not gloss and len(words) >= MIN_RUN
                                          and any(w in _FUNCTION for w in words)):
            out.append(_rewrite(" ".join(run), counts))
        else:
            out.append(" ".join(run))
            if words:  # lone terms or a gloss in Korean text: their Korean words are added
                lone.append(_rewrite(" ".join(run), [0, 0]))
        run.clear()

    for tok in tokens:
        if "가" <= tok[0] <= "힣":
            flush()
            out.append(tok)
        else:
            run.append(tok)
    flush()
    added = " ".join(t for t in lone if t)
    if not counts[0]:
        return Projection(f"{text} {added}" if added else text, 0, 0)
    return Projection(" ".join(t for t in [*out, added] if t), counts[0], counts[1])


def _rewrite(segment: str, counts: list[int]) -> str:
    """Longest-phrase-first glossary lookup over the stemmed content words of a segment."""
    raw = english_tokens(segment)
    forms, stems = [singular(w) for w in raw], [stem(w) for w in raw]
    (exact, stemmed), out, i = glossary(), [], 0
    arts = not _ARTS.isdisjoint(stems)
    while i < len(raw):
        for n in range(min(MAX_PHRASE, len(raw) - i), 0, -1):
            ko = exact.get(tuple(forms[i : i + n])) or stemmed.get(tuple(stems[i : i + n]))
            if arts and n == 1 and stems[i] in _ARTS_READING:
                ko = _ARTS_READING[stems[i]]
            if ko is not None:
                out.append(ko)
                counts[0] += n
                counts[1] += n
                i += n
                break
        else:
            counts[0] += 1
            i += 1
    return " ".join(out)


MIN_COVERAGE = 0.6  # share of the English content words the glossary must know ...
MIN_KNOWN = 4  # ... and how many, for an English duty text to have a usable reading


def readable(text: str) -> bool:
    """English duties the projection reads well enough for the rules to act on their reading."""
    p = project(text)
    return p.known_words >= MIN_KNOWN and p.coverage >= MIN_COVERAGE


def is_english(text: str) -> bool:
    """The text holds English runs that the projection rewrites."""
    return project(text).english_words > 0
