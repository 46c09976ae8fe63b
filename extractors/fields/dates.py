"""Dates as contracts write them (2026년 3월 1일, 2026.03.01, March 1, 2026) and contract periods."""

from __future__ import annotations

import re
from datetime import date

from extractors.records import FieldValue

from .document import Doc, Hit, evidence, find, find_sentence

MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_KO = r"(?P<y>\d{4})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일"
_NUM = r"(?P<y>\d{4})\s*[./-]\s*(?P<m>\d{1,2})\s*[./-]\s*(?P<d>\d{1,2})\.?"
_SHORT = r"(?<!\d)(?P<y>\d{2})\s*[./]\s*(?P<m>\d{1,2})\s*[./]\s*(?P<d>\d{1,2})(?!\d)"
_EN_MDY = r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"
_EN_DMY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>\d{4})"
DATE_PATTERNS = [re.compile(p) for p in (_KO, _NUM, _EN_MDY, _EN_DMY, _SHORT)]
_OPEN_ENDED = re.compile(r"기간의\s*정함이\s*없|정함\s*없음|open[- ]ended|indefinite|permanent", re.IGNORECASE)


def _to_date(m: re.Match[str]) -> date | None:
    g = m.groupdict()
    month = MONTHS.get(g["mon"][:3].lower()) if g.get("mon") else int(g["m"])
    year = int(g["y"]) + (2000 if len(g["y"]) == 2 else 0)
    try:
        return date(year, month, int(g["d"])) if month else None
    except ValueError:
        return None


def find_dates(text: str) -> list[date]:
    """All dates in `text`, in reading order."""
    found: list[tuple[int, date]] = []
    taken: list[range] = []
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() in span for span in taken):
                continue
            if (d := _to_date(m)) is not None:
                found.append((m.start(), d))
                taken.append(range(m.start(), m.end()))
    return [d for _, d in sorted(found)]


def parse_date(text: str) -> date | None:
    dates = find_dates(text)
    return dates[0] if dates else None


def date_field(doc: Doc, hit: Hit | None) -> FieldValue:
    if hit is None or (d := parse_date(hit.value)) is None:
        return FieldValue()
    return FieldValue(**evidence(doc, hit, d.isoformat()))


def contract_period(doc: Doc) -> tuple[FieldValue, FieldValue]:
    """(start, end) from the period clause, else from separate start/end labels."""
    hit = find(doc, "period", multiline=False) or find_sentence(doc, ("근로계약기간", "계약기간"))
    if hit:
        dates = find_dates(hit.value)
        if dates:
            start = FieldValue(**evidence(doc, hit, dates[0].isoformat()))
            if len(dates) > 1 and not _OPEN_ENDED.search(hit.value.split("부터")[0]):
                return start, FieldValue(**evidence(doc, hit, dates[1].isoformat()))
            return start, FieldValue()
    return date_field(doc, find(doc, "start")), date_field(doc, find(doc, "end"))
