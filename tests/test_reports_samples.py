"""Fictional DocumentResult samples shared by the report tests, and checks that they hold the
properties those tests rely on (every kind of identifier, an OCR field, markup in a snippet)."""

from __future__ import annotations

from extractors.records import (
    ContractFields,
    DocumentKind,
    DocumentRef,
    FieldValue,
    Period,
    Problem,
    Route,
    SalaryComponent,
    SalaryField,
    Status,
    TitleField,
)
from matchers.records import (
    AddendumDraft,
    Finding,
    FindingEvidence,
    OccupationCandidate,
    OccupationMatch,
    Severity,
)
from reports.records import BatchSummary, DocumentResult, PageSummary, SummaryEntry

SHA_OK = "3f" * 32
SHA_FAILED = "a1" * 32
SHA_EN = "5c" * 32

# Identifiers planted in snippets: each must be masked in every output unless show_pii.
RRN = "900101-1234567"
ARN = "880214-5123456"
PASSPORT = "M12345678"
PHONE = "010-9876-5432"
ACCOUNT = "110-234-567890"
SECRETS = (RRN[7:], ARN[7:], PASSPORT[1:7], PHONE[:8], ACCOUNT[:10])
EMPLOYEE = "홍길동"
SCRIPT = "<script>alert('x')</script>"


def _title() -> TitleField:
    return TitleField(
        value="사무보조원", value_en="Office Assistant", found=True, page=1, rank="사원",
        snippet="직위(직종): 사무보조원 / Office Assistant", confidence=0.92,
        route=Route.text_layer, label="직위",
    )


def _duties() -> FieldValue:
    return FieldValue(
        value="Java/Kotlin 기반 결제 API 설계 및 개발, 코드 리뷰",
        found=True, page=2, route=Route.ocr, confidence=0.81, label="업무의 내용",
        snippet=f"업무의 내용: Java/Kotlin 기반 결제 API 설계 및 개발, 코드 리뷰 {SCRIPT}",
    )


def _salary() -> SalaryField:
    return SalaryField(
        value="월 3,500,000원", found=True, page=1, route=Route.text_layer, confidence=0.9,
        snippet=f"임금: 월 3,500,000원 (기본급 3,200,000원, 식대 300,000원), 지급계좌 신한은행 {ACCOUNT}",
        amount_krw=3_500_000, period=Period.monthly, annual_krw=42_000_000,
        components=[
            SalaryComponent(name="기본급", amount_krw=3_200_000, period=Period.monthly),
            SalaryComponent(name="식대", amount_krw=300_000, period=Period.monthly),
        ],
        assumption="monthly x 12", cross_checked=True, label="임금",
    )


def _employee() -> FieldValue:
    return FieldValue(
        value=EMPLOYEE, found=True, page=1, route=Route.text_layer, confidence=0.95,
        snippet=f"근로자 성명: {EMPLOYEE}  주민등록번호: {RRN}  연락처: {PHONE}", label="성명",
    )


def _fields() -> ContractFields:
    return ContractFields(
        kind=DocumentKind.article, language="ko+en", job_title=_title(), duties=_duties(),
        salary=_salary(), employee_name=_employee(),
        employer=FieldValue(value="주식회사 한빛소프트", found=True, page=1, confidence=0.9,
                            route=Route.text_layer, snippet="사업체명: 주식회사 한빛소프트"),
        nationality=FieldValue(value="베트남", found=True, page=1, confidence=0.9,
                               route=Route.text_layer,
                               snippet=f"국적: 베트남  여권번호: {PASSPORT}  외국인등록번호: {ARN}"),
        contract_start=FieldValue(value="2025-03-01", found=True, page=1, confidence=0.9,
                                  route=Route.text_layer, snippet="계약기간: 2025-03-01 ~"),
        weekly_hours=40.0,
    )


def _candidates() -> list[OccupationCandidate]:
    return [
        OccupationCandidate(code="2223", name_ko="응용 소프트웨어 개발자",
                            name_en="Application software developers", score=0.86,
                            e7_subcategory="E-7-1", e7_occupation="응용소프트웨어 개발 전문가",
                            evidence=["duties: 결제 API 설계 및 개발", "keyword: Kotlin"]),
        OccupationCandidate(code="2224", name_ko="웹 개발자", name_en="Web developers",
                            score=0.61, e7_subcategory="E-7-1", e7_occupation="웹 개발자",
                            evidence=["keyword: API"]),
        OccupationCandidate(code="3922", name_ko="사무 보조원", name_en="Office assistants",
                            score=0.55, evidence=["title: 사무보조원"]),
    ]


def _findings() -> list[Finding]:
    ev = FindingEvidence(field="job_title", page=1, snippet="직위(직종): 사무보조원 / Office Assistant")
    return [
        Finding(rule="salary_floor", severity=Severity.low,
                message="Annual salary is close to the E-7 floor.",
                message_ko="연봉이 E-7 최저 기준에 가깝습니다.",
                recommendation="Confirm the salary with payroll.",
                recommendation_ko="급여 담당자와 연봉을 확인하세요.",
                evidence=[FindingEvidence(field="salary", page=1, snippet="월 3,500,000원")]),
        Finding(rule="generic_title", severity=Severity.high,
                message="The title 'Office Assistant' is generic and maps to a non-E-7 occupation.",
                message_ko="직위 '사무보조원'은 일반 직종으로 E-7 대상 직종에 해당하지 않습니다.",
                recommendation="Sign an addendum naming the title 응용 소프트웨어 개발자.",
                recommendation_ko="직위를 '응용 소프트웨어 개발자'로 명시하는 부속합의서를 체결하세요.",
                evidence=[ev]),
        Finding(rule="duties_title_mismatch", severity=Severity.medium,
                message="Duties describe software development, not office support.",
                message_ko="업무 내용은 사무 보조가 아닌 소프트웨어 개발입니다.",
                recommendation="Align the title with the duties.",
                recommendation_ko="직위를 업무 내용에 맞추세요.",
                evidence=[FindingEvidence(field="duties", page=2, snippet="결제 API 설계 및 개발")]),
    ]


def _addendum() -> AddendumDraft:
    return AddendumDraft(
        code="2223", title_ko="응용 소프트웨어 개발자", title_en="Application Software Developer",
        text_ko=f"근로자 {EMPLOYEE}(외국인등록번호 {ARN}, 여권번호 {PASSPORT})과 대표자"
                f"(주민등록번호 {RRN})는 다음과 같이 합의한다.\n"
                "제1조 (직위) 근로자의 직위를 '응용 소프트웨어 개발자'로 변경한다.\n"
                "제2조 (업무) 근로자는 결제 API의 설계 및 개발을 담당한다.",
        text_en="Article 1 (Title) The employee's title is changed to 'Application Software "
                "Developer'.\nArticle 2 (Duties) The employee designs and develops payment APIs.\n"
                f"Article 3 (Wages) Wages are paid to bank account {ACCOUNT}; "
                f"questions to tel. {PHONE}.",
        hr_checklist=["직무기술서와 일치하는지 확인", "Confirm the effective date with the employer"],
    )


def ok_result(*, client: str | None = None, path: str = "계약서/홍길동_근로계약서.pdf") -> DocumentResult:
    """A partial result: software engineer titled 사무보조원, three findings, an addendum."""
    return DocumentResult(
        status=Status.partial,
        document=DocumentRef(path=path, sha256=SHA_OK, media_type="application/pdf",
                             page_count=2, size_bytes=182_344),
        pages=[PageSummary(page=1, route=Route.text_layer, reason="text layer ok", chars=1830),
               PageSummary(page=2, route=Route.ocr, reason="no text layer", confidence=0.81,
                           chars=950, seconds=2.4)],
        fields=_fields(),
        occupation=OccupationMatch(candidates=_candidates(), needs_review=False),
        findings=_findings(),
        addendum=_addendum(),
        problems=[Problem(code="low_ocr_confidence", message="page 2 of 3f3f3f3f read by OCR", page=2)],
        client=client, pipeline_version="0.1.0", reference_version="ref-2025.1",
    )


def english_result(*, client: str | None = None) -> DocumentResult:
    """A clean English offer letter: no findings, no addendum, a Latin employee name."""
    fields = ContractFields(
        kind=DocumentKind.offer_letter, language="en",
        job_title=TitleField(value="Data Scientist", found=True, page=1, confidence=0.9,
                             route=Route.text_layer, snippet="Position: Data Scientist"),
        employee_name=FieldValue(value="John Doe", found=True, page=1, confidence=0.9,
                                 route=Route.text_layer, snippet="Employee: John Doe"),
    )
    cand = OccupationCandidate(code="2241", name_ko="데이터 분석가", name_en="Data analysts",
                               score=0.8, e7_subcategory="E-7-1", evidence=["title: data scientist"])
    return DocumentResult(
        status=Status.success,
        document=DocumentRef(path="offers/john_doe_offer.pdf", sha256=SHA_EN,
                             media_type="application/pdf", page_count=1),
        fields=fields, occupation=OccupationMatch(candidates=[cand], needs_review=False),
        client=client,
    )


def failed_result(*, client: str | None = None) -> DocumentResult:
    """A document that could not be audited: an encrypted PDF with an odd name."""
    return DocumentResult(
        status=Status.failed,
        document=DocumentRef(path="../../etc/암호화된 계약서.pdf", sha256=SHA_FAILED,
                             media_type="application/pdf"),
        problems=[Problem(code="encrypted_pdf", fatal=True,
                          message="a1a1a1a1: a password is needed; save an unprotected copy")],
        client=client,
    )


def entry_for(result: DocumentResult, *, rel: str | None = None) -> SummaryEntry:
    """The summary.json entry reports.output would write for `result`."""
    best = result.occupation.candidates[0].code if result.occupation.candidates else None
    return SummaryEntry(
        source=result.document.path, sha256=result.document.sha256, status=result.status,
        result=rel, client=result.client, findings=[f.rule for f in result.findings],
        best_code=best, problems=[{"code": p.code, "message": p.message} for p in result.problems],
    )


def batch(results: list[DocumentResult]) -> BatchSummary:
    return BatchSummary(generated_at="2025-01-01T00:00:00+00:00",
                        documents=[entry_for(r) for r in results])


def test_sample_holds_every_identifier_kind() -> None:
    result = ok_result()
    snippets = " ".join(f.snippet or "" for f in result.fields.__dict__.values()
                        if hasattr(f, "snippet"))
    addendum = result.addendum.text_ko + result.addendum.text_en
    for secret in (RRN, ARN, PASSPORT, PHONE, ACCOUNT, EMPLOYEE):
        assert secret in snippets and secret in addendum
    assert SCRIPT in snippets


def test_sample_has_ocr_field_and_failed_document() -> None:
    assert ok_result().fields.duties.route is Route.ocr
    assert failed_result().status is Status.failed and failed_result().problems[0].fatal
    assert [f.severity for f in ok_result().findings] != sorted(
        (f.severity for f in ok_result().findings), key=["high", "medium", "low"].index
    ), "findings must start out of order so the sorting test means something"


# A scanned page 2 for crop tests: lines of text drawn with NanumGothic, and the exact word boxes
# a perfect OCR engine would report for it.
SCAN_LINES = (
    "근로계약서 (2쪽)",
    f"업무의 내용: Java/Kotlin 기반 결제 API 설계 및 개발, 코드 리뷰 연락처: {PHONE}",
    f"근로자 성명: {EMPLOYEE}",
    "근무 장소: 서울특별시 강남구 테헤란로 1",
)


def scanned_page(path):
    """Draw SCAN_LINES on a white 1400x900 page; returns (path, word boxes)."""
    from PIL import Image, ImageDraw, ImageFont

    from reports.crops import WordBox
    from reports.pdf import find_font

    font = ImageFont.truetype(str(find_font("NanumGothic.ttf")), 30)
    page = Image.new("RGB", (1400, 900), "white")
    draw = ImageDraw.Draw(page)
    words = []
    for n, line in enumerate(SCAN_LINES):
        x, y = 60, 80 + n * 110
        for word in line.split(" "):
            left, top, right, bottom = draw.textbbox((x, y), word, font=font)
            draw.text((x, y), word, font=font, fill="black")
            words.append(WordBox(text=word, left=left, top=top, width=right - left,
                                 height=bottom - top, line=f"1.1.{n}"))
            x = right + 14
    page.save(path)
    return path, words


def kept_page(path, words, page: int = 2) -> dict:
    """What extraction keeps of an OCR page for the crops: page -> PageLayout (image + boxes)."""
    from PIL import Image

    from extractors.records import PageLayout

    with Image.open(path) as image:
        width, height = image.size
    return {page: PageLayout(image=str(path), width=width, height=height, words=list(words))}
