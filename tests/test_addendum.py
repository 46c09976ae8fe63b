"""Addendum drafts: the duties' own code only, filled from the contract, sponsorship flagged."""

from __future__ import annotations

import re

from extractors.records import ContractFields, FieldValue, SalaryField, TitleField
from matchers.knowledge.load import load_knowledge
from matchers.records import OccupationCandidate, OccupationMatch
from matchers.rules import evaluate_rules
from matchers.rules.addendum import draft_addendum, duty_lines
from matchers.rules.context import RuleContext
from matchers.rules.korean import UNRESOLVED
from matchers.rules.visa_data import load_visa_data

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
        assert "사무보조원" in text and "2223" in text
        assert "데이터베이스 스키마 설계" in text
    assert "2026년 3월 2일" in d.text_ko and "March 2, 2026" in d.text_en
    assert '"사무보조원"을 "응용 소프트웨어 개발자"(한국표준직업분류 2223)로 변경한다' in d.text_ko
    assert "응용 소프트웨어 개발자로서" in d.text_ko and "제5조(시행일)" in d.text_ko
    assert not UNRESOLVED.search(d.text_ko) and not any(UNRESOLVED.search(i) for i in d.hr_checklist)
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
    clerk = contract("응용 소프트웨어 개발자", "문서 정리 및 복사, 우편물 발송\n전화 응대 및 사무용품 관리",
                     stated="F-2")
    d, _ = draft(clerk, "2223", "3142")
    assert d.code == "3142" and "소프트웨어" not in d.title_ko
    assert d.change_sponsorship  # clerical work is not E-7: the route must change
    assert any("E-7" in item for item in d.hr_checklist[:1])


def test_never_retitles_an_e7_applicant_to_an_occupation_e7_does_not_admit():
    for stated in ("E-7-1", None):
        clerk = contract("응용 소프트웨어 개발자", "문서 정리 및 복사, 우편물 발송\n전화 응대 및 사무용품 관리",
                         stated=stated)
        d, _ = draft(clerk, "2223", "3142")
        assert d is None


def test_the_rank_is_never_taken_for_the_title():
    fields = contract().model_copy(update={"job_title": TitleField(rank="사원", found=True, page=1)})
    d, _ = draft(fields, "3142", "2223")
    assert d is not None and '"사원"' not in d.text_ko and '"사원"' not in d.text_en
    assert '"________"을 "응용 소프트웨어 개발자"' in d.text_ko


def test_duties_read_by_ocr_with_low_confidence_are_not_copied():
    def scanned(confidence: float) -> ContractFields:
        duties = FieldValue(value=DEV, found=True, page=1, route="ocr", confidence=confidence)
        return contract().model_copy(update={"duties": duties})

    d, _ = draft(scanned(0.79), "3142", "2223")
    assert "데이터베이스" not in d.text_ko and "데이터베이스" not in d.text_en
    assert "원본 계약서의 업무 내용을 입력하십시오" in d.text_ko
    assert "type the duties from the original" in d.text_en
    assert any("79%" in item and "type the duties" in item for item in d.hr_checklist)
    assert "데이터베이스" in draft(scanned(0.93), "3142", "2223")[0].text_ko


def test_english_only_duties_are_not_copied_into_the_korean_text():
    fields = contract(duties="Design and develop backend APIs\nOptimise database queries")
    d, _ = draft(fields, "3142", "2223")
    assert "backend" not in d.text_ko and "backend" in d.text_en
    assert "원본 계약서의 업무 내용을 입력하십시오" in d.text_ko


def test_party_names_lose_brackets_ocr_left_open():
    d, _ = draft(contract(employer="(주) 바다무역 ("), "3142", "2223")
    assert d.text_ko.startswith('(주) 바다무역(이하 "갑")과 ')


def test_korean_text_is_korean():
    d, _ = draft(contract(duties="결제 시스템 설계 및 개발\n데이터베이스 최적화"), "3142", "2223")
    latin = set(re.findall(r"[A-Za-z]+", d.text_ko)) - {"NGUYEN", "VAN", "AN", "E"}
    assert not latin, latin

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


def test_duty_lines_join_wrapped_lines_and_drop_form_furniture():
    wrapped = ("결제 시스템 백엔드 API 설계 및\n개발(Java/Spring Boot)\n데이터베이스 스키마 설계 및 쿼리 성능\n"
               "최적화\n코드 리뷰 및 단위 테스트 작성, CI/CD\n파이프라인 운영")
    assert duty_lines(wrapped) == ["결제 시스템 백엔드 API 설계 및 개발(Java/Spring Boot)",
                                   "데이터베이스 스키마 설계 및 쿼리 성능 최적화",
                                   "코드 리뷰 및 단위 테스트 작성", "CI/CD 파이프라인 운영"]
    form = "담당업무 : 웹 서비스 개발 ( √ )\n기타( ) :\n다음과 같다.\n1) 서버 개발\n   및 운영\n2) 코드 리뷰"
    assert duty_lines(form) == ["웹 서비스 개발", "서버 개발 및 운영", "코드 리뷰"]


def test_duty_lines_split_a_line_of_several_duties_but_not_a_list_of_objects():
    assert duty_lines("인바운드 관광 패키지 개발, 해외 여행사 대상 상품 설명회 진행") == [
        "인바운드 관광 패키지 개발", "해외 여행사 대상 상품 설명회 진행"]
    assert duty_lines("관광지 안내 및 통역 / 여행 일정 진행 및 고객 응대") == [
        "관광지 안내 및 통역", "여행 일정 진행 및 고객 응대"]
    one = "중국 법인과의 회의 및 출장 통역, 계약서, 제품 매뉴얼 등 한중 번역"
    assert duty_lines(one) == [one]
    assert duty_lines("웹 프론트엔드 개발(React, TypeScript)") == ["웹 프론트엔드 개발(React, TypeScript)"]
    assert duty_lines("데이터베이스 설계 및 DB 접근권한 관리(으)") == ["데이터베이스 설계 및 DB 접근권한 관리"]


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
