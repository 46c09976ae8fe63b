"""How contracts write pay: Korean and English phrasings, Hangul numerals."""

from __future__ import annotations

from .spec import ContractSpec, Salary

DIGITS = "영일이삼사오육칠팔구"
SMALL_UNITS = ((1000, "천"), (100, "백"), (10, "십"))
BIG_UNITS = ((10**8, "억"), (10**4, "만"))


def _group(n: int) -> str:
    """Hangul for 0 < n < 10000, with the customary dropped 일 before 천/백/십."""
    out = []
    for unit, name in SMALL_UNITS:
        d, n = divmod(n, unit)
        if d:
            out.append(("" if d == 1 else DIGITS[d]) + name)
    if n:
        out.append(DIGITS[n])
    return "".join(out)


def hangul_amount(n: int) -> str:
    """52000000 -> '오천이백만' (as written after 금 on contracts)."""
    out = []
    for unit, name in BIG_UNITS:
        d, n = divmod(n, unit)
        if d:
            out.append(_group(d) + name)
    if n:
        out.append(_group(n))
    return "".join(out) or "영"


def won(n: int) -> str:
    return f"{n:,}원"


def salary_lines_ko(spec: ContractSpec) -> list[str]:
    """Salary as a Korean contract writes it, one or more lines."""
    s = spec.salary
    if s.amount_krw is None:
        return ["회사 내규에 따름"]
    if s.style == "components":
        lines = [f"{name} : 월 {won(amount)}" for name, amount in s.components]
        return [*lines, f"월 합계 : {won(s.amount_krw)}"]
    return [_one_line_ko(s)]


def _one_line_ko(s: Salary) -> str:
    a = s.amount_krw
    if s.style == "annual_hangul":
        return f"연봉 금 {hangul_amount(a)}원정 (₩{a:,})"
    if s.style == "manwon":
        return f"연봉 {a // 10_000:,}만원"
    if s.style == "krw_en":
        return f"KRW {a:,} per annum"
    if s.style == "hourly":
        return f"시급 {won(a)}"
    if s.style == "inclusive":
        return f"월 {won(a)} (연장·야간·휴일근로수당을 포함한 포괄임금)"
    return f"월 {won(a)}"


def salary_lines_en(spec: ContractSpec) -> list[str]:
    """Salary as an English offer letter writes it."""
    s = spec.salary
    a = s.amount_krw
    if a is None:
        return ["As per company policy"]
    if s.style == "components":
        names = {"기본급": "Base salary", "직무수당": "Job allowance", "식대": "Meal allowance"}
        lines = [f"{names[n]}: KRW {v:,} per month" for n, v in s.components]
        return [*lines, f"Total: KRW {a:,} per month"]
    if s.period == "annual":
        return [f"KRW {a:,} per annum"]
    if s.period == "hourly":
        return [f"KRW {a:,} per hour"]
    extra = " (inclusive of overtime, night and holiday pay)" if s.inclusive else ""
    return [f"KRW {a:,} per month{extra}"]
