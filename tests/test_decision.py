"""The matcher's occupation decision: which code the work is, from the title and duty readings."""

from __future__ import annotations

import pytest

from extractors.records import ContractFields, FieldState, FieldValue, TitleField
from matchers.knowledge.lexicon import generic_kind, names_management
from matchers.knowledge.text import unqualified
from matchers.occupation.match import (
    backs,
    bare_headed,
    decide,
    get_matcher,
    main_duty,
    match_texts,
    ranked,
    read_duties,
    title_reading,
)
from matchers.rules import evaluate_rules


def reading(*codes_scores):
    return [(code, score, []) for code, score in codes_scores]


def test_title_backed_by_the_duties_decides():
    d = match_texts("양식 조리사", None, "파스타 및 스테이크 조리, 소스 준비 및 주방 위생 관리").decision
    assert (d.code, d.basis, d.agree, d.certain) == ("4413", "title_and_duties", True, True)


def test_duties_of_another_occupation_decide():
    d = match_texts("웹 개발자", None, "호텔 프런트에서 객실 예약 접수 및 투숙객 체크인 안내").decision
    assert d.title_code == "2224" and d.agree is False and d.basis == "duties"
    assert d.code in {"3922", "4322"}


def test_boilerplate_duties_leave_the_title():
    d = match_texts("네트워크 엔지니어", None, "회사가 지시하는 업무").decision
    assert (d.code, d.basis, d.duties_code) == ("2232", "title", None)


def test_generic_title_names_no_occupation_but_confirms_its_own_group():
    clerk = match_texts("사무원", None, "사무 보조 및 문서 작성, 자료 입력").decision
    assert clerk.basis == "title_and_duties" and clerk.code == clerk.duties_code
    assert clerk.code.startswith("31")
    seed = match_texts("사무원", None, "소프트웨어 개발 및 서버 운영, 데이터베이스 설계").decision
    assert seed.title_code is None and seed.basis == "duties" and seed.code.startswith("22")


def test_backing_needs_the_title_code_near_the_duties_best():
    duties = reading(("2870", 0.86), ("2440", 0.23), ("4412", 0.2), ("4411", 0.19),
                     ("9522", 0.1), ("2592", 0.1), ("4413", 0.16))
    assert backs(duties, "4413", {"4413", "4412"})  # a 3-digit neighbour the title reads as too
    assert not backs(duties, "4413", {"4413"})  # ... not a neighbour the title does not know
    assert not backs(duties, "2224", {"2224"})  # absent from the duties' readings
    far = reading(("2855", 0.29), *[(f"99{i:02d}", 0.2) for i in range(10)], ("2854", 0.1))
    assert not backs(far, "2854", {"2854", "2855"})  # the neighbour alone does not back it
    online = reading(("5312", 1.0), ("9539", 0.12), ("5321", 0.08))
    assert not backs(online, "9539", {"9539", "5312"})  # among the best, but far behind
    assert backs(reading(("5312", 0.74), ("9539", 0.17)), "9539", {"9539"})  # a share of the best
    cabin = reading(("4311", 1.0), ("4312", 0.1), ("8731", 0.09))
    assert not backs(cabin, "4312", {"4312", "4311"})  # the neighbour is the work, not backing


def test_decide_without_readings():
    assert decide([], [], generic=False).basis == "none"
    weak = decide(reading(("2232", 0.2)), [], generic=False)
    assert weak.code == "2232" and not weak.certain
    assert decide(reading(("3127", 0.9)), [], generic=True).code is None


def test_qualified_titles_read_as_korean_writes_them():
    assert unqualified("조리사(한식)") == "한식 조리사"
    assert unqualified("번역가 (일본어)") == "일본어 번역가"
    assert unqualified("Chef (Japanese)") == "Chef (Japanese)"  # no Korean qualifier
    assert unqualified("웹 개발자") == "웹 개발자"
    assert match_texts("조리사(한식)").title_candidates[0].code == "4411"


@pytest.mark.parametrize(("title", "kind"), [("일반직 사원", "plain"), ("시니어 매니저", "manager"),
                                             ("해외영업 대리", None), ("영업 사원", None)])
def test_generic_titles_of_several_generic_words(title, kind):
    assert generic_kind(title) == kind


def _fields(title: str, duties: str) -> ContractFields:
    return ContractFields(
        job_title=TitleField(value=title, found=True, state=FieldState.found, confidence=0.95),
        duties=FieldValue(value=duties, found=True, state=FieldState.found, confidence=0.95))


def test_off_list_work_the_title_and_duties_agree_on_is_not_e7_eligible():
    fields = _fields("바리스타", "에스프레소 음료 제조 및 매장 주문 응대, 원두 재고 관리")
    match = match_texts("바리스타", None, fields.duties.value)
    found = {f.rule: f for f in evaluate_rules(fields, match)}
    assert "not_e7_eligible" in found and "4415" in found["not_e7_eligible"].message


def test_listed_work_the_title_and_duties_agree_on_gets_no_conflict():
    fields = _fields("토목 기술자", "도로 및 교량 설계, 구조 계산 검토")
    match = match_texts("토목 기술자", None, fields.duties.value)
    assert match.decision.agree and match.decision.code == "2313"
    rules = {f.rule for f in evaluate_rules(fields, match)}
    assert not rules & {"title_duties_conflict", "not_e7_eligible"}


def test_title_backed_beyond_the_shown_duty_candidates_drafts_without_error():
    # the decision says the duties back the title's 4413, which is not among the five duty
    # candidates kept on the match: the addendum's support check must not need it there
    from matchers.records import OccupationCandidate, OccupationDecision, OccupationMatch
    from matchers.rules.addendum import draft_addendum

    def cand(code, score):
        return OccupationCandidate(code=code, name_ko=code, score=score)

    fields = _fields("양식 조리사", "이탈리아 요리 조리 및 메뉴 개발, 식재료 검수")
    match = OccupationMatch(
        candidates=[cand("4413", 0.9), cand("2870", 0.5)], title_candidates=[cand("4413", 0.97)],
        duties_candidates=[cand(c, s) for c, s in (("2870", 0.86), ("2440", 0.23), ("4412", 0.2),
                                                   ("4411", 0.19), ("9522", 0.1))],
        decision=OccupationDecision(code="4413", basis="title_and_duties", title_code="4413",
                                    duties_code="2870", agree=True, certain=True))
    findings = evaluate_rules(fields, match)
    draft_addendum(fields, match, findings)  # raised ValueError (max of no candidate) before
    assert "title_duties_conflict" not in {f.rule for f in findings}


def test_english_duties_the_glossary_misses_count_when_both_readers_agree():
    """The glossary projection reads too few of these words, but the sentence encoder and the
    lexical reading both put auto-body repair among their three best: the duties decide."""
    res = match_texts(None, "Automotive Painter",
                      "repair and straighten damaged car body panels; paint and polish vehicles")
    assert res.decision.duties_code == "7510" and res.decision.code == "7510"
    vague = match_texts(None, "Engineer", "such duties as may be assigned from time to time")
    assert vague.decision.duties_code is None and vague.decision.basis == "title"


def test_close_title_readings_are_told_apart_by_the_duties():
    title = reading(("2851", 0.57), ("2852", 0.55), ("2854", 0.26))
    duties = reading(("2742", 0.89), ("2852", 0.36), ("1511", 0.29))
    d = decide(title, duties, generic=False)  # 2851 is not among the duties' readings, 2852 is
    assert (d.code, d.basis, d.title_code) == ("2852", "title_and_duties", "2852")
    far = reading(("2599", 0.74), ("2522", 0.23))  # a reading far behind the title's best ...
    d = decide(far, reading(("2522", 0.8), ("2599", 0.3)), generic=False)
    assert (d.code, d.title_code) == ("2599", "2599")  # ... is not a reading of the title


def test_a_manager_occupation_needs_a_title_that_says_manager():
    parts = {"title": {"1220": (0.3, []), "2731": (0.25, [])}, "title_en": {}}
    assert title_reading(parts, [], "해외 마케팅")[0][0] == "2731"
    assert title_reading(parts, [], "해외마케팅 팀장")[0][0] == "1220"
    en = {"title": {}, "title_en": {"1220": (0.66, []), "2854": (0.58, [])}}
    assert title_reading(en, [], None, "Campaign Designer")[0][0] == "2854"
    assert title_reading(en, [], None, "Marketing Director")[0][0] == "1220"
    assert names_management("광고홍보관리자") and names_management("Head of Sales")
    assert not names_management("Campaign Designer") and not names_management("해외 마케팅")
    d = match_texts("해외마케팅 팀장", None, "해외 마케팅팀 총괄 및 팀원 관리, 예산 수립").decision
    assert d.code == "1220"


def test_a_title_headed_by_a_bare_staff_word_leaves_the_work_to_the_duties():
    assert bare_headed("매장직원") and bare_headed("영업 사원") and bare_headed("물류팀원")
    assert not bare_headed("직원") and not bare_headed("사원") and not bare_headed("웹 개발자")
    assert not bare_headed("품질검사원") and not bare_headed("시장 조사원")  # occupations of their own
    d = match_texts("물류팀원", None, "의류 매장 판매 및 고객 응대, 재고 정리").decision
    assert (d.code, d.basis, d.title_code) == ("5212", "duties", None)
    exact = match_texts("공항귀빈실직원", None, "회사가 지시하는 업무").decision  # a dictionary title
    assert (exact.code, exact.basis) == ("3922", "title")


def test_the_first_listed_duty_is_the_main_one():
    assert main_duty("1. 한식 메뉴 조리 2. 식자재 발주 및 재고 관리") == "한식 메뉴 조리"
    assert main_duty("- 선박 도장 작업\n- 안전 교육 및 작업장 정리") == "선박 도장 작업"
    assert main_duty("가. 화물 분류 및 상하차 나. 창고 정리") == "화물 분류 및 상하차"
    assert main_duty("웹 서비스 백엔드 개발 및 운영") is None  # one duty
    assert main_duty("설계, 개발") is None  # the first says too little on its own
    shoes = "신발 디자인 및 소재 개발, 해외 바이어 미팅 지원"
    m = get_matcher()
    assert ranked(read_duties(m, shoes, main=False))[0][0] == "2742"  # the buyers, read as trade
    lead = ranked(read_duties(m, shoes))[0]
    assert lead[0] == "2852" and any("first-listed duty" in e for e in lead[2])
    crops = "토마토 재배 및 수확 관리, 병해충 방제, 농기계 운용"
    assert ranked(read_duties(m, crops))[0][0] == "6112"
    web = "웹사이트 프론트엔드 개발, 서버 운영 지원, 데이터 분석 보조"  # first and whole agree
    assert read_duties(m, web) == read_duties(m, web, main=False)


def test_the_main_duty_does_not_split_one_occupation():
    lecturer = "대학 교양 영어 회화 강의\n강의 계획서 작성 및 학생 과제·시험 평가"
    m = get_matcher()
    assert ranked(read_duties(m, "대학 교양 영어 회화 강의", main=False))[0][0] == "2541"
    assert read_duties(m, lecturer) == read_duties(m, lecturer, main=False)  # one occupation
    process = "이차전지 전해액 제조 공정 개발 및 공정 조건 최적화\n화학 공정 설계 및 공정 안전성 검토"
    assert ranked(read_duties(m, process))[0][0] == "2321"  # not the operator its first line reads as
    display = "Design display driver circuits\nSimulate electronic circuits and verify PCB designs"
    assert ranked(read_duties(m, "Design display driver circuits", main=False))[0][0] == "2853"
    assert ranked(read_duties(m, display))[0][0] == "2342"  # the encoder reads circuits, not exhibits
