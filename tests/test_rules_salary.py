"""Salary floor and F-2-7 outlook rules: annualisation, floors by year and occupation."""

from __future__ import annotations

import pytest

from extractors.records import ContractFields, FieldValue, SalaryField, TitleField
from matchers.knowledge.load import load_knowledge
from matchers.records import OccupationCandidate, OccupationMatch
from matchers.rules import evaluate_rules
from matchers.rules.context import RuleContext
from matchers.rules.salary import annual_salary
from matchers.rules.visa_data import load_visa_data

E71_FLOOR = 31_120_000
GNI_2025 = 52_416_000


def match(code: str | None) -> OccupationMatch:
    if code is None:
        return OccupationMatch()
    unit = load_knowledge().unit(code)
    c = OccupationCandidate(code=code, name_ko=unit.name_ko, score=0.9)
    return OccupationMatch(title_candidates=[c], duties_candidates=[c])


def fields(*, amount=None, period="monthly", annual=None, hours=None, stated="E-7-1",
           start="2026-04-01", assumption=None) -> ContractFields:
    return ContractFields(
        job_title=TitleField(value="직무명", found=True),
        duties=FieldValue(value="구체적인 업무 내용이 충분히 길게 적혀 있음", found=True),
        salary=SalaryField(amount_krw=amount, period=period if amount else None,
                           annual_krw=annual, assumption=assumption, found=True, page=2,
                           snippet="임금: 생략"),
        weekly_hours=hours, stated_visa=FieldValue(value=stated),
        contract_start=FieldValue(value=start))


def findings(f: ContractFields, code: str | None = "2223", **kw) -> dict:
    return {x.rule: x for x in evaluate_rules(f, match(code), **kw)}


def test_monthly_salary_under_the_e7_1_floor():
    found = findings(fields(amount=2_500_000))
    below = found["salary_below_floor"]
    assert "30,000,000" in below.message and "31,120,000" in below.message
    assert "1,120,000" in below.message_ko and "x 12" in below.message
    assert below.evidence[0].field == "salary" and below.evidence[0].page == 2


@pytest.mark.parametrize("annual, fires", [(E71_FLOOR, False), (E71_FLOOR - 1, True),
                                           (E71_FLOOR + 1, False)])
def test_salary_exactly_at_the_floor_passes(annual, fires):
    f = fields(amount=annual, period="annual", annual=annual)
    assert ("salary_below_floor" in findings(f)) is fires


def test_e7_2_occupation_uses_its_own_floor():
    hotel = "3922"  # 호텔 접수 사무원, E-7-2 floor KRW 25.89M
    ok = fields(amount=26_000_000, period="annual", annual=26_000_000, stated="E-7-2")
    low = fields(amount=25_800_000, period="annual", annual=25_800_000, stated="E-7-2")
    assert "salary_below_floor" not in findings(ok, hotel)
    assert "25,890,000" in findings(low, hotel)["salary_below_floor"].message


def test_hourly_salary_is_annualised_with_the_stated_hours():
    f = fields(amount=15_500, period="hourly", hours=20)
    found = findings(f)
    # 15,500 x (20 + 4 paid rest) h x 4.345 weeks x 12
    assert annual_salary(_ctx(f)).amount == round(15_500 * 24 * 4.345 * 12)
    message = found["salary_below_floor"].message
    assert "20 h" in message and "as stated in the contract" in message
    assert "20시간" in found["salary_below_floor"].message_ko


def test_hourly_salary_full_time_passes():
    f = fields(amount=15_500, period="hourly", hours=40)  # 15,500 x 48 x 4.345 x 12 = 38.8M
    assert "salary_below_floor" not in findings(f)


def test_hourly_salary_without_hours_states_the_assumption():
    found = findings(fields(amount=10_320, period="hourly"))
    assert "40 h/week assumed" in found["salary_below_floor"].message


def test_extractor_annualisation_is_quoted():
    f = fields(amount=2_000_000, period="monthly", annual=24_000_000,
               assumption="monthly x 12 incl. fixed allowances")
    assert "incl. fixed allowances" in findings(f)["salary_below_floor"].message


def test_gni_share_rule_of_the_occupation_overrides_the_subcategory_floor():
    # 양식기술자 (6301, E-7-3): prior-year GNI x 80% = 41,932,800 in 2026
    f = fields(amount=40_000_000, period="annual", annual=40_000_000, stated="E-7-3")
    below = findings(f, "6301")["salary_below_floor"]
    assert "41,932,800" in below.message and "2025" in below.message
    assert "70%" in below.recommendation  # the SME relaxation is named
    ok = fields(amount=42_000_000, period="annual", annual=42_000_000, stated="E-7-3")
    assert "salary_below_floor" not in findings(ok, "6301")


def test_rule_that_needs_employer_figures_is_flagged_for_manual_check():
    f = fields(amount=2_000_000, period="monthly", annual=24_000_000, stated="E-7-2")
    found = findings(f, "3991")  # 고객상담 사무원: average pay of Korean staff in the job
    assert "salary_floor_unverifiable" in found and "salary_below_floor" not in found


def test_future_year_falls_back_to_latest_figures_and_says_so():
    f = fields(amount=2_500_000, start="2031-01-05")
    below = findings(f)["salary_below_floor"]
    assert "2031" in below.recommendation and "2026" in below.recommendation


def test_explicit_year_beats_the_contract_start():
    f = fields(amount=2_500_000, start="2031-01-05")
    below = findings(f, year=2026)["salary_below_floor"]
    assert "2031" not in below.recommendation


def test_unknown_subcategory_is_checked_against_the_lowest_floor():
    low = fields(amount=2_000_000, stated="E-7")  # E-7 stated, no sub-category, no reading
    assert "25,890,000" in findings(low, None)["salary_below_floor"].message
    mid = fields(amount=2_200_000, stated="E-7")  # 26.4M: above every sub-category's floor
    assert "salary_below_floor" not in findings(mid, None)


def test_no_floor_when_nothing_puts_the_work_on_the_e7_list():
    # no occupation reading and no E-7 visa stated: a floor would be a guess, not a finding
    assert "salary_below_floor" not in findings(fields(amount=2_000_000, stated=None), None)


def test_amount_without_a_period_is_reported_not_guessed():
    f = fields(amount=3_000_000, period=None)
    found = findings(f)
    assert "missing_salary" in found and "salary_below_floor" not in found
    assert "3,000,000" in found["missing_salary"].message


def test_no_salary_gives_missing_salary_only():
    found = findings(fields())
    assert "missing_salary" in found and "salary_below_floor" not in found


# F-2-7 outlook ------------------------------------------------------------------------------

def test_e7_2_history_does_not_count_as_professional_for_f27():
    f = fields(amount=2_500_000, stated="E-7-2")
    assert "f27_professional_history" in findings(f, "3922")
    assert "f27_professional_history" not in findings(fields(amount=4_000_000), "2223")


@pytest.mark.parametrize("annual, variant_word", [(80_000_000, "supports"),
                                                  (50_000_000, "not supported")])
def test_fast_track_needs_promising_field_and_1_5_gni(annual, variant_word):
    f = fields(amount=annual, period="annual", annual=annual)
    fast = findings(f, "2223")["f27_fast_track"]
    assert variant_word in fast.message
    assert f"{round(GNI_2025 * 1.5):,}" in fast.message


def test_fast_track_high_income_outside_the_promising_fields():
    f = fields(amount=90_000_000, period="annual", annual=90_000_000)
    fast = findings(f, "2814")["f27_fast_track"]  # 번역가: professional, not a promising field
    assert "not among" in fast.message
    assert "f27_fast_track" not in findings(fields(amount=3_000_000), "5212")


@pytest.mark.parametrize("annual, points", [(100_000_000, 60), (45_000_000, 40),
                                            (30_000_000, 30), (29_000_000, 10)])
def test_income_points_band(annual, points):
    f = fields(amount=annual, period="annual", annual=annual)
    assert f"{points} of 60" in findings(f)["f27_income_points"].message


def test_income_under_the_minimum_wage_scores_nothing():
    f = fields(amount=20_000_000, period="annual", annual=20_000_000)
    assert "0 points" in findings(f)["f27_income_points"].message


def _ctx(f: ContractFields) -> RuleContext:
    return RuleContext(fields=f, match=match("2223"), year=2026, kb=load_knowledge(),
                       visa=load_visa_data())


def test_work_off_the_e7_list_has_no_e7_wage_floor():
    low = fields(amount=2_100_000, stated=None)  # 25.2M a year: under every E-7 floor
    assert "salary_below_floor" in findings(low, "2223")  # software developer: E-7-1
    assert "salary_below_floor" not in findings(low, "9210")  # warehouse work: not on the list
