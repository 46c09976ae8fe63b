"""Field extraction on PageText built directly and on generated born-digital PDFs."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pdfplumber
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ is not an installed package

from extractors.fields import extract_fields
from extractors.fields.labels import is_blank_value
from extractors.records import DocumentKind, PageText, Route
from extractors.text import squash, strip_ocr_edges
from fixtures import CONTRACT_LAYOUTS, SALARY_STYLES, expected_for, make_spec, render_pdf

REAL_FORMS = ROOT.parent / "shared" / "real_forms"


def pdf_pages(data: bytes | Path) -> list[PageText]:
    src = io.BytesIO(data) if isinstance(data, bytes) else data
    with pdfplumber.open(src) as doc:
        return [PageText(page=i + 1, route=Route.text_layer, reason="text layer",
                         text=p.extract_text() or "",
                         tables=[[[c or "" for c in row] for row in t] for t in p.extract_tables()])
                for i, p in enumerate(doc.pages)]


def text_pages(text: str, **kw) -> list[PageText]:
    return [PageText(page=1, route=kw.pop("route", Route.text_layer), reason="test", text=text, **kw)]


MOEL = """표준근로계약서
주식회사 예시랩(이하 "사업주"라 함)과(와) LE VAN TAM(이하 "근로자"라 함)은
다음과 같이 근로계약을 체결한다.
1. 근로계약기간 : 2026년 3월 1일부터 2028년 2월 29일까지
2. 근 무 장 소 : 서울특별시 중구 세종대로 1
3. 업무의 내용
 - 직 종 : 사무보조원 (Office Assistant)
 - 직 위 : 대리
 - 담당업무 : 백엔드 API 개발 및 운영
   데이터베이스 설계
4. 소정근로시간 : 09시 00분부터 18시 00분까지, 주 40시간
6. 임 금
 - 월 3,500,000원
(사업주) 사업체명 : 주식회사 예시랩 (사업자등록번호 : 123-45-67890)
(근로자) 성 명 : LE VAN TAM (서명)
국 적 : 베트남
생년월일 : 1990.01.01
체류자격 : E-7-1"""


def test_moel_text_fields():
    fields, problems = extract_fields(text_pages(MOEL))
    assert not problems and fields.kind == DocumentKind.moel_standard
    t = fields.job_title
    assert (t.value, t.value_en, t.rank, t.label) == ("사무보조원", "Office Assistant", "대리", "직 종")
    assert fields.duties.value == "백엔드 API 개발 및 운영\n데이터베이스 설계"
    assert fields.salary.annual_krw == 42_000_000
    assert fields.employer.value == "주식회사 예시랩"
    assert fields.business_reg_no.value == "123-45-67890"
    assert fields.employee_name.value == "LE VAN TAM"
    assert fields.nationality.value == "베트남"
    assert fields.birth_date.value == "1990-01-01"
    assert (fields.contract_start.value, fields.contract_end.value) == ("2026-03-01", "2028-02-29")
    assert fields.workplace.value == "서울특별시 중구 세종대로 1"
    assert fields.weekly_hours == 40 and fields.stated_visa.value == "E-7-1"


def test_evidence_has_page_snippet_route_and_confidence():
    fields, _ = extract_fields(text_pages(MOEL))
    d = fields.duties
    assert d.page == 1 and d.route == Route.text_layer and "담당업무" in d.snippet
    assert d.confidence >= 0.9


def test_ocr_route_lowers_confidence():
    digital, _ = extract_fields(text_pages(MOEL))
    scanned, _ = extract_fields(text_pages(MOEL, route=Route.ocr, confidence=0.6))
    assert scanned.duties.value == digital.duties.value
    assert scanned.duties.confidence < digital.duties.confidence
    assert scanned.duties.route == Route.ocr


def test_missing_values_are_explicit():
    text = MOEL.replace("체류자격 : E-7-1", "").replace("국 적 : 베트남", "")
    fields, _ = extract_fields(text_pages(text))
    assert not fields.stated_visa.found and fields.stated_visa.value is None
    assert not fields.nationality.found and fields.nationality.confidence == 0


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [("1. 근로계약기간 : 2026.03.01부터 2027.02.28까지", "2026-03-01", "2027-02-28"),
     ("1. 근로계약기간 : 2026-03-01 ~ 2027-02-28", "2026-03-01", "2027-02-28"),
     ("Contract Period: March 1, 2026 to February 28, 2027", "2026-03-01", "2027-02-28"),
     ("1. 근로계약기간 : 2026년 3월 1일부터 (기간의 정함이 없음)", "2026-03-01", None)],
)
def test_contract_period_formats(line, start, end):
    fields, _ = extract_fields(text_pages(MOEL.replace(MOEL.splitlines()[3], line)))
    assert fields.contract_start.value == start
    assert fields.contract_end.value == end


def test_amendment_changed_values_win():
    spec = make_spec(3, scenario="consistent", style="monthly")
    fields, _ = extract_fields(pdf_pages(render_pdf(spec, "amendment")))
    assert fields.kind == DocumentKind.amendment
    assert fields.job_title.value == spec.job_title_ko
    assert fields.salary.amount_krw == spec.salary.amount_krw


SCALARS = ("employer", "employee_name", "business_reg_no", "nationality", "birth_date",
           "contract_start", "contract_end", "workplace", "stated_visa")


@pytest.mark.parametrize("layout", CONTRACT_LAYOUTS)
@pytest.mark.parametrize("style", ["monthly", "annual_hangul", "components"])
def test_generated_layouts(layout, style):
    spec = make_spec(40 + CONTRACT_LAYOUTS.index(layout), scenario="consistent", style=style)
    truth = expected_for(spec, layout)
    fields, problems = extract_fields(pdf_pages(render_pdf(spec, layout)))
    assert not problems and fields.kind.value == truth["kind"]
    assert fields.language == truth["language"]
    assert fields.job_title.value == truth["title"]
    assert squash(fields.duties.value) == squash(truth["duties"])
    assert fields.salary.annual_krw == truth["annual_krw"]
    for name in SCALARS:
        if name in truth:
            assert getattr(fields, name).value == truth[name], name


@pytest.mark.parametrize("style", SALARY_STYLES)
def test_salary_styles_in_moel_form(style):
    spec = make_spec(77, scenario="consistent", style=style)
    fields, _ = extract_fields(pdf_pages(render_pdf(spec, "moel_standard")))
    assert fields.salary.annual_krw == spec.annual_krw
    assert fields.salary.inclusive_wage == spec.salary.inclusive
    assert fields.salary.confidence >= 0.8


def test_seed_case_sample_title_and_duties():
    path = ROOT / "sample_docs" / "04_bilingual_seed_case_office_assistant.pdf"
    fields, _ = extract_fields(pdf_pages(path))
    assert (fields.job_title.value, fields.job_title.value_en) == ("사무보조원", "Office Assistant")
    assert "백엔드 API" in fields.duties.value


def test_real_sw_worker_form():
    path = REAL_FORMS / "sw_worker_standard_filled.pdf"
    if not path.exists():
        pytest.skip("shared real_forms not present")
    fields, problems = extract_fields(pdf_pages(path))
    assert not problems
    assert "물류관리 SaaS 백엔드 API 개발" in fields.duties.value
    assert "CI/CD 배포 자동화" in fields.duties.value
    assert fields.salary.amount_krw == 3_300_000 and fields.salary.annual_krw == 39_600_000
    assert fields.employer.value == "주식회사 가람클라우드랩"
    assert (fields.contract_start.value, fields.contract_end.value) == ("2026-01-02", "2026-12-31")
    assert not fields.job_title.found  # the form states a department and rank, no occupation title
    assert not fields.working_hours.found  # its hour blanks are unfilled


def test_real_construction_form():
    path = REAL_FORMS / "pinecone-poc__건설일용근로자_표준근로계약서.pdf"
    if not path.exists():
        pytest.skip("shared real_forms not present")
    fields, _ = extract_fields(pdf_pages(path))
    assert fields.duties.value == "배관 조공"
    assert fields.salary.amount_krw == 200_000 and fields.salary.period.value == "daily"
    assert fields.salary.inclusive_wage
    assert fields.employer.value == "ABC 건설사"
    assert fields.contract_start.value == "2024-07-22"


# OCR garbling seen on bench.extract's scanned documents (generated, fictional contracts).
OCR_BILINGUAL = """고용계약서 / Employment Contract
회사명 / -6mpany : 주식회사 새벽테크
근로자 성명 / Employee Name : DMITRI VOLKOV
직위 / P01t10n : 데이터 분석가 / Data Analyst
담당업무 / 0나 16 : 고객 거래 데이터 수집 및 정제
근무장소 / 3e 어 W 야 * : 대전광역시 유성구 대학로 99, 3층
임금 / Sa1a/》 : 연봉 4,700만원
체류자격 / Visa Status : 6-7-1
"""


def test_garbled_english_glosses_after_korean_labels():
    fields, _ = extract_fields(text_pages(OCR_BILINGUAL, route=Route.ocr, confidence=0.86))
    assert fields.employer.value == "주식회사 새벽테크"
    assert fields.workplace.value == "대전광역시 유성구 대학로 99, 3층"
    assert fields.duties.value == "고객 거래 데이터 수집 및 정제"
    assert fields.salary.annual_krw == 47_000_000
    assert fields.stated_visa.value == "E-7-1"  # the label confirms the misread 'E'
    assert fields.stated_visa.confidence < fields.workplace.confidence


def test_misread_visa_is_repaired_only_under_the_label_and_only_on_ocr_pages():
    line = MOEL.replace("체류자격 : E-7-1", "체류자격 : 6-7-2\n참고 : 6-7-1")
    assert extract_fields(text_pages(line, route=Route.ocr, confidence=0.9))[0].stated_visa.value == "E-7-2"
    assert extract_fields(text_pages(line))[0].stated_visa.value is None  # text layer: as written
    other = MOEL.replace("체류자격 : E-7-1", "비고 : 6-7-1")
    assert extract_fields(text_pages(other, route=Route.ocr, confidence=0.9))[0].stated_visa.value is None


def test_ocr_garbled_table_labels_and_preambles():
    pages = text_pages("근로계약서\n(주) 한빛데이터랩 (이하 \" 회사 \") 와 RAN THI (이하 \" 근로자 \") 는\n"
                       "근로계약을 체결한다.", route=Route.ocr, confidence=0.88,
                       tables=[[["회 사", "누리소프트 주식회사"], ["근 무 장소.", "서울특별시 강남구 테헤란로 152"],
                                ["직위", "사원"]]])
    fields, _ = extract_fields(pages)
    assert squash(fields.employer.value) == "누리소프트주식회사"  # '회 사': 회사명 less one syllable
    assert fields.employer.confidence < fields.workplace.confidence
    assert squash(fields.workplace.value) == "서울특별시강남구테헤란로152"
    offer = text_pages("Offer of Employment\n(주) 바다무역 1s pleased to offer you employment.\n"
                       "Job Title: Translator", route=Route.ocr, confidence=0.9)
    assert extract_fields(offer)[0].employer.value == "(주) 바다무역"


def test_fuzzy_cell_labels_never_cross_fields():
    from extractors.fields.labels import fuzzy_cell_field
    assert fuzzy_cell_field("회 사") == ("employer", "회사명")
    assert fuzzy_cell_field("직 무") is None or fuzzy_cell_field("직 무")[0] == "title"
    assert fuzzy_cell_field("근로자") is None  # not one edit from a single field's label
    assert fuzzy_cell_field("Company") is None  # English cells need the exact label


@pytest.mark.parametrize(("line", "clean"), [
    (". 6. 임금 | | | |", "6. 임금"),
    ("' 4. 소정근로시간 : 09시", "4. 소정근로시간 : 09시"),
    ("- 직종 : 사무보조원 oa", "- 직종 : 사무보조원"),
    ("- 지급방법 : 예금통장에입금 es oo", "- 지급방법 : 예금통장에입금"),
    ("- 월 3,600,000원 \"", "- 월 3,600,000원"),
    ("responsible for the development of", "responsible for the development of"),  # wrapped English
    ("(Java/Spring Boot)", "(Java/Spring Boot)"),
    ("- 직위 : 사원", "- 직위 : 사원"),
])
def test_ocr_line_edges_lose_specks_not_words(line, clean):
    assert strip_ocr_edges(line) == clean


def test_scanned_moel_lines_with_specks_keep_their_fields():
    lines = [
        "표준근로계약서",
        "(주) 바다무역 (이하 \"사업주\"라함) 과 NGUYEN VAN AN (이하 \"근로자\"라함) 은",
        ". 1. 근로계약기간: 2026-03-02부터 2028-03-01까지 ~ 단",
        "' 4. 소정근로시간 : 09시 00분 부터 18시 00분 까지, 주 40시간",
        ". 6. 임금 | | | |",
        "- 월 3,600,000원 \"",
        ". (근로자) 성명 : NGUYEN VAN AN (서명) Ld. 7",
        "국적 : 베트남 | 2. un , | ' .",
    ]
    page = PageText(page=1, route=Route.ocr, reason="scan", text="\n".join(lines), confidence=0.8)
    fields, _problems = extract_fields([page])
    assert fields.salary.annual_krw == 43_200_000
    assert (fields.contract_start.value, fields.contract_end.value) == ("2026-03-02", "2028-03-01")
    assert fields.employee_name.value == "NGUYEN VAN AN"
    assert fields.nationality.value == "베트남"


@pytest.mark.parametrize(("value", "blank"), [
    ("업종: - 사업내용: - 직무내용: ※ 외국인근로자가 실제 수행하게 될 업무를 상세하게 기재합니다", True),
    ("전화번호 Phone number", True),
    ("※ 근로자를 이 계약서에서 정한 장소 외에서 근로하게 해서는 안 됨.", True),
    ("- Regular working hours: from to - ( ) hours/month", True),
    ("from 09:00 to 18:00", False),
    ("웹 개발 ※ 세부 업무는 별첨", False),
    ("Software Engineer", False),
    ("주식회사 가람클라우드랩", False),
])
def test_blank_values_are_labels_captions_and_notes_only(value, blank):
    assert is_blank_value(value) is blank


def test_a_form_filled_only_with_its_own_captions_is_blank():
    lines = [
        "표준근로계약서",
        "사업체명 : 전화번호 Phone number",
        "성명 : 생년월일 Birth date",
        "근무장소 : ※ 근로자를 이 계약서에서 정한 장소 외에서 근로하게 해서는 안 됨.",
        "직무내용 : 업종: - 사업내용: - ※ 외국인근로자가 실제 수행하게 될 업무를 기재합니다",
        "근로시간 : - Regular working hours: from to - ( ) hours/month",
        "근로계약기간 : 년 월 일부터 년 월 일까지",
    ]
    page = PageText(page=1, route=Route.text_layer, reason="text layer", text="\n".join(lines))
    fields, problems = extract_fields([page])
    assert fields.kind == DocumentKind.blank_template
    assert [p.code for p in problems] == ["blank_template"]
