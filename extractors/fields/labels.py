"""Contract labels per field, Korean and English, as printed on standard and company forms."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from rapidfuzz.distance import Levenshtein

from extractors.text import spaced


def _load() -> dict[str, Any]:
    """The label tables (extractors/data/labels.toml): one list per field, then captions and ranks."""
    text = resources.files("extractors").joinpath("data/labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_DATA = _load()
# Order matters: earlier labels are stronger evidence for the field.
LABELS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["fields"].items()}
_CAPTIONS = tuple(_DATA["other"]["captions"])  # table captions that are neither labels nor values
RANKS = tuple(_DATA["other"]["ranks"])  # ranks (직급), kept apart from the occupation title
# '@', '©', '®': how OCR reads circled item numbers (①, ②) in article contracts.
_PREFIX = r"^(?:\(?\d{1,2}[.)]\s*|\d{1,2}\s*(?=[가-힣])|[①-⑳@©®]\s*|[-·•*□▪■◦○]\s*|\((?:사업주|근로자|갑|을)\)\s*|제\s*\d+\s*조\s*)*"
# A '(gloss)' or '/ gloss' after the label. OCR garbles the English gloss of a Korean label
# ('근무장소 / 3e 어 W 야 *', '임금 / Sa1a/》'), so after a Korean label any text up to the colon
# is a gloss; after an English one only Latin text is.
_AFTER = r"\s*(?:\([^)]{1,30}\)|/\s*[A-Za-z0-9][A-Za-z0-9 .,'/&-]*?)?\s*"
_AFTER_KO = r"\s*(?:\([^)]{1,30}\)|/\s*[^:\n]{1,30}?)?\s*"


def _label_pattern(label: str) -> str:
    return spaced(label) if re.search(r"[가-힣]", label) else re.escape(label).replace(r"\ ", r"\s+")


def _labelled(labels: Iterable[str]) -> str:
    """Korean labels with a tolerant gloss, English labels with a Latin one, as one alternation."""
    ko = "|".join(_label_pattern(label) for label in labels if re.search(r"[가-힣]", label))
    en = "|".join(_label_pattern(label) for label in labels if not re.search(r"[가-힣]", label))
    parts = [f"(?P<label>{ko}){_AFTER_KO}" if ko else "", f"(?P<label_en>{en}){_AFTER}" if en else ""]
    return "(?:" + "|".join(p for p in parts if p) + ")"


@cache
def line_pattern(field: str) -> re.Pattern[str]:
    """Matches '<prefix><label>[ (English)| / English] : value' at the start of a line.

    The label is group 'label' (Korean) or 'label_en' (English): use `label_of(match)`.
    """
    return re.compile(_PREFIX + rf"{_labelled(LABELS[field])}[:]\s*(?P<value>.*)$", re.IGNORECASE)


@cache
def label_rank(field: str, label: str) -> int:
    """Position of `label` among `field`'s labels (earlier is stronger; spacing and case
    ignored); 99 for a label the table does not hold."""
    key = re.sub(r"\s+", "", label).lower()
    keys = [re.sub(r"\s+", "", known).lower() for known in LABELS[field]]
    return keys.index(key) if key in keys else 99


def label_of(m: re.Match[str]) -> str:
    """The label a line_pattern or cell_pattern match found."""
    groups = m.groupdict()
    return groups.get("label") or groups.get("label_en") or ""


@cache
def cell_pattern(field: str) -> re.Pattern[str]:
    """Matches a table label cell: the label first, anything (notes, English) after it."""
    alts = "|".join(_label_pattern(label) for label in LABELS[field])
    return re.compile(_PREFIX + rf"(?P<label>{alts})[.,:;]?(?:\s|\(|/|$)", re.IGNORECASE)


@cache
def any_label_line() -> re.Pattern[str]:
    """A line that opens with any known label and a colon (ends a multi-line value)."""
    every = [label for labels in LABELS.values() for label in labels]
    return re.compile(_PREFIX + _labelled(every).replace("(?P<label>", "(?:").replace(
        "(?P<label_en>", "(?:") + "[:]", re.IGNORECASE)


_FORM_WORDS = re.compile(r"[_()\[\]\s.,~:/□■√-]|요일|시간|년|월|일|분|시|부터|까지|원|없음|있음")


# Printed words of blank forms that are no field's label: other items' captions, English glosses
# of units, and the connecting words of blanks ('from __ to __', '( ) hours/month').
_FORM_CAPTIONS = tuple(_DATA["other"]["form_captions"])
_NOTE = re.compile(r"※[^\n]*")  # a form's instruction note ('※ 외국인근로자가 ... 기재합니다')


@cache
def _printed_words() -> re.Pattern[str]:
    """Every field label and form caption, as printed (Korean spaced, English whole words)."""
    words = [label for labels in LABELS.values() for label in labels] + list(_FORM_CAPTIONS)
    words.sort(key=len, reverse=True)
    alts = "|".join(_label_pattern(w) if re.search(r"[가-힣]", w) else rf"\b{_label_pattern(w)}\b"
                    for w in words)
    return re.compile(alts, re.IGNORECASE)


def is_blank_value(value: str) -> bool:
    """A printed form's empty blank: '(__)요일 시간', '년 월 일부터', '원', or only other labels,
    captions and instruction notes ('전화번호 Phone number', '※ 근로자를 ... 안 됨.')."""
    text = _printed_words().sub("", _NOTE.sub("", _PLACEHOLDER.sub("", value)))
    return not _FORM_WORDS.sub("", text)


# Template placeholders a form leaves unfilled: '{{직위}}', '<<title>>', '○○○', '△△', '[  ]'.
_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}|<<[^>]*>>|\$\{[^}]*\}|[○△□◯]{2,}|\[\s*\]|_{2,}")


@cache
def inline_label() -> re.Pattern[str]:
    """Another item starting inside a line: '3. Job Title:', '| 직급:', ' Duties:'."""
    every = sorted({label for labels in LABELS.values() for label in labels}, key=len, reverse=True)
    alts = "|".join(_label_pattern(label) for label in every)
    return re.compile(rf"(?:\s|\|)(?:\d{{1,2}}[.)]\s*|[-•·]\s*)?(?:{alts})\s*(?:\([^)]{{1,30}}\)|/\s*[^:\n]{{1,30}}?)?\s*:",
                      re.IGNORECASE)


def is_label_cell(cell: str) -> bool:
    """A table cell that only holds a label (of any field) or a caption, with its gloss."""
    text = cell.strip()
    if not text or len(re.sub(r"\s+", "", text)) > 40 or re.search(r"\d{2}", text):
        return False
    if re.fullmatch(r"(?:" + "|".join(_label_pattern(c) for c in _CAPTIONS) + r")\s*(?:[(/\n].*)?",
                    text, re.IGNORECASE | re.DOTALL):
        return True
    for field in LABELS:
        m = cell_pattern(field).match(text)
        if m and not _printed_words().sub("", _CELL_TAIL.sub("", text[m.end("label"):], count=1)).strip(" .:;"):
            return True
    return False


def is_rank(value: str) -> bool:
    return value.strip() in RANKS


class CellLabel(NamedTuple):
    label: str  # the label as printed (or the known label an OCR-garbled cell stands for)
    trust: float  # 1.0 for an exact label, less for one recognised despite an OCR error


_CELL_TAIL = re.compile(r"[\s.,:;'`]*(?:[(/\n].*)?$", re.DOTALL)  # gloss, note, OCR dots


@cache
def _korean_labels() -> dict[str, list[str]]:
    """Squashed Korean label -> fields it names (long enough for a one-edit tolerance)."""
    out: dict[str, list[str]] = {}
    for field, labels in LABELS.items():
        for label in labels:
            key = re.sub(r"\s+", "", label)
            if re.fullmatch(r"[가-힣]{3,}", key):
                out.setdefault(key, []).append(field)
    return out


def fuzzy_cell_field(cell: str) -> tuple[str, str] | None:
    """(field, label) of a table label cell that is a Korean label but for one OCR error.

    OCR drops or misreads a syllable of a label cell ('회 사' for 회사명, '근 루 장소' for
    근로장소). The whole cell (without its gloss) must be one edit from a label of three or
    more syllables, and no label of another field may be as close, so that 직위/직무 style
    neighbours never swap fields.
    """
    head = re.sub(r"\s+", "", _CELL_TAIL.sub("", cell.strip(), count=1))
    if not 2 <= len(head) <= 8 or not re.fullmatch(r"[가-힣]+", head):
        return None
    close = [(key, fields) for key, fields in _korean_labels().items()
             if abs(len(key) - len(head)) <= 1 and Levenshtein.distance(key, head, score_cutoff=1) <= 1]
    named = {f for _, fields in close for f in fields}
    if len(named) != 1:
        return None
    return next(iter(named)), close[0][0]


def cell_label(field: str, cell: str) -> CellLabel | None:
    """The label of `field` a table cell opens with: exact, else one OCR edit away (less trusted)."""
    if m := cell_pattern(field).match(cell):
        return CellLabel(m.group("label"), 1.0)
    if (fuzzy := fuzzy_cell_field(cell)) and fuzzy[0] == field and not _names_other_field(cell, field):
        return CellLabel(fuzzy[1], FUZZY_TRUST)
    return None


FUZZY_TRUST = 0.85


def _names_other_field(cell: str, field: str) -> bool:
    """The cell is an exact label of another field (never re-read it as `field`)."""
    return any(cell_pattern(other).match(cell) for other in LABELS if other != field)
