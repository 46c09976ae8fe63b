"""The salary clause: find its lines, read amounts, cross-check them, annualise."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.records import Period, Problem, Route, SalaryComponent, SalaryField
from extractors.salary import Money, annualise, find_amounts, period_by_magnitude, period_near
from extractors.text import squash

from .document import Doc, Line, after_change, any_label_line, route_factor
from .labels import cell_pattern, line_pattern

_HEAD = re.compile(r"^(?:\d{1,2}\.\s*|제\s*\d+\s*조\s*)\(?\s*(?:임\s*금|급\s*여|보\s*수|연\s*봉)"
                   r"|^(?:salary|payment|compensation|remuneration)\b", re.IGNORECASE)
_SECTION_END = re.compile(r"^(?:\d{1,2}\.\s*\S|제\s*\d+\s*조|\((?:사업주|근로자|갑|을)\))")
COMPONENT = re.compile(r"기본\s*급|기본\s*연봉|수당|식대|식비|교통비|base\s+salary|basic\s+pay|"
                       r"allowance", re.IGNORECASE)
TOTAL = re.compile(r"합\s*계|총\s*액|총\s*급여|월\s*통상\s*임금|total", re.IGNORECASE)
EXCLUDED = re.compile(r"상여|bonus|수습|probation|총\s*임금|프로젝트|출장|경비|공제|지급일|퇴직|"
                      r"시간외|연장|야간|휴일근로", re.IGNORECASE)
INCLUSIVE = re.compile(r"포괄\s*임금|포괄\s*산정|수당이?\s*포함|inclusive\s+wage|inclusive\s+of\s+overtime",
                       re.IGNORECASE)
_OCR_CAP = 0.75  # an OCR'd figure that nothing confirms is never high confidence


@dataclass(frozen=True)
class Entry:
    page: int  # page of the line
    text: str  # line text ("label : value" for table rows)
    money: Money  # the amount read
    kind: str  # "main" | "component" | "total"


def section_lines(doc: Doc) -> list[tuple[int, str]]:
    """(page, text) of the salary clause: table rows, labelled lines and their sub-lines."""
    out = [(row.page, f"{row.cells[i]} : {after_change(row, i)}")
           for row in doc.rows for i, cell in enumerate(row.cells[:-1])
           if cell_pattern("salary").match(cell) or COMPONENT.search(cell) or TOTAL.search(cell)]
    for line in doc.lines:
        if _HEAD.match(line.text) or line_pattern("salary").match(line.text):
            out += [(x.page, x.text) for x in [line, *_sub_lines(doc, line)]]
    return out


def _sub_lines(doc: Doc, head: Line) -> list[Line]:
    out = []
    for nxt in doc.lines[head.index + 1: head.index + 12]:
        if nxt.page != head.page or _SECTION_END.match(nxt.text):
            break
        if any_label_line().match(nxt.text) and not COMPONENT.search(nxt.text):
            break
        out.append(nxt)
    return out


def _entries(lines: list[tuple[int, str]]) -> list[Entry]:
    entries, seen = [], set()
    for page, text in lines:
        if (page, text) in seen:
            continue
        seen.add((page, text))
        for money in find_amounts(text):
            head = text[: money.start]
            if EXCLUDED.search(head):
                continue
            kind = "total" if TOTAL.search(head) else "component" if COMPONENT.search(head) else "main"
            entries.append(Entry(page, text, money, kind))
    return entries


def _period(entry: Entry) -> tuple[Period | None, bool]:
    """(period, guessed): from a keyword near the amount, else from its size."""
    period = period_near(entry.text, entry.money)
    if period is not None:
        return period, False
    return period_by_magnitude(entry.money.amount), True


def _confirms(entry: Entry, other: Entry, period: Period | None) -> bool:
    a, b = entry.money.amount, other.money.amount
    if other.money.ambiguous or other.money is entry.money:
        return False
    other_period = period_near(other.text, other.money)
    if a == b:
        return True
    return (period == Period.monthly and other_period == Period.annual and a * 12 == b) or (
        period == Period.annual and other_period == Period.monthly and b * 12 == a)


def _choose(entries: list[Entry]) -> tuple[Entry, list[SalaryComponent], bool, float] | None:
    """Chosen entry, components, cross_checked, strength."""
    comps = [e for e in entries if e.kind == "component"]
    totals = [e for e in entries if e.kind == "total"]
    if len(comps) >= 2:
        parts = [SalaryComponent(name=_name(e), amount_krw=e.money.amount,
                                 period=period_near(e.text, e.money) or Period.monthly) for e in comps]
        total = sum(p.amount_krw for p in parts)
        if totals:
            ok = totals[0].money.amount == total
            return totals[0], parts, ok, 0.97 if ok else 0.45
        return Entry(comps[0].page, comps[0].text, Money(total, 0, 0), "total"), parts, False, 0.85
    mains = [e for e in entries if e.kind == "main" and not e.money.ambiguous] or entries
    if not mains:
        return None
    entry = _prefer_clean(mains)
    period, _ = _period(entry)
    crossed = any(_confirms(entry, o, period) for o in entries if o is not entry)
    return entry, [], crossed, 0.95


def _prefer_clean(entries: list[Entry]) -> Entry:
    """The first amount written cleanly (unit, well grouped); else the first at all."""
    for e in entries:
        if e.money.unit and not e.money.repaired:
            return e
    return entries[0]


def _name(entry: Entry) -> str:
    head = entry.text[: entry.money.start].split(":")[0]
    name = re.sub(r"^[-·•*①-⑳\s]+|\s*(?:월|매월|KRW|₩)?\s*$", "", head, flags=re.IGNORECASE)
    return name[:30] or squash(head)[:20]


def extract_salary(doc: Doc, weekly_hours: float | None) -> tuple[SalaryField, list[Problem]]:
    lines = section_lines(doc)
    inclusive = bool(INCLUSIVE.search(doc.text))
    chosen = _choose(_entries(lines))
    if chosen is None:
        return SalaryField(inclusive_wage=inclusive), []
    entry, parts, crossed, strength = chosen
    period, guessed = (Period.monthly, False) if parts else _period(entry)
    confidence, problems = _confidence(doc, entry, crossed, guessed, strength)
    annual, assumption = annualise(entry.money.amount, period, weekly_hours) if period else (None, None)
    if guessed and period:
        assumption = f"period not written; {period.value} guessed from the amount; " + (assumption or "")
    route, _ = doc.routes.get(entry.page, (Route.text_layer, None))
    snippet = "\n".join(t for p, t in lines if p == entry.page)[:300]
    return SalaryField(
        value=_value_text(entry.text),
        found=True, page=entry.page, snippet=snippet, confidence=confidence, route=route,
        label=_label(entry.text), amount_krw=entry.money.amount, period=period, annual_krw=annual,
        components=parts, inclusive_wage=inclusive, assumption=assumption, cross_checked=crossed,
    ), problems


def _value_text(text: str) -> str:
    text = re.sub(r"^(?:[-·•*①-⑳]\s*)+", "", text)
    return text.strip()[:120]


def _label(text: str) -> str | None:
    m = re.search(r"임\s*금|급\s*여|연\s*봉|월\s*급|시\s*급|기본\s*급|합\s*계|salary|payment", text, re.IGNORECASE)
    return m.group(0) if m else None


def _confidence(doc: Doc, entry: Entry, crossed: bool, guessed: bool,
                strength: float) -> tuple[float, list[Problem]]:
    money, problems = entry.money, []
    if money.repaired and not crossed:
        strength = 0.35
        problems.append(Problem(code="salary_unclear", page=entry.page,
                                message=f"the salary figure on page {entry.page} has garbled digit "
                                        "grouping and nothing else in the contract confirms it; "
                                        "check the amount by hand"))
    if not money.unit:
        strength *= 0.75
    if guessed:
        strength *= 0.65
    if crossed:
        strength = max(strength, 0.97 if not money.repaired else 0.9)
    route, _ = doc.routes.get(entry.page, (Route.text_layer, None))
    confidence = strength * route_factor(doc, entry.page)
    if route == Route.ocr and not crossed:
        confidence = min(confidence, _OCR_CAP)
    return round(min(confidence, 1.0), 3), problems
