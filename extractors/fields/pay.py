"""The salary clause: find its text, bind each amount to the words of its own phrase, decide.

1. The clause: a salary heading ('6. 임금', '제7조(임금)', '5. Compensation') and the lines up to
   the next item or article; table rows labelled 임금/급여/연봉/Salary and the rows merged under
   them; a table's column headers ('월 지급액', '연간 금액') travel with the amounts below them.
2. Phrases: lines and ';'-separated parts, with figures broken over a line end joined again
   ('연봉 70,' + '200,000원'). Each amount takes its period and role only from the words of its
   own phrase: 연봉/연간/per annum -> annual, 월/월급/per month -> monthly, 시급 -> hourly,
   일급/일당 -> daily; 합계/총액/월 통상임금 -> total, 기본급/Base salary -> base, 수당/식대/
   allowance -> allowance; bonuses, probation pay, overtime paid as worked and notes in
   parentheses are not pay.
3. Decision: a stated total, else base + fixed allowances, else the first amount with a period.
   A figure that is implausible once annualised (below half the legal minimum for the hours,
   or above 500,000,000 KRW) is kept with a low confidence and a problem saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.records import FieldState, Period, Problem, Route, SalaryComponent, SalaryField
from extractors.salary import Money, annualise, find_amounts, period_by_magnitude, period_near
from extractors.text import squash

from .document import Doc, Line, Row, after_change, after_column, route_factor
from .labels import cell_pattern

_HEAD_WORDS = (r"임\s*금|급\s*여|보\s*수|연\s*봉|월\s*급|salary|compensation|remuneration|wages?|pay(?:ment)?|"
               r"연\s*봉\s*의\s*구\s*성")
_HEAD = re.compile(rf"^(?:제\s*\d+\s*조\s*[\[(【]?\s*|\d{{1,2}}\.\s*|\d+\)\s*)?(?:{_HEAD_WORDS})"
                   rf"(?!\s*(?:지\s*급\s*일|지\s*급\s*방\s*법|date|method))(?:\s*[\])】])?(?:\s|:|/|\.|$)",
                   re.IGNORECASE)
_NEXT_ITEM = re.compile(r"^(?:제\s*\d+\s*조|\d{1,2}\.\s*(?!\d)\S|\((?:사업주|근로자|갑|을)\))")
_TOTAL = re.compile(r"합\s*계|총\s*액|총\s*급\s*여|급\s*여\s*총\s*액|통\s*상\s*임\s*금|\btotal\b|\bgross\b|포괄",
                    re.IGNORECASE)
_BASE = re.compile(r"기\s*본\s*급|기\s*본\s*연\s*봉|base\s+(?:salary|pay)|basic\s+(?:pay|salary)", re.IGNORECASE)
_ALLOWANCE = re.compile(r"수\s*당|식\s*대|식\s*비|보\s*조\s*비|교\s*통\s*비|allowance", re.IGNORECASE)
_EXCLUDED = re.compile(
    r"상\s*여|bonus|성\s*과|인\s*센\s*티\s*브|incentive|sign-?on|수\s*습|probation|퇴\s*직|공\s*제|"
    r"지\s*급\s*일|(?<!고정)(?<!고정적\s)(?:시\s*간\s*외|연\s*장|야\s*간|휴\s*일\s*근\s*로)|"
    r"(?<!fixed\s)overtime|night|holiday\s+work|출\s*장|경\s*비|프로젝트|deduct",
    re.IGNORECASE)
_FIXED_OVERTIME = re.compile(r"고\s*정\s*(?:연\s*장|시\s*간\s*외)|fixed\s+overtime", re.IGNORECASE)
_INCLUSIVE = re.compile(r"포괄\s*임금|포괄\s*산정|수당이?\s*포함|inclusive\s+wage|inclusive\s+of\s+overtime",
                        re.IGNORECASE)
_MAX_ANNUAL = 500_000_000
# Legal minimum hourly wage (최저임금 고시), latest year: the floor of the plausibility check.
MIN_HOURLY_WAGE_KRW = 10_320  # 2026


def minimum_annual(weekly_hours: float | None) -> float:
    """The legal minimum a year for the hours (40 h/week when unknown), with the paid weekly holiday."""
    hours = weekly_hours or 40.0
    paid = min(8.0, hours / 5) if hours >= 15 else 0.0
    return MIN_HOURLY_WAGE_KRW * (hours + paid) * 4.345 * 12
_OCR_CAP = 0.75  # an OCR'd figure that nothing confirms is never high confidence


@dataclass(frozen=True)
class Item:
    page: int
    phrase: str  # the phrase the amount was read from
    money: Money
    role: str  # total | base | allowance | main
    period: Period | None  # from the words of the phrase; None when none is written


def extract_salary(doc: Doc, weekly_hours: float | None) -> tuple[SalaryField, list[Problem]]:
    inclusive = bool(_INCLUSIVE.search(doc.text))
    sections = clause_texts(doc)
    chosen = next((c for page, text in sections if (c := _decide(_items(page, text)))), None)
    if chosen is None:
        return SalaryField(inclusive_wage=inclusive), []
    item, amount, period, parts, crossed = chosen
    guessed = period is None
    if guessed:
        period = period_by_magnitude(amount)
    annual, assumption = annualise(amount, period, weekly_hours) if period else (None, None)
    confidence, problems = _confidence(doc, item, crossed, guessed, annual, weekly_hours)
    if guessed and period:
        assumption = f"period not written; {period.value} guessed from the amount; " + (assumption or "")
    route, _ = doc.routes.get(item.page, (Route.text_layer, None))
    snippet = "\n".join(t for p, t in sections if p == item.page)[:300]
    return SalaryField(
        value=item.phrase.strip()[:120], found=True, state=FieldState.found, page=item.page, snippet=snippet,
        confidence=confidence, route=route, label=_label(item.phrase), amount_krw=amount,
        period=period, annual_krw=annual, components=parts, inclusive_wage=inclusive,
        assumption=assumption, cross_checked=crossed,
    ), problems


# ---------------------------------------------------------------- the clause
def clause_texts(doc: Doc) -> list[tuple[int, str]]:
    """(page, text) of every part of the salary clause, tables first, in reading order."""
    out: list[tuple[int, str]] = []
    pay_tables: dict[int, tuple[int, list[str]]] = {}
    for n, row in enumerate(doc.rows):
        if rows := _pay_table_row(row):
            pay_tables.setdefault(row.table, (row.page, []))[1].append(rows)
            continue
        out += _table_texts(doc, n, row)
    out = [(page, "\n".join(texts)) for page, texts in pay_tables.values()] + out
    for lines in doc.cell_lines.values():
        out += _line_sections(lines)
    out += _line_sections(doc.lines)
    if not out:  # no clause found (a garbled heading on a scan): any line naming the pay with a figure
        out = [(line.page, line.text) for line in doc.kv_lines()
               if _PAY_WORD.search(line.text) and re.search(r"\d[\d,.]{3,}", line.text)]
    seen, unique = set(), []
    for page, text in out:
        key = squash(text)
        if key and key not in seen:
            seen.add(key)
            unique.append((page, text))
    return unique


def _table_texts(doc: Doc, n: int, row: Row) -> list[tuple[int, str]]:
    """A row labelled 임금/급여/Salary: everything after the label (sub-labels such as '월 급여'
    or '기본급' included, so they bind to the amount), or the '변경 후' cell of an amendment
    table; plus the rows merged under the label ('| 자격수당 | 90,000원')."""
    for i, cell in enumerate(row.cells[:-1]):
        if not cell_pattern("salary").match(cell) or re.search(r"지\s*급\s*(?:일|방법)|date|method", cell, re.IGNORECASE):
            continue
        if after_column(row) is not None:  # an amendment table: the '변경 후' cell only
            return [(row.page, after_change(row, i))]
        texts = [" ".join(row.cells[i + 1:])]
        for below in doc.rows[n + 1:]:
            if below.table != row.table or not below.cols or below.cols[0] <= row.cols[i]:
                break
            texts.append(" ".join(below.cells))
        return [(row.page, "\n".join(texts))]
    return []


def _pay_table_row(row: Row) -> str | None:
    """A row of a pay table ('기본급 | 3,833,333 | 45,999,996' under '구분 | 월 지급액 | 연간 금액'),
    each amount prefixed with its column header so that the header's period binds to it."""
    first = row.cells[0] if row.cells else ""
    if not (_BASE.search(first) or _ALLOWANCE.search(first) or _TOTAL.search(first)) or len(row.cells) < 2:
        return None
    if not any(re.search(r"월|연|금\s*액|지\s*급\s*액|amount|month|annual|year", h, re.IGNORECASE) for h in row.header):
        return None  # not a pay table with period columns (a merged row of a labelled group)
    heads = dict(zip(row.header_cols, row.header, strict=False))
    if row.cells != row.header and heads:
        parts = [f"{first} {heads.get(col, '')} {cell}" for col, cell in zip(row.cols[1:], row.cells[1:], strict=False)]
        return "\n".join(parts)
    return f"{first} : " + " ".join(row.cells[1:])


_PAY_WORD = re.compile(r"통\s*상\s*임\s*금|임\s*금|급\s*여|연\s*봉|기\s*본\s*급|salary|wages?\b", re.IGNORECASE)
_PROSE = re.compile(r"(?:임\s*금|연\s*봉|급\s*여|보\s*수|salary|remuneration)\s*(?:은|는|을|를|is\b|shall\b|will\b).*\d",
                    re.IGNORECASE)


def _line_sections(lines: list[Line]) -> list[tuple[int, str]]:
    out = []
    for k, line in enumerate(lines):
        if not _HEAD.match(line.text) and not _PROSE.search(line.text):
            continue
        body = [line.text]
        for nxt in lines[k + 1: k + 14]:
            if nxt.page != line.page or (_NEXT_ITEM.match(nxt.text) and not re.match(r"^\d+\.\d+", nxt.text)):
                break
            body.append(nxt.text)
        out.append((line.page, "\n".join(body)))
    return out


# ---------------------------------------------------------------- phrases and items
_LIST_START = re.compile(r"^\s*(?:[-·•▪*◦]|\(?\d{1,2}[.)](?!\d)|[가-하][.)]|[①-⑳]|\d+\.\d+)")


def _phrases(text: str) -> list[str]:
    text = re.sub(r"(\d,)\s*\n\s*(\d{3})", r"\1\2", text)  # '70,\n200,000원'
    text = re.sub(r"(\d)\s*\n\s*(,\d{3})", r"\1\2", text)
    text = re.sub(r"(금\s*[영일이삼사오육륙칠팔구십백천만억\s]+)\n\s*(?=[영일이삼사오육륙칠팔구십백천만억]+\s*원)", r"\1", text)
    lines: list[str] = []
    for line in text.split("\n"):
        prev = lines[-1] if lines else ""
        wrapped = prev and not _LIST_START.match(line) and (
            prev.count("(") > prev.count(")") or re.search(r"(?:KRW|₩|,|of|:|and|\()\s*$", prev)
            or re.match(r"\s*(?:[a-z0-9]|per\b|원)", line))
        if wrapped:
            lines[-1] = prev + " " + line.strip()
        else:
            lines.append(line)
    parts = []
    for line in lines:
        parts += [p for p in re.split(r";|(?<=\))\s*,\s*(?=[가-힣A-Za-z])", line) if p.strip()]
    return parts


def _items(page: int, text: str) -> list[Item]:
    out = []
    for phrase in _phrases(text):
        notes = [(m.start(), m.end()) for m in re.finditer(r"\([^()]*[가-힣A-Za-z]{2,}[^()]*\)", phrase)]
        last_end = 0
        for money in find_amounts(phrase):
            if any(a <= money.start < b for a, b in notes):
                continue
            head = phrase[last_end: money.start]
            own = phrase[: money.start]
            last_end = money.end
            scope = head if re.search(r"[가-힣A-Za-z]{2,}", head) else own
            if _EXCLUDED.search(scope) and not _FIXED_OVERTIME.search(scope):
                continue
            if _is_old_value(phrase, money):
                continue
            role = ("total" if _TOTAL.search(scope) else "base" if _BASE.search(scope)
                    else "allowance" if _ALLOWANCE.search(scope) else "main")
            out.append(Item(page, phrase, money, role, period_near(phrase, money, scope)))
    return out


def _is_old_value(phrase: str, money: Money) -> bool:
    """The amount a change starts from: '월 3,610,000원에서 ... 로 변경', 'from KRW 4,380,000 ... to'."""
    after = phrase[money.end: money.end + 8]
    before = phrase[max(0, money.start - 12): money.start]
    return bool(re.match(r"\s*(?:원|won)?\s*에\s*서", after)
                or (re.search(r"\bfrom\s*(?:KRW|₩|won)?\s*$", before, re.IGNORECASE)
                    and re.search(r"\bto\b", phrase[money.end:], re.IGNORECASE)))


# ---------------------------------------------------------------- decision
# (item, amount, period, components, cross-checked)
Decision = tuple[Item, int, Period | None, list[SalaryComponent], bool]


def _decide(items: list[Item]) -> Decision | None:
    """(item, amount, period, components, cross-checked) or None."""
    items = [i for i in items if not i.money.ambiguous] or items
    if not items:
        return None
    totals = [i for i in items if i.role == "total"]
    bases = [i for i in items if i.role == "base"]
    if not bases and not totals and any(i.role == "allowance" for i in items):
        mains = [i for i in items if i.role == "main" and i.period in (Period.monthly, None)]
        bases = mains[:1]  # '월(일, 시간)급 : 4,420,000원' with 기타급여 '직책수당 250,000원, 식대 ...'
    if bases:
        base = bases[0]
        period = base.period or Period.monthly
        allowances = [i for i in items if i.role == "allowance" and (i.period or period) == period
                      and i.page == base.page and i.money.amount < base.money.amount]
        parts = [SalaryComponent(name=_name(i), amount_krw=i.money.amount, period=i.period or period)
                 for i in [base, *allowances]]
        total = sum(p.amount_krw for p in parts)
        same = [t for t in totals if t.money.amount == total]
        if same:
            return same[0], total, same[0].period or period, parts, True
        if not totals:
            return base, total, period, parts, len(parts) > 1 and False
    if totals:
        # '연봉총액' names the agreed annual figure; otherwise the first total
        agreed = next((t for t in totals if t.period == Period.annual and re.search(r"연\s*봉|annual", t.phrase, re.IGNORECASE)),
                      totals[0])
        crossed = any(_confirms(agreed, other) for other in items if other is not agreed)
        return agreed, agreed.money.amount, agreed.period, [], crossed
    mains = [i for i in items if i.role == "main"]
    dated = [i for i in mains if i.period is not None]
    pick = (dated or mains or items)[0]
    twin = next((i for i in mains if i is not pick and i.phrase == pick.phrase and i.money.hangul != pick.money.hangul), None)
    if twin is not None and pick.money.hangul:
        pick = Item(twin.page, twin.phrase, twin.money, twin.role, pick.period or twin.period)  # digits over Hangul numerals
    crossed = any(_confirms(pick, other) for other in items if other is not pick)
    return pick, pick.money.amount, pick.period, [], crossed


def _confirms(item: Item, other: Item) -> bool:
    a, b = item.money.amount, other.money.amount
    if a == b:
        return True
    annual = {Period.annual}
    return ((item.period == Period.monthly and other.period in annual and b in (a * 12, a * 13))
            or (item.period in annual and other.period == Period.monthly and a in (b * 12, b * 13)))


def _name(item: Item) -> str:
    head = item.phrase[: item.money.start].split(":")[0]
    name = re.sub(r"^[-·•*①-⑳\d.)\s]+|\s*(?:월|매월|KRW|₩)?\s*$", "", head, flags=re.IGNORECASE)
    return name.strip()[:30] or squash(head)[:20]


def _label(text: str) -> str | None:
    m = re.search(r"임\s*금|급\s*여|연\s*봉|월\s*급|시\s*급|기본\s*급|합\s*계|통상\s*임금|salary|payment|compensation",
                  text, re.IGNORECASE)
    return m.group(0) if m else None


def _confidence(doc: Doc, item: Item, crossed: bool, guessed: bool, annual: int | None,
                weekly_hours: float | None) -> tuple[float, list[Problem]]:
    money, problems, strength = item.money, [], 0.95
    if money.repaired and not crossed:
        strength = 0.35
        problems.append(Problem(code="salary_unclear", page=item.page,
                                message=f"the salary figure on page {item.page} has garbled digit "
                                        "grouping and nothing else in the contract confirms it; "
                                        "check the amount by hand"))
    if not money.unit:
        strength *= 0.75
    if guessed:
        strength *= 0.65
    if crossed:
        strength = max(strength, 0.97 if not money.repaired else 0.9)
    route, _ = doc.routes.get(item.page, (Route.text_layer, None))
    confidence = strength * route_factor(doc, item.page)
    if route == Route.ocr and not crossed:
        confidence = min(confidence, _OCR_CAP)
    if annual is not None and (annual > _MAX_ANNUAL or annual < minimum_annual(weekly_hours) / 2):
        confidence = min(confidence, 0.3)
        low = annual < minimum_annual(weekly_hours) / 2
        problems.append(Problem(code="salary_implausible", page=item.page, message=(
            f"the salary read on page {item.page} comes to {annual:,} KRW a year, "
            + ("below half the legal minimum wage for the stated hours" if low else "above 500,000,000 KRW")
            + "; it was probably misread (period or figure): check the amount by hand")))
    return round(min(confidence, 1.0), 3), problems
