"""How the rules read uncertain duty readings: margins, group-level readings, the title's code
among the duties' best readings, professional work whose exact code is unclear, and differences
between two non-E-7 readings. Candidates are built by hand (see tests/test_rules.py)."""

from __future__ import annotations

from matchers.records import Severity
from matchers.rules import evaluate_rules
from tests.test_rules import SALES_MGR_DUTIES, contract, occ, rules_of

WEB_DUTIES = "React 기반 웹 프론트엔드 화면 개발, 웹 서비스 반응형 UI 구현 및 유지보수"
HOTEL_DUTIES = "호텔 프런트 체크인·체크아웃 및 외국인 투숙객 응대, 객실 예약 관리 및 투숙객 요청 처리"
TRUCK_DUTIES = "화물 트럭 운전 및 물류센터 간 운송, 차량 일상 점검 및 운행 일지 작성"
SALES_DUTIES = "해외 바이어 발굴 및 수출 상담, 수출 계약 조건 협상 및 해외 전시회 참가"
SCIENCE_DUTIES = "대기 중 미세먼지 시료 채취 및 화학 성분 분석, 대기 질 관측 자료 해석 및 연구 논문 작성"
PHONE_SALES = "전화를 통한 보험 상품 판매, 고객 유치 및 상담 기록 관리"
SCATTERED = [("2592", 0.13), ("2374", 0.11), ("2321", 0.09), ("2351", 0.09), ("2511", 0.09)]


# a best duty reading clearly ahead of the runner-up is confident -----------------------------

def test_reading_clearly_ahead_is_confident():
    fields = contract("화물차 운전원", duties=TRUCK_DUTIES)
    match = occ(title=[("8733", 0.95)], duties=[
        ("9210", 0.30), ("8740", 0.17), ("3123", 0.15), ("8739", 0.15), ("8733", 0.13)])
    assert "not_e7_eligible" in rules_of(fields, match)  # neither strong nor group-backed


def test_reading_without_margin_or_group_is_not_confident():
    fields = contract("화물차 운전원", duties=TRUCK_DUTIES)
    match = occ(title=[("8733", 0.95)], duties=[
        ("9210", 0.30), ("8740", 0.22), ("3123", 0.21), ("8739", 0.15), ("8733", 0.13)])
    assert "not_e7_eligible" not in rules_of(fields, match)  # 0.08 ahead: borderline, no reading


def test_not_e7_eligible_never_names_an_e7_code():
    """A specific non-E-7 title does not turn an E-7 duty reading into 'not on the E-7 list'."""
    fields = contract("인문과학 연구원", duties="반도체 검사장비 회로 설계 및 검증, 하드웨어 시험")
    match = occ(title=[("2121", 0.9)], duties=[("2342", 0.65), ("2211", 0.24)])
    assert "not_e7_eligible" not in rules_of(fields, match)


# the title's code among the duties' best three readings backs the title ---------------------

def test_title_code_third_among_duty_readings_is_no_high_finding():
    """호텔프런트사무원 is filed under 3922 and 4322: the duties read 4322 first, 3922 third."""
    fields = contract("호텔 접수 사무원", duties=HOTEL_DUTIES, stated="E-7-2")
    match = occ(title=[("3922", 0.67)], duties=[("4322", 0.65), ("1521", 0.16), ("3922", 0.14)])
    found = evaluate_rules(fields, match)
    assert not [f for f in found if f.severity is Severity.high]
    review = [f for f in found if f.rule == "title_duties_review"]
    assert review and review[0].severity is Severity.low and "4322" in review[0].message


def test_title_code_absent_from_duty_readings_conflicts():
    fields = contract("호텔 접수 사무원", duties=HOTEL_DUTIES, stated="E-7-2")
    match = occ(title=[("3922", 0.67)],
                duties=[("4322", 0.65), ("1521", 0.16), ("9411", 0.10), ("2732", 0.09)])
    rules = rules_of(fields, match)
    assert "title_duties_conflict" in rules and "title_duties_review" not in rules


def test_title_code_fourth_is_not_enough():
    fields = contract("호텔 접수 사무원", duties=HOTEL_DUTIES, stated="E-7-2")
    match = occ(title=[("3922", 0.67)],
                duties=[("4322", 0.65), ("1521", 0.16), ("2732", 0.15), ("3922", 0.14)])
    assert "title_duties_conflict" in rules_of(fields, match)


# no single code stands out: compare the leading 2-digit group -------------------------------

def test_leading_group_of_other_occupation_conflicts():
    """Web development duties read as 22xx codes overall, though a design code is first."""
    fields = contract("시각 디자이너", duties=WEB_DUTIES)
    match = occ(title=[("2854", 0.90)], duties=[
        ("2855", 0.29), ("2222", 0.27), ("2224", 0.25), ("2731", 0.20), ("2352", 0.20)])
    found = [f for f in evaluate_rules(fields, match) if f.rule == "title_duties_conflict"]
    assert found and "2222" in found[0].message


def test_group_reading_needs_the_mass_of_one_strong_reading():
    fields = contract("시각 디자이너", duties=WEB_DUTIES)
    match = occ(title=[("2854", 0.90)], duties=[
        ("2855", 0.13), ("2222", 0.12), ("2224", 0.11), ("2731", 0.09), ("2352", 0.09)])
    assert "title_duties_conflict" not in rules_of(fields, match)


def test_leading_group_of_the_title_is_no_conflict():
    fields = contract("시각 디자이너", duties=WEB_DUTIES)
    match = occ(title=[("2854", 0.90)], duties=[
        ("2855", 0.29), ("2222", 0.27), ("2853", 0.25), ("2852", 0.20)])
    rules = rules_of(fields, match)
    assert "title_duties_conflict" not in rules and "title_duties_review" not in rules


# two non-E-7 readings: a low review note, not a high conflict -------------------------------

def test_two_non_e7_readings_give_a_review_note():
    fields = contract("텔레마케터", duties=PHONE_SALES, stated="E-7-2")
    match = occ(title=[("5313", 0.96)], duties=[("5212", 0.58), ("2733", 0.17), ("5103", 0.15)])
    found = {f.rule: f for f in evaluate_rules(fields, match)}
    assert "title_duties_conflict" not in found
    assert found["title_duties_review"].severity is Severity.low


def test_e7_title_against_non_e7_duties_stays_high():
    fields = contract("번역가", duties=PHONE_SALES)
    match = occ(title=[("2814", 0.95)], duties=[("5212", 0.58), ("5103", 0.15)])
    rules = rules_of(fields, match)
    assert "title_duties_conflict" in rules and "title_duties_review" not in rules


# professional work whose exact code is uncertain --------------------------------------------

def test_generic_title_on_professional_readings_without_a_confident_code():
    fields = contract("직원", "Employee", duties=SALES_DUTIES)
    match = occ(title=[("3127", 0.9)], duties=[
        ("2735", 0.20), ("2714", 0.19), ("2731", 0.18), ("2743", 0.16), ("3125", 0.16)])
    assert "generic_title" in rules_of(fields, match)


def test_scattered_weak_readings_are_not_professional_work():
    fields = contract("사원", "Staff", duties=SCIENCE_DUTIES)
    assert "generic_title" not in rules_of(fields, occ(title=[("3127", 0.9)], duties=SCATTERED))


def test_researcher_with_unclear_science_duties_gets_no_high_finding():
    fields = contract("연구원", "Researcher", duties=SCIENCE_DUTIES)
    found = evaluate_rules(fields, occ(title=[("2112", 0.95)], duties=SCATTERED))
    assert not [f for f in found if f.severity is Severity.high]


def test_mostly_clerical_readings_are_not_professional_work():
    fields = contract("사원", "Staff", duties="문서 정리 및 복사, 우편물 발송, 전화 응대 및 사무용품 관리")
    match = occ(title=[("3127", 0.9)], duties=[
        ("3142", 0.22), ("3127", 0.20), ("2731", 0.18), ("3922", 0.15)])
    assert "generic_title" not in rules_of(fields, match)


def test_manager_who_manages_on_uncertain_readings_is_not_generic():
    fields = contract("매니저", "Manager", duties="해외영업 조직 관리 및 매출 목표 수립, 팀 예산 관리")
    match = occ(title=[("3127", 0.5)], duties=[
        ("2743", 0.24), ("2742", 0.20), ("1511", 0.18), ("2731", 0.15)])
    assert "generic_title" not in rules_of(fields, match)


def test_professional_reading_tied_with_a_confident_other_one_counts():
    """Chemical process duties read 8631 0.63 and 2321 0.58: professional work is as plausible."""
    fields = contract("Staff", "Staff", duties="이차전지 전해액 제조 공정 개발 및 화학 공정 설계")
    match = occ(title=[("3127", 0.95)], duties=[("8631", 0.63), ("2321", 0.58), ("8414", 0.26)])
    found = {f.rule: f for f in evaluate_rules(fields, match)}
    assert "generic_title" in found and "not_e7_eligible" not in found
    assert "2321" in found["generic_title"].message


def test_professional_reading_well_behind_does_not_count():
    fields = contract("Staff", "Staff", duties="전자 부품 제조 기계 조작 및 생산 설비 점검")
    match = occ(title=[("3127", 0.95)], duties=[("8631", 0.63), ("2321", 0.45), ("8414", 0.26)])
    assert "generic_title" not in rules_of(fields, match)


# no duty reading at all: does any reading back the title's E-7 work? -------------------------

SALES_MGR_SCATTERED = [("2743", 0.24), ("3125", 0.16), ("3921", 0.16), ("5102", 0.16),
                       ("1522", 0.15)]


def test_e7_title_no_duty_reading_backs_conflicts():
    """호텔 접수 사무원 (E-7-2) over sales-management duties the index reads only weakly: no
    reading is 3922 or E-7-2 work, so the duties do not describe the titled E-7 job."""
    fields = contract("호텔 접수 사무원", duties=SALES_MGR_DUTIES, stated="E-7-2")
    match = occ(title=[("3922", 0.67)], duties=SALES_MGR_SCATTERED)
    found = [f for f in evaluate_rules(fields, match) if f.rule == "title_duties_conflict"]
    assert found and found[0].severity is Severity.high and "3922" in found[0].message


def test_weak_reading_of_the_title_e7_subcategory_backs_it():
    """One weak reading of E-7-2 work (3991 고객상담 사무원) among the scattered ones: no conflict."""
    fields = contract("호텔 접수 사무원", duties=SALES_MGR_DUTIES, stated="E-7-2")
    match = occ(title=[("3922", 0.67)], duties=[*SALES_MGR_SCATTERED[:4], ("3991", 0.05)])
    assert "title_duties_conflict" not in rules_of(fields, match)


def test_scattered_readings_of_the_title_e7_work_are_no_conflict():
    """해외 영업원 (E-7-1) whose duties read weakly as several E-7-1 sales and planning jobs."""
    fields = contract("해외 영업원", duties=SALES_DUTIES)
    match = occ(title=[("2742", 0.95)], duties=[("2735", 0.20), ("2714", 0.19), ("3125", 0.18),
                                                 ("5102", 0.16), ("3921", 0.16)])
    rules = rules_of(fields, match)
    assert "title_duties_conflict" not in rules and "title_duties_review" not in rules


def test_non_e7_title_without_duty_reading_is_no_conflict():
    """The title claims no E-7 work (3125 무역 사무원): nothing for the duties to back."""
    fields = contract("무역 사무원", duties=SALES_MGR_DUTIES, stated=None)
    match = occ(title=[("3125", 0.9)], duties=[("2743", 0.24), ("3921", 0.16), ("5102", 0.16),
                                                ("1522", 0.15), ("2592", 0.10)])
    assert "title_duties_conflict" not in rules_of(fields, match)


def test_generic_title_without_duty_reading_is_no_conflict():
    """'Researcher' names no occupation, even when its best reading (2111) is E-7 work."""
    fields = contract(None, "Researcher", SCIENCE_DUTIES)
    match = occ(title=[("2111", 0.64), ("2734", 0.61)], duties=SCATTERED)
    assert "title_duties_conflict" not in rules_of(fields, match)


# a title's weaker reading is the same title read twice only when about as plausible ---------

DATA_DUTIES_EN = ("Collect and clean customer transaction data\n"
                  "Build machine-learning demand forecasts and write analysis reports")


def test_title_reading_far_behind_its_best_does_not_excuse_the_duties():
    """'Architect' reads 2311 건축가 at 0.95 and 2223 (software) at 0.67; duties read 2223."""
    fields = contract(None, "Architect", DATA_DUTIES_EN)
    match = occ(title=[("2311", 0.95), ("2231", 0.73), ("2223", 0.67)],
                duties=[("2223", 0.69), ("2361", 0.26), ("2222", 0.21)])
    assert "title_duties_conflict" in rules_of(fields, match)


def test_title_reading_as_plausible_as_its_best_is_the_same_job():
    """'Advertising Specialist' reads 1220 and 2733 alike (0.66 each); duties read 2733."""
    fields = contract(None, "Advertising Specialist", "광고 캠페인 기획 및 매체 집행, 홍보 보도자료 작성")
    match = occ(title=[("1220", 0.66), ("2733", 0.66), ("2734", 0.40)],
                duties=[("2733", 0.87), ("2731", 0.20)])
    assert "title_duties_conflict" not in rules_of(fields, match)


def test_exact_title_reading_just_outside_the_margin_conflicts():
    """Borderline: 0.12 behind an exact-strength reading (CLOSE_SCORE is 0.1) is another job."""
    fields = contract(None, "Architect", DATA_DUTIES_EN)
    match = occ(title=[("2311", 0.95), ("2223", 0.83)], duties=[("2223", 0.69), ("2361", 0.26)])
    assert "title_duties_conflict" in rules_of(fields, match)


def test_exact_title_reading_inside_the_margin_is_the_same_job():
    fields = contract(None, "Architect", DATA_DUTIES_EN)
    match = occ(title=[("2311", 0.95), ("2223", 0.86)], duties=[("2223", 0.69), ("2361", 0.26)])
    assert "title_duties_conflict" not in rules_of(fields, match)


def test_weaker_title_reading_stays_tolerant():
    """Below exact strength the title may be ambiguous: 0.8 vs 0.5 is no conflict (as before)."""
    fields = contract(None, "Architect", DATA_DUTIES_EN)
    match = occ(title=[("2311", 0.80), ("2223", 0.50)], duties=[("2223", 0.69), ("2361", 0.26)])
    assert "title_duties_conflict" not in rules_of(fields, match)


# a title read as several occupations is no evidence of a second job --------------------------

def test_an_ambiguous_title_gets_a_review_not_a_conflict():
    fields = contract("Game Artist", duties=WEB_DUTIES)
    duties = [("2855", 0.84), ("2224", 0.16), ("2731", 0.1)]
    vague = occ(title=[("2223", 0.52), ("4224", 0.43)], duties=duties)
    found = {f.rule: f for f in evaluate_rules(fields, vague)}
    assert "title_duties_conflict" not in found
    assert found["title_duties_review"].severity == Severity.low
    review = found["title_duties_review"]
    assert "여러 직종으로 읽히며" in review.message_ko
    assert "(는)" not in review.message_ko and "(으)" not in review.recommendation_ko  # resolved
    named = occ(title=[("2223", 0.9), ("4224", 0.43)], duties=duties)  # names one occupation
    assert "title_duties_conflict" in rules_of(fields, named)
    weak = occ(title=[("4312", 0.38), ("1212", 0.24)], duties=duties)  # 0.14 ahead, but weak
    assert "title_duties_conflict" not in rules_of(fields, weak)
    neighbours = occ(title=[("2224", 0.9), ("2223", 0.9)], duties=[("2855", 0.84), ("2731", 0.1)])
    assert "title_duties_conflict" in rules_of(fields, neighbours)  # one kind of work, read twice
