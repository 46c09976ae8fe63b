"""Field extraction on the layouts HR actually fills in (generated page texts, one family per test).

Each case is written here in the words of its family, not copied from any corpus file: the MOEL
form with free text under 3. 업무의 내용, two-column KO | EN tables, English offer letters and
agreements, article contracts with a lead-in, amendment tables, salary wording, placeholders,
and the field states that decide which 'missing' findings may fire.
"""

from __future__ import annotations

from extractors.fields import extract_fields
from extractors.fields.jobtext import is_occupation, split_job_text
from extractors.records import FieldState, PageText, Period, Route
from extractors.text import squash
from matchers.rules.missing import missing_duties, missing_salary, missing_title


def page(text: str, tables=None, route=Route.text_layer, confidence=None) -> list[PageText]:
    return [PageText(page=1, route=route, reason="test", text=text, tables=tables or [],
                     confidence=confidence)]


def moel(item3: str, pay: str = "- 월(일, 시간)급 : 3,200,000원") -> str:
    return f"""표준근로계약서(기간의 정함이 없는 경우)
주식회사 하늘테크(이하 "사업주"라 함)과(와) MAI LINH(이하 "근로자"라 함)은 다음과 같이 근로계약을 체결한다.
1. 근로개시일 : 2026년 4월 1일부터
2. 근 무 장 소 : 서울특별시 중구 세종대로 1
3. 업무의 내용 : {item3}
4. 소정근로시간 : 09시 00분부터 18시 00분까지 (휴게시간 : 12시 00분 ~ 13시 00분)
6. 임 금
{pay}
7. 연차유급휴가
(사업주) 사업체명 : 주식회사 하늘테크
(근로자) 성 명 : MAI LINH (서명)"""


# ---------------------------------------------------------------- MOEL free text
def test_moel_title_before_a_dash_wrapped_duties():
    text = moel("모바일 앱 개발자 – 자사 예약 앱 iOS·Android 개발(Swift, Kotlin),\n푸시 서버 연동")
    f, _ = extract_fields(page(text))
    assert f.job_title.value == "모바일 앱 개발자"
    assert squash(f.duties.value) == squash("자사 예약 앱 iOS·Android 개발(Swift, Kotlin), 푸시 서버 연동")


def test_moel_bracketed_sub_items():
    f, _ = extract_fields(page(moel("[직종] 사원 [업무] 해외 바이어 발굴 및 수출 계약 협상")))
    assert f.job_title.value == "사원"
    assert squash(f.duties.value) == squash("해외 바이어 발굴 및 수출 계약 협상")


def test_moel_generic_title_with_duties_in_parentheses():
    f, _ = extract_fields(page(moel("직원 (물류 시스템 데이터 분석 및 리포트 작성)")))
    assert f.job_title.value == "직원"
    assert squash(f.duties.value) == squash("물류 시스템 데이터 분석 및 리포트 작성")


def test_moel_duties_only_states_no_title():
    f, _ = extract_fields(page(moel("고객사 네트워크 장비 설치 및 장애 처리, 네트워크 구성도 작성")))
    assert f.job_title.value is None and f.job_title.state is FieldState.not_stated
    assert "네트워크 장비 설치" in f.duties.value


def test_occupation_phrases_come_from_dictionary_statistics():
    assert is_occupation("관광통역안내원(일본어)") and is_occupation("데이터 엔지니어")
    assert is_occupation("Data Analyst") and is_occupation("해외영업 담당")
    assert not is_occupation("웹 서비스 개발") and not is_occupation("고객 지원")
    assert split_job_text("서버 운영 및 장애 대응 – 야간 당직 포함") == (None, "서버 운영 및 장애 대응 – 야간 당직 포함")


# ---------------------------------------------------------------- bilingual
def test_two_column_table_keeps_korean_and_english_apart():
    rows = [["1. 계약기간: 2026. 5. 1. ~ 2028. 4. 30.", "1. Term: May 1, 2026 to April 30, 2028"],
            ["3. 직위: 데이터 분석가", "3. Position: Data Analyst"],
            ["4. 업무내용: 판매 데이터 수집 및 정제,\n수요 예측 모델 개발", "4. Duties: Collect and clean sales data,\nbuild demand forecasts"],
            ["5. 임금: 월 4,200,000원", "5. Salary: KRW 4,200,000 per month"]]
    flat = "\n".join(f"{a} {b}" for a, b in rows)  # what a text layer makes of the two columns
    text = "근로계약서 Employment Contract\n주식회사 별빛데이터와 근로자는 다음과 같이 근로계약을 체결한다.\n" + flat
    f, _ = extract_fields(page(text, tables=[rows]))
    assert f.job_title.value == "데이터 분석가"
    assert squash(f.duties.value) == squash("판매 데이터 수집 및 정제, 수요 예측 모델 개발")
    assert (f.salary.amount_krw, f.salary.period) == (4_200_000, Period.monthly)


def test_group_heading_cell_is_never_the_value():
    rows = [["근로자", "성 명", "NGUYEN AN"], ["직무 / Job", "소속", "플랫폼팀"], ["", "Position", "백엔드 개발자"],
            ["", "Duties", "결제 API 설계 및 개발"]]
    text = "근로계약서\n주식회사 바다소프트와 근로자는 근로계약을 체결한다.\n" + "\n".join(" ".join(r) for r in rows)
    f, _ = extract_fields(page(text, tables=[rows]))
    assert f.job_title.value == "백엔드 개발자"
    assert f.duties.value == "결제 API 설계 및 개발"


# ---------------------------------------------------------------- English
OFFER = """Letter of Offer
Dear MARIA SANTOS,
We are pleased to offer you the position of Senior Backend
Engineer with Sora Systems Co., Ltd., starting on 2 March 2026.
Your responsibilities will include:
• Design and build payment APIs
• Review code and mentor junior engineers
Compensation. You will receive a gross annual salary of KRW 72,000,000, subject to statutory deductions.
Sincerely,"""


def test_offer_letter_title_in_prose_and_bulleted_duties():
    f, _ = extract_fields(page(OFFER))
    assert f.job_title.value == "Senior Backend Engineer"
    assert squash(f.duties.value) == squash("• Design and build payment APIs • Review code and mentor junior engineers")
    assert (f.salary.amount_krw, f.salary.period) == (72_000_000, Period.annual)


def test_english_agreement_base_plus_fixed_allowances():
    text = """Employment Agreement
1. Position and Duties
1.1 The Company employs the Employee in the position of Network Engineer, reporting to the CTO.
1.2 The Employee's duties shall include:
1) Configure routers and switches
2) Monitor the network
2. Compensation
2.1 Base salary: KRW 3,900,000 per month; Meal allowance: KRW
200,000 per month (fixed); Overtime allowance: paid for actual overtime hours.
3. Place of Work"""
    f, _ = extract_fields(page(text))
    assert f.job_title.value == "Network Engineer"
    assert squash(f.duties.value) == squash("1) Configure routers and switches 2) Monitor the network")
    assert (f.salary.amount_krw, f.salary.period) == (4_100_000, Period.monthly)


# ---------------------------------------------------------------- article contracts
def test_article_lead_in_then_list_until_the_next_clause():
    text = """근로계약서
주식회사 누리(이하 "회사")와 근로자는 다음과 같이 근로계약을 체결한다.
제3조(직무)
① 회사는 근로자를 품질관리 엔지니어로 채용하며, 담당업무는 다음과 같다:
1. 부품 입고 검사 기준 수립
2. 불량 원인 분석 및 개선
② 회사는 업무상 필요한 경우 근로자와 협의하여 담당업무를 조정할 수 있다.
제4조(임금)
① 연봉은 금 사천팔백만원정(₩48,000,000)으로 하며 12개월로 나누어 매월 지급한다.
제5조(기타)"""
    f, _ = extract_fields(page(text))
    assert f.job_title.value == "품질관리 엔지니어"
    assert squash(f.duties.value) == squash("1. 부품 입고 검사 기준 수립 2. 불량 원인 분석 및 개선")
    assert (f.salary.annual_krw, f.salary.period) == (48_000_000, Period.annual)  # annual, never x 12


# ---------------------------------------------------------------- amendments
def test_amendment_takes_the_after_column_and_unchanged_keeps_before():
    rows = [["구 분", "변경 전", "변경 후"], ["직 위", "사무보조원", "응용 소프트웨어\n개발자"],
            ["담당업무", "문서 정리", "좌동"], ["임 금", "월 3,000,000원", "월 3,600,000원"]]
    text = "근로계약 변경 합의서\n주식회사 해들과 근로자는 근로계약을 다음과 같이 변경한다.\n" + "\n".join(" ".join(r) for r in rows)
    f, _ = extract_fields(page(text, tables=[rows]))
    assert squash(f.job_title.value) == squash("응용 소프트웨어 개발자")
    assert f.duties.value == "문서 정리"
    assert f.salary.amount_krw == 3_600_000


# ---------------------------------------------------------------- salary wording and plausibility
def test_salary_figure_broken_over_lines_and_bonus_not_added():
    f, _ = extract_fields(page(moel("웹 개발자 – 쇼핑몰 프런트엔드 개발",
                                    pay="- 연봉: 연봉 55,\n000,000원\n- 상여금 : 연 2회 각 1,000,000원")))
    assert (f.salary.amount_krw, f.salary.period, f.salary.annual_krw) == (55_000_000, Period.annual, 55_000_000)


def test_implausible_salary_is_unreadable_with_a_problem():
    f, problems = extract_fields(page(moel("웹 개발자 – 쇼핑몰 프런트엔드 개발",
                                           pay="- 월(일, 시간)급 : 115,200,000원")))
    assert f.salary.state is FieldState.unreadable and f.salary.confidence < 0.5
    assert {"salary_implausible", "field_unreadable"} <= {p.code for p in problems}


# ---------------------------------------------------------------- placeholders and states
def test_placeholders_are_not_values():
    f, _ = extract_fields(page(moel("{{직위}}", pay="- 월(일, 시간)급 : ○○○원")))
    assert f.duties.value is None and f.job_title.value is None
    assert f.salary.amount_krw is None


class _Ctx:
    def __init__(self, fields):
        self.fields = fields
        self.duties_text = fields.duties.value or ""


def test_label_without_readable_value_on_a_scan_is_unreadable_not_missing():
    text = moel("", pay="- 월(일, 시간)급 :").replace("3. 업무의 내용 : ", "3. 업무의 내용 : ~~ ..")
    f, problems = extract_fields(page(text, route=Route.ocr, confidence=0.4))
    assert f.duties.state is FieldState.unreadable
    assert "field_unreadable" in {p.code for p in problems}
    assert missing_duties(_Ctx(f)) == []


def test_not_stated_fields_still_raise_missing_findings():
    text = moel("고객 문의 응대 및 예약 관리", pay="- 월(일, 시간)급 : 별도 연봉계약서에 따름")
    f, _ = extract_fields(page(text))
    assert f.salary.state is FieldState.not_stated and f.job_title.state is FieldState.not_stated
    assert [x.rule for x in missing_salary(_Ctx(f))] == ["missing_salary"]
    assert missing_title.__name__ == "missing_title"


def test_label_alone_above_its_value_in_a_table():
    rows = [["성 명", "SARA LEE"], ["부 서", "직종(직무)"], ["품질팀", "품질 엔지니어"], ["업무의 내용", ""],
            ["- 출하 검사 기준 관리\n- 고객 불량 분석", ""], ["연 봉", "연간 급여 총액 5,100만원"]]
    text = "근로계약서\n주식회사 한결과 근로자는 근로계약을 체결한다.\n" + "\n".join(" ".join(r) for r in rows)
    f, _ = extract_fields(page(text, tables=[rows]))
    assert f.job_title.value == "품질 엔지니어"
    assert squash(f.duties.value) == squash("- 출하 검사 기준 관리 - 고객 불량 분석")
    assert (f.salary.amount_krw, f.salary.period) == (51_000_000, Period.annual)


def test_english_column_run_into_korean_lines_is_dropped():
    text = moel("해외 고객 기술 지원 및 Provide technical support to overseas\n제품 교육 자료 작성 customers and write training material")
    f, _ = extract_fields(page(text))
    assert squash(f.duties.value) == squash("해외 고객 기술 지원 및 제품 교육 자료 작성")


def test_title_line_then_numbered_duties():
    f, _ = extract_fields(page(moel("바리스타\n1. 커피 및 음료 제조\n2. 주문 접수 및 계산")))
    assert f.job_title.value == "바리스타"
    assert squash(f.duties.value) == squash("1. 커피 및 음료 제조 2. 주문 접수 및 계산")


def test_absence_is_not_claimed_on_a_poorly_read_scan():
    text = moel("고객 문의 응대 및 예약 관리").replace("주식회사", "주 식 회 사")
    clean, _ = extract_fields(page(text, route=Route.ocr, confidence=0.92))
    poor, problems = extract_fields(page(text, route=Route.ocr, confidence=0.7))
    assert clean.job_title.state is FieldState.not_stated  # a clean scan can show an absence
    assert poor.job_title.state is FieldState.unreadable  # a poor one cannot
    assert "field_unreadable" in {p.code for p in problems}


def test_value_cut_at_an_inline_label_loses_its_dangling_parenthesis():
    text = moel("웹 개발자 – 쇼핑몰 개발").replace(
        "(사업주) 사업체명 : 주식회사 하늘테크", "(사업주) 사업체명 : 주식회사 하늘테크 ( 사업자등록번호 : 000-81-12345)")
    f, _ = extract_fields(page(text))
    assert f.employer.value == "주식회사 하늘테크"


def test_the_visa_a_form_is_drafted_for_is_not_the_stated_visa():
    text = moel("웹 개발자 – 쇼핑몰 개발").replace("표준근로계약서(기간의 정함이 없는 경우)", "근로계약서(E-7-4용)")
    assert extract_fields(page(text))[0].stated_visa.value is None
    stated = text.replace("4. 소정근로시간", "체류자격 : E-7-1\n4. 소정근로시간")
    assert extract_fields(page(stated))[0].stated_visa.value == "E-7-1"
