"""Job title (직종, 직위, Position ...) in Korean and English, kept apart from the rank (대리, 과장 ...)."""

from __future__ import annotations

import re

from extractors.records import TitleField
from extractors.text import has_hangul, strip_trailing_paren

from .document import Doc, Hit, evidence, find_all
from .labels import RANKS, is_rank, label_rank

_ARTICLE = re.compile(
    r"(?P<label>직위|직종|직책|직무)(?:는|은|를|을)\s*[\"'“]?(?P<v>[^\"'”()]+?)[\"'”]?\s*"
    r"(?:\((?:직급|직위)?\s*:?\s*(?P<rank>[^)]*)\))?\s*(?:으로|로)\s*(?:한다|임명|정한다)"
)
_RANK_NOTE = re.compile(r"\(\s*(?:직급|직위|rank|grade)\s*:?\s*(?P<rank>[^)]+)\)", re.IGNORECASE)
_MAX_TITLE = 60
_OCCUPATION_LABELS = {"직종", "직무명", "직무", "jobtitle", "occupation"}  # never a rank


def split_title(value: str) -> tuple[str | None, str | None, str | None]:
    """'사무보조원 (Office Assistant)' -> ('사무보조원', 'Office Assistant', rank or None)."""
    lines = value.split("\n")
    joined = " ".join(line.strip() for line in lines[:2])
    wrapped = len(lines) == 2 and len(joined) <= 40 and not re.search(r"[:()/]", lines[1])  # a cell's wrap
    first = joined if lines[0].count("(") > lines[0].count(")") or wrapped else lines[0]
    value = strip_trailing_paren(first).strip(" :-")
    rank = None
    if m := _RANK_NOTE.search(value):
        rank, value = m.group("rank").strip(), (value[: m.start()] + value[m.end():]).strip()
    ko: str | None = value
    en: str | None = None
    if value.endswith(")") and re.search(r"[가-힣]", value) and (open_at := _matching_open(value)) > 0:
        inner = value[open_at + 1:-1].strip()
        if re.match(r"[A-Za-z0]", inner) and not re.search(r"[가-힣]", inner):  # '일식 조리사 (Chef (Japanese Cuisine))'
            return value[:open_at].strip() or None, inner, rank
    # '(0ffice Assistant)': OCR reads a capital O as zero; a gloss still needs Latin letters.
    if m := re.match(r"^(?P<ko>.*?[가-힣].*?)\s*(?:\((?P<p>[A-Za-z0]\S*[A-Za-z][^)]*)\)"
                     r"|/\s*(?P<s>[A-Za-z].*))$", value):
        ko, en = m.group("ko").strip(), (m.group("p") or m.group("s")).strip()
    elif not has_hangul(value):
        ko, en = None, value
    return ko or None, en or None, rank


def _matching_open(value: str) -> int:
    """Index of the '(' that the final ')' closes, or -1."""
    depth = 0
    for i in range(len(value) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(value[i], 0)
        if depth == 0:
            return i
    return -1


def _title_hits(doc: Doc) -> tuple[list[Hit], list[str]]:
    """Occupation-title hits (strongest label first) and ranks seen under title labels."""
    titles, ranks = [], []
    for hit in find_all(doc, "title"):
        ko, en, rank = split_title(hit.value)
        head = ko or en or ""
        if rank:
            ranks.append(rank)
        occupation_label = re.sub(r"\s+", "", hit.label).lower() in _OCCUPATION_LABELS
        if is_rank(head) and not occupation_label:
            ranks.append(head)
        elif head and len(head) <= _MAX_TITLE:
            titles.append(hit)
    return sorted(titles, key=lambda h: label_rank("title", h.label)), ranks


def _article_hit(doc: Doc) -> tuple[Hit | None, str | None]:
    for line in doc.lines:
        if m := _ARTICLE.search(line.text):
            hit = Hit(m.group("v").strip(), line.page, line.text, m.group("label"), 0.9)
            return hit, (m.group("rank") or "").strip() or None
    return None, None


def _rank(doc: Doc, seen: list[str]) -> str | None:
    """A dedicated 직급/Grade/Rank value first, then ranks written under title labels."""
    for hit in find_all(doc, "rank"):
        value = split_title(hit.value)[0] or hit.value.strip()
        dedicated = re.sub(r"\s+", "", hit.label).lower() in ("직급", "grade", "rank")
        if value in RANKS or (dedicated and len(value) <= 8):
            return value
    return seen[0] if seen else None


def extract_title(doc: Doc) -> TitleField:
    titles, ranks = _title_hits(doc)
    hit, article_rank = (titles[0], None) if titles else _article_hit(doc)
    if article_rank:
        ranks.insert(0, article_rank)
    rank = _rank(doc, ranks)
    if hit is None:
        return TitleField(rank=rank)
    ko, en, note_rank = split_title(hit.value)
    en = en or _english_title(doc, ko)
    return TitleField(**evidence(doc, hit, ko or en), value_en=en, rank=note_rank or rank)


def _english_title(doc: Doc, ko: str | None) -> str | None:
    """An English title given under its own label (Job Title / Position) beside a Korean one."""
    if ko is None:
        return None
    for hit in find_all(doc, "title"):
        if not has_hangul(hit.value) and not is_rank(hit.value.strip()):
            return split_title(hit.value)[1]
    return None
