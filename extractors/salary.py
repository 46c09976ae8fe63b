"""Money in contract text: digits, 만원, ₩/KRW, Hangul numerals (오천이백만원정) and OCR-garbled groups."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.records import Period

HANGUL_DIGITS = {"영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6,
                 "칠": 7, "팔": 8, "구": 9}
SMALL_UNITS = {"십": 10, "백": 100, "천": 1000}
BIG_UNITS = {"만": 10**4, "억": 10**8, "조": 10**12}
_HANGUL_CHARS = "".join([*HANGUL_DIGITS, *SMALL_UNITS, *BIG_UNITS])

_HANGUL_AMOUNT = re.compile(rf"(?:금\s*)?([{_HANGUL_CHARS}\s]{{2,}}?)\s*원\s*정?")
_NUMBER = re.compile(
    r"(?P<pre>₩|\\|KRW|krw|금)?\s*"
    r"(?P<num>(?<![\d.,])\d[\d,.]*\d(?![\d])|(?<![\d.,])\d(?![\d.,]))"
    r"\s*(?P<unit>만\s*원|만|천\s*원|원|won|KRW)?",
)
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")
# Period words bound to an amount (spaced syllables allowed: OCR and letter-spaced forms).
_PERIOD_WORDS = (
    (Period.hourly, re.compile(r"시\s*급|시\s*간\s*급|시\s*간\s*당|per\s+hour|hourly|/\s*h(?:ou)?r", re.IGNORECASE)),
    (Period.daily, re.compile(r"일\s*급|일\s*당|per\s+day|daily", re.IGNORECASE)),
    (Period.weekly, re.compile(r"주\s*급|per\s+week|weekly", re.IGNORECASE)),
    (Period.annual, re.compile(r"연\s*봉|연\s*간|년\s*봉|연\s*액|(?<![가-힣])연(?=\s|$)|per\s+(?:annum|year)|"
                               r"annual(?:ly)?|yearly|a\s+year|/\s*년", re.IGNORECASE)),
    (Period.monthly, re.compile(r"월|per\s+month|monthly|a\s+month|/\s*월", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Money:
    """One amount read from a line."""

    amount: int  # KRW as read (after a confirmed or tentative repair)
    start: int  # span of the amount in the line
    end: int
    hangul: bool = False  # written in Hangul numerals
    unit: bool = True  # a currency marker (원, ₩, KRW, 만원) was next to it
    repaired: bool = False  # digit grouping was garbled and repaired by rule
    ambiguous: bool = False  # digit grouping garbled beyond a unique repair


def parse_hangul_number(text: str) -> int | None:
    """'오천이백만' -> 52000000, '일억 이천만' -> 120000000, '만이천' -> 12000; None if not a number."""
    text = re.sub(r"\s+", "", text)
    if not text or any(ch not in _HANGUL_CHARS and not ch.isdigit() for ch in text):
        return None
    total = section = 0
    num = ""
    for ch in text:
        if ch.isdigit() or ch in HANGUL_DIGITS:
            num += ch if ch.isdigit() else str(HANGUL_DIGITS[ch])
        elif ch in SMALL_UNITS:
            section += (int(num) if num else 1) * SMALL_UNITS[ch]
            num = ""
        else:
            section += int(num) if num else 0
            total += (section or 1) * BIG_UNITS[ch]
            section, num = 0, ""
    value = total + section + (int(num) if num else 0)
    return value or None


def _repair(num: str) -> tuple[int, bool, bool]:
    """(value, repaired, ambiguous) for a digit token; '3.500,000' -> 3500000 repaired."""
    num = re.sub(r"[.,]\d{2}$", "", num) if re.search(r",\d{3}[.,]\d{2}$", num) else num
    if _GROUPED.match(num) or num.isdigit():
        return int(num.replace(",", "")), False, False
    as_commas = num.replace(".", ",")
    if _GROUPED.match(as_commas):
        return int(as_commas.replace(",", "")), True, False
    return int(re.sub(r"\D", "", num)), True, True


def _unit_factor(unit: str | None) -> int:
    if not unit:
        return 1
    unit = unit.replace(" ", "")
    return 10_000 if unit.startswith("만") else 1000 if unit.startswith("천") else 1


def find_amounts(line: str) -> list[Money]:
    """Every money amount on a line; bare numbers only when grouped like money (>= 10,000)."""
    read = [_hangul_money(m) for m in _HANGUL_AMOUNT.finditer(line)]
    found = [m for m in read if m is not None]
    for m in _NUMBER.finditer(line):
        money = _digit_money(m)
        if money and not any(h.start <= money.start < h.end for h in found):
            found.append(money)
    return sorted(found, key=lambda x: x.start)


def _hangul_money(m: re.Match[str]) -> Money | None:
    value = parse_hangul_number(m.group(1))
    if value is None or value < 1000:
        return None
    return Money(value, m.start(), m.end(), hangul=True)


def _digit_money(m: re.Match[str]) -> Money | None:
    num, unit, pre = m.group("num"), m.group("unit"), m.group("pre")
    if re.fullmatch(r"\d{2,4}[.]\d{1,2}([.]\d{1,2})?", num):
        return None  # a date like 2026.03 or 2026.3.1
    value, repaired, ambiguous = _repair(num)
    value *= _unit_factor(unit)
    has_unit = bool(unit or pre and pre != "금")
    if not has_unit and (value < 10_000 or not (_GROUPED.match(num) or repaired)):
        return None
    return Money(value, m.start("num"), m.end(), unit=has_unit, repaired=repaired,
                 ambiguous=ambiguous)


def period_near(line: str, money: Money, before: str | None = None) -> Period | None:
    """Period keyword right after the amount ('per annum', '원 (월)') or the nearest one before
    it, in `before` (the words of the amount's own phrase; default: the line up to it)."""
    after = line[money.end: money.end + 20]
    for period, pattern in _PERIOD_WORDS:
        if re.match(r"\s*(?:원|won|KRW)?\s*\(?\s*(?:" + pattern.pattern + ")", after, re.IGNORECASE):
            return period
    before = line[: money.start] if before is None else before
    best: tuple[int, Period] | None = None
    for period, pattern in _PERIOD_WORDS:
        for hit in pattern.finditer(before):
            if best is None or hit.start() > best[0]:
                best = (hit.start(), period)
    return best[1] if best else None


def period_by_magnitude(amount: int) -> Period | None:
    """Guess a period from the size of the amount (used only with low confidence)."""
    if amount < 100_000:
        return Period.hourly
    if 1_000_000 <= amount < 15_000_000:
        return Period.monthly
    if amount >= 15_000_000:
        return Period.annual
    return None


def annualise(amount: int, period: Period, weekly_hours: float | None) -> tuple[int, str | None]:
    """Annual KRW and the assumption used (Korean practice: 주휴 paid weekly holiday for hourly)."""
    if period == Period.annual:
        return amount, None
    if period == Period.monthly:
        return amount * 12, "monthly amount x 12"
    hours = weekly_hours or 40.0
    note = "" if weekly_hours else "; 40 h/week assumed (no weekly hours stated)"
    if period == Period.hourly:
        paid = min(8.0, hours / 5) if hours >= 15 else 0.0
        annual = round(amount * (hours + paid) * 4.345 * 12)
        return annual, (f"hourly x ({hours:g} h + {paid:g} h paid weekly holiday) x 4.345 weeks"
                        f" x 12 months{note}")
    if period == Period.daily:
        return round(amount * (hours / 8 + 1) * 4.345 * 12), f"daily x (5 days + 1 paid day) x 4.345 x 12{note}"
    return round(amount * 4.345 * 12), "weekly x 4.345 x 12"
