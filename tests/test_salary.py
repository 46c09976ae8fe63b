"""Money parsing: digits, 만원, KRW, Hangul numerals, OCR-garbled grouping, annualisation."""

from __future__ import annotations

import pytest

from extractors.fields.document import build_doc
from extractors.fields.pay import extract_salary
from extractors.fields.visa import extract_hours
from extractors.records import PageText, Period, Route
from extractors.salary import annualise, find_amounts, parse_hangul_number, period_near


@pytest.mark.parametrize(
    ("text", "value"),
    [("오천이백만", 52_000_000), ("일억이천만", 120_000_000), ("삼백오십만", 3_500_000),
     ("만이천", 12_000), ("이천육백만", 26_000_000), ("삼천백십이만", 31_120_000),
     ("일억 오백만", 105_000_000), ("3천2백만", 32_000_000), ("사과", None), ("", None)],
)
def test_hangul_numbers(text, value):
    assert parse_hangul_number(text) == value


@pytest.mark.parametrize(
    ("line", "amount", "period"),
    [("월 3,500,000원", 3_500_000, Period.monthly),
     ("연봉 금 오천이백만원정 (₩52,000,000)", 52_000_000, Period.annual),
     ("연봉 3,200만원", 32_000_000, Period.annual),
     ("KRW 48,000,000 per annum", 48_000_000, Period.annual),
     ("시급 12,000원", 12_000, Period.hourly),
     ("Base salary: KRW 3,000,000 per month", 3_000_000, Period.monthly),
     ("일급 : 200,000원", 200_000, Period.daily),
     ("매월 금액 : 3,300,000 원", 3_300_000, Period.monthly)],
)
def test_amount_and_period(line, amount, period):
    money = find_amounts(line)[0]
    assert money.amount == amount and not money.repaired
    assert period_near(line, money) == period


def test_dates_hours_and_phone_numbers_are_not_money():
    assert find_amounts("2026.03.01부터 2027.02.28까지, 09시 00분, 주 40시간, 매월 25일") == []
    assert find_amounts("전화 02-6954-0137") == []


@pytest.mark.parametrize(
    ("line", "amount", "repaired", "ambiguous"),
    [("월 3.500,000원", 3_500_000, True, False),
     ("월 33200,000원", 33_200_000, True, True),
     ("월 3,500,000.00원", 3_500_000, False, False)],
)
def test_garbled_grouping_is_flagged(line, amount, repaired, ambiguous):
    money = find_amounts(line)[0]
    assert (money.amount, money.repaired, money.ambiguous) == (amount, repaired, ambiguous)


def test_annualise_monthly_hourly_with_weekly_holiday():
    assert annualise(3_000_000, Period.monthly, None)[0] == 36_000_000
    annual, note = annualise(10_000, Period.hourly, 40)
    assert annual == round(10_000 * 48 * 4.345 * 12)
    assert "paid weekly holiday" in note
    annual, note = annualise(10_000, Period.hourly, None)
    assert "assumed" in note


def _salary(text: str, route: Route = Route.text_layer, conf: float | None = None):
    page = PageText(page=1, route=route, reason="test", confidence=conf,
                    text="근로계약서\n다음과 같이 근로계약을 체결한다.\n" + text)
    doc = build_doc([page])
    return extract_salary(doc, extract_hours(doc)[1])


def test_hangul_confirms_digits_and_repairs_garble():
    salary, problems = _salary("6. 임 금\n- 연봉 금 오천이백만원정 (₩52.000,000)")
    assert salary.annual_krw == 52_000_000 and salary.cross_checked
    assert salary.confidence >= 0.9 and not problems


def test_unconfirmed_garble_is_low_confidence_with_problem():
    salary, problems = _salary("6. 임 금\n- 월 3.500,000원")
    assert salary.amount_krw == 3_500_000
    assert salary.confidence < 0.5
    assert [p.code for p in problems] == ["salary_unclear"]


def test_ambiguous_garble_never_high_confidence():
    salary, problems = _salary("6. 임 금\n- 월 33200,000원")
    assert salary.confidence < 0.5 and problems


def test_annual_line_confirms_monthly_repair():
    salary, problems = _salary("6. 임 금\n- 월 3.500,000원\n- 연봉 환산액 42,000,000원")
    assert salary.annual_krw == 42_000_000 and salary.cross_checked and not problems


def test_components_sum_to_total():
    salary, _ = _salary("6. 임 금\n- 기본급 : 월 2,800,000원\n- 직무수당 : 월 300,000원\n"
                        "- 식대 : 월 200,000원\n- 월 합계 : 3,300,000원")
    assert salary.amount_krw == 3_300_000 and salary.annual_krw == 39_600_000
    assert [c.name for c in salary.components] == ["기본급", "직무수당", "식대"]
    assert salary.cross_checked


def test_inclusive_wage_and_hourly_assumption():
    salary, _ = _salary("4. 소정근로시간 : 주 35시간\n6. 임 금\n- 시급 12,000원 (포괄임금)")
    assert salary.inclusive_wage and salary.period == Period.hourly
    assert salary.annual_krw == round(12_000 * 42 * 4.345 * 12)
    assert "4.345" in salary.assumption


def test_ocr_salary_without_confirmation_is_capped():
    salary, _ = _salary("6. 임 금\n- 월 3,600,000원", route=Route.ocr, conf=0.95)
    assert salary.amount_krw == 3_600_000 and salary.confidence < 0.8


def test_missing_unit_and_period_guess_is_low_confidence():
    salary, _ = _salary("6. 임 금\n- 2 3,600,000H")
    assert salary.amount_krw == 3_600_000 and salary.period == Period.monthly
    assert salary.confidence < 0.8 and "guessed" in salary.assumption


def test_no_salary_stated():
    salary, problems = _salary("6. 임 금 : 회사 내규에 따름")
    assert not salary.found and salary.amount_krw is None and not problems
