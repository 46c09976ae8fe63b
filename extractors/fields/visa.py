"""Stated visa type, workplace and working hours (with contractual weekly hours)."""

from __future__ import annotations

import re
from dataclasses import replace

from extractors.records import FieldValue, Route

from .document import Doc, evidence, find, find_sentence, search

VISA = re.compile(r"(?<![A-Z])(?P<v>[A-H]-\d{1,2}(?:-\d{1,2})?)(?![\d-])")
# A form's own title names the visa it is drafted for ('근로계약서(E-7-4용)', 'E-7 sample'),
# not the person's status: '용'/'sample'/'form' after the code rules it out.
E7 = re.compile(r"(?<![A-Z])(?P<v>E-7(?:-\d)?)(?![\d-])(?!\s*(?:용|見本|견본|sample|form|양식))", re.IGNORECASE)
_WEEKLY = (
    re.compile(r"(?:주|1주|週)\s*\(?\s*(?P<h>\d{1,2}(?:\.\d)?)\s*\)?\s*시간"),
    re.compile(r"(?P<h>\d{1,2}(?:\.\d)?)\s*hours?\s*(?:per|a|/)\s*week", re.IGNORECASE),
)
_DAILY = re.compile(r"(?P<a>\d{1,2})\s*(?:시|:)\s*(?P<am>\d{2})?\s*분?\s*(?:부터|~|-|to)\s*"
                    r"(?P<b>\d{1,2})\s*(?:시|:)\s*(?P<bm>\d{2})?")
_DAYS = re.compile(r"(?:매주|주)\s*(?P<d>[1-7])\s*일")


# The Hangul model reads the 'E' of E-7-1 as '6', '6E', 'G', '£' ...: under the visa label (and
# only there) a misread letter before '-7-<1..4>' is E, the one visa with those sub-codes.
_E7_MISREAD = re.compile(r"(?<![A-Za-z0-9])[6GEe€£&]{1,3}\s*[-~]\s*7\s*[-~]\s*(?P<n>[1-4])(?![\d-])")
_REPAIRED = 0.85  # trust in a repaired reading relative to a clean one


def extract_visa(doc: Doc) -> FieldValue:
    hit = find(doc, "visa") or find_sentence(doc, ("체류자격",))
    if hit and (m := VISA.search(hit.value)):
        return FieldValue(**evidence(doc, hit, m.group("v")))
    if hit and doc.routes.get(hit.page, (Route.text_layer, None))[0] == Route.ocr and (
            m := _E7_MISREAD.search(hit.value)):
        repaired = replace(hit, strength=hit.strength * _REPAIRED)
        return FieldValue(**evidence(doc, repaired, f"E-7-{m.group('n')}"))
    hit = search(doc, E7, 0.7, "E-7")
    return FieldValue(**evidence(doc, hit)) if hit else FieldValue()


def extract_workplace(doc: Doc) -> FieldValue:
    hit = find(doc, "workplace") or find_sentence(doc, ("근무장소", "근로장소"))
    if hit is None:
        return FieldValue()
    value = re.sub(r"\s*(?:으로|로)?\s*한다\.?$", "", hit.value.split("\n")[0]).strip()
    value = _LEADING_MARKS.sub("", value)  # OCR specks after the label ('Place of Work :. 서울')
    return FieldValue(**evidence(doc, hit, value)) if value else FieldValue()


_LEADING_MARKS = re.compile(r"^[\s.,:;|'\"`~_-]+")


def extract_hours(doc: Doc) -> tuple[FieldValue, float | None]:
    """Working hours as written and the weekly hours when stated or derivable."""
    hit = find(doc, "working_hours", multiline=True)
    if hit is None or not hit.value.strip():
        return FieldValue(), _weekly(doc.text, None)
    lines = hit.value.split("\n")[:2]
    return FieldValue(**evidence(doc, hit, " ".join(lines))), _weekly("".join(lines), doc.text)


def _weekly(text: str, whole: str | None) -> float | None:
    for pattern in _WEEKLY:
        if m := pattern.search(text):
            hours = float(m.group("h"))
            return hours if 1 <= hours <= 68 else None
    if whole is None:
        return None
    return _from_daily(text, whole)


def _from_daily(text: str, whole: str) -> float | None:
    """'09시 00분부터 18시 00분까지 (휴게 1시간)' x '매주 5일' -> 40."""
    spans = _DAILY.findall(text)
    days = _DAYS.search(whole)
    if not spans or not days:
        return None
    a, am, b, bm = spans[0]
    hours = int(b) + int(bm or 0) / 60 - int(a) - int(am or 0) / 60
    if len(spans) > 1:
        ra, ram, rb, rbm = spans[1]
        hours -= int(rb) + int(rbm or 0) / 60 - int(ra) - int(ram or 0) / 60
    weekly = round(hours * int(days.group("d")), 1)
    return weekly if 1 <= weekly <= 68 else None
