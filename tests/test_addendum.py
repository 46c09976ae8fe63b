"""Addendum drafts: the duties' own code only, filled from the contract, sponsorship flagged."""

from __future__ import annotations

from extractors.records import ContractFields, FieldValue, SalaryField, TitleField
from matchers.addendum import draft_addendum, duty_lines
from matchers.knowledge import load_knowledge
from matchers.records import OccupationCandidate, OccupationMatch
from matchers.rules import evaluate_rules
from matchers.rules.context import RuleContext
from matchers.visa_data import load_visa_data

DEV = "결제 시스템 백엔드 API 설계 및 개발(Java/Spring Boot)\n데이터베이스 스키마 설계 및 쿼리 최적화"


def cand(code: str, score: float = 0.9) -> OccupationCandidate:
    return OccupationCandidate(code=code, name_ko=load_knowledge().unit(code).name_ko, score=score)


def contract(title="사무보조원", duties=DEV, *, monthly=4_000_000, stated="E-7-1",
             employer="주식회사 가람클라우드", employee="NGUYEN VAN AN") -> ContractFields:
    return ContractFields(
        job_title=TitleField(value=title, found=True, page=1),
        duties=FieldValue(value=duties, found=True, page=1),
        salary=SalaryField(amount_krw=monthly, period="monthly", annual_krw=monthly * 12),
        stated_visa=FieldValue(value=stated), contract_start=FieldValue(value="2026-03-02"),
        employer=FieldValue(value=employer), employee_name=FieldValue(value=employee))


def draft(fields: ContractFields, title: str, duties: str, score: float = 0.9):
    match = OccupationMatch(title_candidates=[cand(title)], duties_candidates=[cand(duties, score)])
    return draft_addendum(fields, match, evaluate_rules(fields, match)), match


def test_seed_case_draft_uses_the_duties_code_and_contract_values():
    d, _ = draft(contract(), "3142", "2223")
    assert d.code == "2223" and d.title_ko == "응용 소프트웨어 개발자"
    assert not d.change_sponsorship
    for text in (d.text_ko, d.text_en):
        assert "주식회사 가람클라우드" in text and "NGUYEN VAN AN" in text
        assert "2026-03-02" in text and "사무보조원" in text and "2223" in text
        assert "데이터베이스 스키마 설계" in text
    assert "석사" in d.text_ko and "master's" in d.text_en  # E-7 qualification reference
    assert any("실제 수행 업무" in item for item in d.hr_checklist)
    assert not any("KRW 31,120,000" in item for item in d.hr_checklist)


def test_low_salary_adds_a_wage_item_to_the_checklist():
    d, _ = draft(contract(monthly=2_000_000), "3142", "2223")
    assert any("31,120,000" in item for item in d.hr_checklist)


def test_no_title_or_sponsorship_problem_means_no_draft():
    d, _ = draft(contract("응용 소프트웨어 개발자"), "2223", "2223")
    assert d is None


def test_weak_duties_reading_gives_no_draft():
    fields = contract()
    match = OccupationMatch(title_candidates=[cand("3142")], duties_candidates=[cand("2223", 0.2)])
    conflict = evaluate_rules(contract("번역가"), OccupationMatch(
        title_candidates=[cand("2814")], duties_candidates=[cand("2223")]))
    assert draft_addendum(fields, match, conflict) is None


def test_never_inflates_the_title_beyond_the_duties():
    clerk = contract("응용 소프트웨어 개발자", "문서 정리 및 복사, 우편물 발송\n전화 응대 및 사무용품 관리")
    d, _ = draft(clerk, "2223", "3142")
    assert d.code == "3142" and "소프트웨어" not in d.title_ko
    assert d.change_sponsorship  # clerical work is not E-7: the route must change
    assert any("E-7" in item for item in d.hr_checklist[:1])


def test_e7_2_duties_under_an_e7_1_claim_change_the_sponsorship():
    hotel = contract("사무원", "호텔 프런트 체크인 응대 및 외국인 투숙객 예약 관리")
    d, _ = draft(hotel, "3127", "3922")
    assert d.change_sponsorship and d.code == "3922"
    assert "E-7-2" in d.hr_checklist[0] and "E-7-1" in d.hr_checklist[0]


def test_missing_parties_leave_blanks_to_fill():
    d, _ = draft(contract(employer=None, employee=None), "3142", "2223")
    assert "________" in d.text_ko and "________" in d.text_en


def test_unchanged_title_is_restated_not_changed():
    fields = contract("응용 소프트웨어 개발자", stated="E-7-2")
    d, _ = draft(fields, "2223", "2223")
    assert d.change_sponsorship
    assert "변경한다" not in d.text_ko.splitlines()[1]


def test_duty_lines_drop_bullets():
    assert duty_lines("1. 설계\n- 개발; ② 시험\n\n") == ["설계", "개발", "시험"]


def test_close_alternative_readings_are_listed_for_hr():
    fields = contract()
    match = OccupationMatch(title_candidates=[cand("3142")],
                            duties_candidates=[cand("2222", 0.43), cand("2223", 0.39)])
    d = draft_addendum(fields, match, evaluate_rules(fields, match))
    assert d.code == "2222"
    assert any("2223 응용 소프트웨어 개발자" in item for item in d.hr_checklist)


def test_equally_strong_reading_of_other_eligibility_gives_no_draft():
    fields = contract()
    match = OccupationMatch(title_candidates=[cand("3142")],
                            duties_candidates=[cand("2223", 0.5), cand("3142", 0.45)])
    found = evaluate_rules(fields, match)
    assert draft_addendum(fields, match, found) is None  # E-7 one would be inflation
    generic = next(f for f in found if f.rule == "generic_title")
    assert "no draft" in generic.recommendation


def test_weakly_listed_e7_title_does_not_outweigh_clerical_duties():
    clerk = contract("응용 소프트웨어 개발자", "문서 정리 및 복사, 우편물 발송\n전화 응대 및 사무용품 관리")
    match = OccupationMatch(title_candidates=[cand("2223")],
                            duties_candidates=[cand("3142", 0.8), cand("2223", 0.25)])
    ctx = RuleContext(fields=clerk, match=match, year=2026, kb=load_knowledge(),
                      visa=load_visa_data())
    assert ctx.supported_code == "3142"
    backed = match.model_copy(update={"duties_candidates": [cand("3142", 0.5), cand("2223", 0.45)]})
    ctx = RuleContext(fields=clerk, match=backed, year=2026, kb=load_knowledge(),
                      visa=load_visa_data())
    assert ctx.supported_code == "2223"  # the title's code is as strong as the best reading
