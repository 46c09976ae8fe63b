"""Visa rules on title, duties, E-7 list and missing items, with candidates built by hand."""

from __future__ import annotations

import pytest

from extractors.records import ContractFields, FieldValue, SalaryField, TitleField
from matchers.knowledge.lexicon import generic_kind
from matchers.knowledge.load import load_knowledge
from matchers.records import OccupationCandidate, OccupationDecision, OccupationMatch, Severity
from matchers.rules import RULES, evaluate_rules, format_rules_table, rules_markdown
from matchers.rules.duties import informative_size
from matchers.rules.e7 import excluded_terms
from matchers.rules.spec import texts
from matchers.rules.table import DOC_PATH

DEV_DUTIES = "결제 시스템 백엔드 API 설계 및 개발(Java/Spring Boot), 데이터베이스 스키마 설계"
SALES_MGR_DUTIES = "동남아시아 지역 해외영업 조직 관리 및 매출 목표 수립, 수출 계약 협상 총괄"


def cand(code: str, score: float = 0.8) -> OccupationCandidate:
    unit = load_knowledge().unit(code)
    return OccupationCandidate(code=code, name_ko=unit.name_ko if unit else code, score=score)


def cands(spec) -> list[OccupationCandidate]:
    """'2223' or ['2223', ('2222', 0.5)] -> candidates, best first."""
    items = [spec] if isinstance(spec, str) else (spec or [])
    return [cand(i) if isinstance(i, str) else cand(*i) for i in items]


def occ(title=None, duties=None, title_en=None) -> OccupationMatch:
    return OccupationMatch(title_candidates=cands(title), duties_candidates=cands(duties),
                           title_en_candidates=cands(title_en))


def contract(title="응용 소프트웨어 개발자", title_en=None, duties=DEV_DUTIES, *, rank=None,
             monthly=4_000_000, stated="E-7-1", start="2026-03-02") -> ContractFields:
    salary = SalaryField(amount_krw=monthly, period="monthly", annual_krw=monthly * 12,
                         found=True, page=2) if monthly else SalaryField()
    return ContractFields(
        job_title=TitleField(value=title, value_en=title_en, rank=rank, found=bool(title),
                             page=1, snippet=f"직위: {title}"),
        duties=FieldValue(value=duties, found=bool(duties), page=1),
        salary=salary, stated_visa=FieldValue(value=stated, found=bool(stated)),
        contract_start=FieldValue(value=start, found=True))


def rules_of(fields: ContractFields, match: OccupationMatch) -> set[str]:
    return {f.rule for f in evaluate_rules(fields, match)}


# generic_title ------------------------------------------------------------------------------

def test_seed_case_office_assistant_doing_software_is_generic_title():
    found = evaluate_rules(contract("사무보조원", "Office Assistant"),
                           occ(title="3142", duties=["2223", ("2222", 0.6)]))
    rules = [f.rule for f in found]
    assert "generic_title" in rules
    assert "title_duties_conflict" not in rules  # one problem, one finding
    generic = next(f for f in found if f.rule == "generic_title")
    assert generic.severity is Severity.high
    assert "2223" in generic.message and "응용 소프트웨어 개발자" in generic.message_ko
    assert {e.field for e in generic.evidence} == {"job_title", "duties"}
    assert generic.recommendation and generic.recommendation_ko


@pytest.mark.parametrize("title, title_en", [
    ("사원", None), ("직원", "Employee"), ("팀원", "Team Member"), (None, "Staff"),
    ("인턴", "Intern"), (None, "Senior Staff"), ("신입 사원", None), ("Office Assistant", None),
])
def test_generic_titles_on_professional_duties(title, title_en):
    assert "generic_title" in rules_of(contract(title, title_en), occ(duties="2223"))


def test_rank_stated_alone_counts_as_generic_title():
    fields = contract(None, rank="대리")
    rules = rules_of(fields, occ(duties="2223"))
    assert "generic_title" in rules and "missing_title" not in rules


def test_manager_who_really_manages_is_not_generic():
    assert "generic_title" not in rules_of(contract("매니저", "Manager", SALES_MGR_DUTIES),
                                           occ(duties="1511"))
    # management duties even when the duty code is a professional one
    assert "generic_title" not in rules_of(contract("매니저", None, SALES_MGR_DUTIES),
                                           occ(duties="2742"))


def test_manager_title_on_developer_duties_is_generic():
    assert "generic_title" in rules_of(contract("매니저", "Manager"), occ(duties="2223"))


def test_researcher_title_is_generic_only_outside_science_research():
    assert "generic_title" not in rules_of(contract("연구원"), occ(duties="2112"))
    assert "generic_title" in rules_of(contract("연구원"), occ(duties="2223"))


@pytest.mark.parametrize("title", ["응용 소프트웨어 개발자", "Staff Engineer", "사원 (소프트웨어 개발)"])
def test_specific_titles_are_not_generic(title):
    assert generic_kind(title) is None


def test_generic_title_needs_professional_duties():
    shop = contract("직원", duties="매장 상품 진열 및 고객 응대, 계산 및 재고 정리")
    assert "generic_title" not in rules_of(shop, occ(duties="5212"))
    weak = occ(duties=[("2223", 0.2)])
    assert "generic_title" not in rules_of(contract("직원"), weak)


def test_professional_reading_from_a_spread_of_professional_candidates():
    spread = occ(duties=[("2222", 0.40), ("2361", 0.39), ("2231", 0.38), ("3921", 0.1)])
    assert "generic_title" in rules_of(contract("사원"), spread)


# title_duties_conflict ----------------------------------------------------------------------

def test_title_of_another_group_conflicts_with_duties():
    found = evaluate_rules(contract("번역가"), occ(title="2814", duties="2223"))
    conflict = [f for f in found if f.rule == "title_duties_conflict"]
    assert len(conflict) == 1
    assert "2814" in conflict[0].message and "2223" in conflict[0].message
    assert conflict[0].severity is Severity.high


def test_same_group_same_e7_status_is_no_conflict():
    assert "title_duties_conflict" not in rules_of(contract("웹 개발자"),
                                                   occ(title="2224", duties="2223"))


def test_same_group_different_e7_status_conflicts():
    # 2241 정보 시스템 운영자 is not on the E-7 list; 2222 is E-7-1
    assert "title_duties_conflict" in rules_of(contract("정보 시스템 운영자"),
                                               occ(title="2241", duties="2222"))


def test_ambiguous_title_reading_is_no_conflict():
    title = ["1350", ("2211", 0.5)]  # the duty code is the title's runner-up
    assert "title_duties_conflict" not in rules_of(contract("하드웨어 연구원"),
                                                   occ(title=title, duties="2211"))


def test_weak_duty_reading_is_no_conflict():
    weak = occ(title="2814", duties=[("2223", 0.3), ("3921", 0.29), ("9221", 0.28)])
    assert "title_duties_conflict" not in rules_of(contract("번역가"), weak)


# language -----------------------------------------------------------------------------------

def test_english_only_title_asks_for_korean_title():
    found = evaluate_rules(contract(None, "Software Engineer"), occ(title_en="2223", duties="2223"))
    missing = [f for f in found if f.rule == "missing_korean_title"]
    assert missing and "응용 소프트웨어 개발자" in missing[0].recommendation_ko
    assert "missing_korean_title" not in rules_of(contract("응용 소프트웨어 개발자"),
                                                  occ(duties="2223"))


def test_korean_and_english_titles_in_different_groups_disagree():
    fields = contract("번역가", "Software Engineer")
    assert "title_language_disagreement" in rules_of(
        fields, occ(title="2814", title_en="2223", duties="2814"))
    same = contract("웹 개발자", "Software Engineer")
    assert "title_language_disagreement" not in rules_of(
        same, occ(title="2224", title_en="2223", duties="2224"))


# vague_duties -------------------------------------------------------------------------------

@pytest.mark.parametrize("duties", [
    "회사가 지시하는 업무 일체", "기타 업무", "All duties assigned by the company",
    "Other duties as assigned", "상사가 지시하는 업무 및 기타 업무", "업무 전반", "영업",
])
def test_boilerplate_duties_are_vague(duties):
    assert "vague_duties" in rules_of(contract(duties=duties), occ(title="2223"))


@pytest.mark.parametrize("duties", [
    DEV_DUTIES, "소프트웨어 개발 및 기타 회사가 지시하는 업무",
    "Design and develop payment backend APIs", "한국어-베트남어 기술문서 번역 및 감수",
])
def test_specific_duties_are_not_vague(duties):
    assert informative_size(duties) >= 6
    assert "vague_duties" not in rules_of(contract(duties=duties), occ(title="2223"))


# missing items ------------------------------------------------------------------------------

def test_an_empty_contract_gives_missing_findings_not_a_crash():
    found = evaluate_rules(ContractFields(), OccupationMatch())
    assert {f.rule for f in found} == {"missing_title", "missing_duties", "missing_salary"}
    assert all(f.evidence and f.evidence[0].page is None for f in found)


def test_missing_salary_is_high():
    found = evaluate_rules(contract(monthly=None), occ(title="2223", duties="2223"))
    assert [f.severity for f in found if f.rule == "missing_salary"] == [Severity.high]


# E-7 list -----------------------------------------------------------------------------------

def test_duties_off_the_e7_list():
    shop = contract("매장 판매원", duties="매장 상품 진열 및 고객 응대, 계산 및 재고 정리")
    found = evaluate_rules(shop, occ(title="5212", duties="5212"))
    assert "not_e7_eligible" in {f.rule for f in found}
    assert "not_e7_eligible" not in rules_of(contract(), occ(title="2223", duties="2223"))


def test_not_eligible_but_high_income_points_to_e7_s1():
    rich = contract("매장 판매원", duties="명품 매장 운영 및 VIP 고객 관리", monthly=15_000_000)
    found = evaluate_rules(rich, occ(title="5212", duties="5212"))
    finding = next(f for f in found if f.rule == "not_e7_eligible")
    assert "E-7-S1" in finding.message and "E-7-S1" in finding.message_ko


@pytest.mark.parametrize("stated, fires", [("E-7-1", True), ("E-7-2", False), ("E72", False),
                                           ("E 7 1", True), (None, False)])
def test_stated_subcategory_against_duties(stated, fires):
    hotel = contract("호텔 접수 사무원", duties="호텔 프런트 체크인 응대 및 외국인 투숙객 예약 관리",
                     stated=stated)
    assert ("wrong_subcategory" in rules_of(hotel, occ(title="3922", duties="3922"))) is fires


def test_stated_subcategory_against_the_decided_work():
    """The title's code counts when the duties back it, not the duties' best reading alone."""
    inn = contract("숙박시설 관리자", duties="객실 운영 관리 및 숙박객 응대, 직원 근무 관리")
    match = occ(title="1521", duties=["3922", ("1521", 0.5)])
    assert "wrong_subcategory" in rules_of(inn, match)  # the duties' best is E-7-2 reception
    decided = match.model_copy(update={"decision": OccupationDecision(
        code="1521", basis="title_and_duties", title_code="1521", duties_code="3922", agree=True,
        certain=True)})
    assert "wrong_subcategory" not in rules_of(inn, decided)  # the work is 1521, E-7-1 as stated


@pytest.mark.parametrize("title", ["영업소장", "영업 소장", "영업소장 (Branch Head)"])
def test_excluded_example_in_title_ignores_spacing(title):
    fields = contract(title, duties="영업소 운영 및 지역 판매 직원 관리, 매출 관리")
    assert "excluded_example" in rules_of(fields, occ(title="1511", duties="1511"))


def test_sales_manager_title_is_not_excluded():
    fields = contract("영업 관리자", duties=SALES_MGR_DUTIES)
    assert "excluded_example" not in rules_of(fields, occ(title="1511", duties="1511"))


def test_excluded_code_printed_with_the_example():
    cook = contract("조리사", duties="한식 메뉴 조리 및 식재료 손질", stated="E-7-2")
    found = evaluate_rules(cook, occ(title="4411", duties="4411"))
    assert "excluded_example" in {f.rule for f in found}


def test_excluded_word_inside_real_nurse_duties_is_not_excluded():
    nurse = contract("간호사", duties="병동 환자 간호 및 투약, 간호조무사 업무 지도")
    assert "excluded_example" not in rules_of(nurse, occ(title="2430", duties="2430"))
    aide = contract("간호조무사", duties="진료 준비 및 환자 보조")
    assert "excluded_example" in rules_of(aide, occ(title="2465", duties="2465"))


def test_excluded_terms_are_spelled_out():
    kb = load_knowledge()
    cooks = next(o for o in kb.e7_occupations if o.name_ko == "주방장 및 조리사")
    names, codes = excluded_terms(cooks)
    assert {"한식조리사", "한식주방장", "분식조리사", "커피조리사"} <= names
    assert {"4411", "4415", "4419"} <= codes


# table, ordering, texts ---------------------------------------------------------------------

def test_findings_come_most_severe_first():
    found = evaluate_rules(contract("사원", None, monthly=2_000_000, stated="E-7-2"),
                           occ(duties="2223"))
    order = {Severity.high: 0, Severity.medium: 1, Severity.low: 2}
    ranks = [order[f.severity] for f in found]
    assert ranks == sorted(ranks) and len(found) >= 3


def test_rules_table_is_complete_and_documented():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    required = {"generic_title", "title_duties_conflict", "not_e7_eligible", "wrong_subcategory",
                "excluded_example", "vague_duties", "missing_korean_title",
                "title_language_disagreement", "salary_below_floor", "missing_salary",
                "missing_duties", "missing_title", "f27_professional_history", "f27_fast_track",
                "f27_income_points"}
    assert required <= set(ids)
    assert all(r.source and r.description for r in RULES)
    assert set(texts()) - {"phrases"} == set(ids)
    table = format_rules_table()
    assert all(i in table for i in ids)


def test_rules_doc_is_current():
    assert DOC_PATH.read_text(encoding="utf-8") == rules_markdown(), \
        "regenerate: .venv/bin/python -m matchers.rules"


# robustness against noisy duty readings ----------------------------------------------------

def test_title_code_listed_by_the_duties_is_no_conflict():
    duties = ["2851", ("2352", 0.4), ("2351", 0.3)]  # the title's code is a lower duty candidate
    assert "title_duties_conflict" not in rules_of(contract("기계공학 기술자"),
                                                   occ(title="2351", duties=duties))


def test_same_group_needs_a_strong_duty_reading_to_conflict():
    weak = occ(title="2742", duties=[("2714", 0.36), ("2735", 0.2), ("2732", 0.18)])
    assert "title_duties_conflict" not in rules_of(contract("해외 영업원"), weak)


def test_unreadable_english_duties_give_no_duty_reading():
    # English duties count only when the glossary projection reads most of their words
    english = contract("사원", duties="Liaise with stakeholders on OKRs and KPIs via Jira and Confluence")
    assert "generic_title" not in rules_of(english, occ(title="3127", duties="2112"))
    readable = contract("사원", duties="Design and develop payment backend APIs with Java")
    assert "generic_title" in rules_of(readable, occ(title="3127", duties="2223"))


def test_vague_duties_ignore_whatever_the_matcher_read():
    found = rules_of(contract("데이터 분석가", duties="사무 업무"), occ(title="2231", duties="3141"))
    assert "vague_duties" in found
    assert not found & {"title_duties_conflict", "not_e7_eligible"}


def test_not_eligible_waits_for_an_equally_strong_e7_reading():
    close = occ(title="2233", duties=[("2239", 0.84), ("2233", 0.78)])
    assert "not_e7_eligible" not in rules_of(contract("정보보안 전문가"), close)


def test_e7_title_backed_by_the_duties_keeps_the_job_eligible():
    nurse = occ(title="2430", duties=[("2465", 0.52), ("4219", 0.39), ("2430", 0.27)])
    assert "not_e7_eligible" not in rules_of(contract("간호사", duties="병동 환자 간호 및 투약 관리"),
                                             nurse)


def test_specific_non_e7_title_outweighs_a_close_e7_duty_candidate():
    shop = occ(title=[("5321", 0.33)], duties=[("9539", 0.51), ("5211", 0.48), ("1511", 0.47)])
    fields = contract("매장 판매원", duties="매장 상품 진열 및 고객 응대, 계산 및 재고 정리")
    assert "not_e7_eligible" in rules_of(fields, shop)
