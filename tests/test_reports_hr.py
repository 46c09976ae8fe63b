"""Reports an HR officer can act on, rendered for the sample contracts: the verdict line in every
report type, the code to file under, the signable addendum (particles, dates, A4, styles) and
the Excel summary (headers, print setup, fills)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook

from flows.documents import audit_file
from matchers.rules.korean import UNRESOLVED
from reports.docx_addendum import KOREAN_FONT, LANGUAGE
from reports.output import build_summary, summary_entry, write_result, write_summary
from reports.records import VerdictKind
from reports.render import render_batch, render_document_reports
from reports.verdict import verdict_line

SAMPLES = Path(__file__).resolve().parent.parent / "sample_docs"
SEED = "04_bilingual_seed_case_office_assistant.pdf"
CLEAN = "01_moel_standard_web_developer.pdf"
ENGLISH = "05_offer_letter_sales_manager.pdf"
ACTION_LINE = "조치 필요: 직위 정정 부속합의서 권고 / Action needed: addendum correcting the title"


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("hr")
    results, entries, written = {}, [], {}
    for name in (SEED, CLEAN, ENGLISH):
        result = audit_file(SAMPLES / name)
        results[name] = result
        written[name] = render_document_reports(result, out)
        rel = write_result(result, out)
        entries.append(summary_entry(result, rel, source=name))
    summary = build_summary(entries)
    write_summary(summary, out)
    written["batch"] = render_batch(summary, list(results.values()), out)
    return out, {"results": results, "written": written, "summary": summary}


def _html_text(path: Path) -> str:
    return re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))


def test_verdicts_of_the_samples(audited) -> None:
    results = audited[1]["results"]
    seed, clean, english = results[SEED], results[CLEAN], results[ENGLISH]
    assert verdict_line(seed.verdict) == ACTION_LINE and seed.worst_severity == "high"
    assert clean.verdict.kind is VerdictKind.no_action and verdict_line(clean.verdict) == "문제 없음 / No action"
    assert clean.findings and all(f.rule.startswith("f27_") for f in clean.findings)  # notes only
    assert english.verdict.kind is VerdictKind.action_needed and english.worst_severity == "medium"
    # the code to file under is the addendum's (whatever the matcher ranks first)
    assert seed.occupation.recommended_code == seed.addendum.code
    assert seed.occupation.recommended_basis == "addendum"
    assert seed.occupation.recommended_e7_subcategory == "E-7-1"
    assert clean.occupation.recommended_code == "2224" and not clean.occupation.needs_review


def test_html_and_pdf_open_with_the_verdict(audited) -> None:
    state = audited[1]
    seed = state["written"][SEED]
    html = seed["html"].read_text(encoding="utf-8")
    verdict = re.search(r'<p class="verdict action_needed" id="verdict">(.*?)</p>', html, re.DOTALL)
    assert verdict and ACTION_LINE in verdict.group(1) and "높음 / High" in verdict.group(1)
    assert html.index('id="verdict"') < html.index('id="findings"')
    assert "직위가 포괄적임 <span class=\"en\">/ Generic title</span>" in html
    assert '<span class="rule-id">generic_title</span>' in html  # the id in small print
    notes = re.search(r'<details class="notes low" id="f27-notes">(.*?)</details>', html, re.DOTALL)
    assert notes and "f27_income_points" in notes.group(1)
    findings = html[html.index('id="findings"'):html.index('id="f27-notes"')]
    assert 'data-rule="f27_income_points"' not in findings  # collapsed into the notes section
    assert not UNRESOLVED.search(_html_text(seed["html"]))
    clean_html = state["written"][CLEAN]["html"].read_text(encoding="utf-8")
    assert '<p class="verdict no_action" id="verdict"><span class="verdict-label">문제 없음 / No action' \
        in clean_html
    with pdfplumber.open(seed["pdf"]) as pdf:
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == (595, 842)  # A4 in points
        text = page.extract_text()
    assert "조치 필요: 직위 정정 부속합의서 권고" in text and "Action needed" in text


def test_json_and_summary_carry_verdict_and_recommended_code(audited) -> None:
    out = audited[0]
    raw = next(out.glob("04_*.json")).read_text(encoding="utf-8")
    assert "조치 필요" in raw and "\\u" not in raw  # ensure_ascii=False
    data = json.loads(raw)
    assert data["verdict"]["kind"] == "action_needed" and data["worst_severity"] == "high"
    assert data["occupation"]["recommended_code"] == data["addendum"]["code"]
    assert data["occupation"]["needs_review"] in (True, False)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    seed = next(d for d in summary["documents"] if d["source"] == SEED)
    assert seed["verdict"] == "action_needed" and seed["verdict_text"] == ACTION_LINE
    assert seed["worst_severity"] == "high" and seed["recommended_code"] == data["addendum"]["code"]
    assert seed["recommended_e7_subcategory"] == "E-7-1"
    assert next(d for d in summary["documents"] if d["source"] == CLEAN)["verdict"] == "no_action"


def test_addendum_docx_is_signable(audited) -> None:
    state = audited[1]
    path = state["written"][SEED]["docx"]
    doc = Document(str(path))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    styles = [p.style.name for p in doc.paragraphs]
    for style in ("Title", "Heading 1", "Heading 2", "List Number"):
        assert style in styles, style
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings[:5] == ["제1조(직위)", "제2조(업무 내용)", "제3조(자격)", "제4조(효력)", "제5조(시행일)"]
    assert "Article 5 (Effective date)" in headings
    text = "\n".join(p.text for p in doc.paragraphs)
    korean = text[:text.index("English")]
    assert not UNRESOLVED.search(text)
    assert '"사무보조원"을 ' in korean and "2026년 3월 2일" in korean and "2026-03-02" not in korean
    assert korean.count("다음과 같이 합의한다") == 1  # one preamble
    assert "NGUYEN VAN AN" in text  # the parties sign with their real names
    items = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert items and all("\n" not in i and "( √ )" not in i and "기타" not in i for i in items)
    normal = doc.styles["Normal"].element.rPr
    assert normal.rFonts.get(qn("w:eastAsia")) == KOREAN_FONT == "맑은 고딕"
    assert normal.find(qn("w:lang")).get(qn("w:eastAsia")) == LANGUAGE == "ko-KR"
    fonts = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    assert 'w:altName w:val="NanumGothic"' in fonts.blob.decode("utf-8")


def test_korean_addendum_text_holds_no_english(audited) -> None:
    addendum = audited[1]["results"][SEED].addendum
    # Latin letters in the Korean text may only come from the contract itself: the employee's
    # name, the duties as written (Java/Spring Boot) and the visa code.
    leftover = re.sub(r"NGUYEN VAN AN|E-7-1|\([^)]*\)|API|CI/CD", "", addendum.text_ko)
    assert not re.search(r"[A-Za-z]", leftover), leftover


def test_summary_xlsx_as_hr_uses_it(audited) -> None:
    written = audited[1]["written"]["batch"]
    sheet = load_workbook(written["xlsx"]).active
    korean, english = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert korean[:3] == ["파일", "근로자", "판정"] and english[:3] == ["File", "Employee", "Verdict"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.print_title_rows == "$1:$2"
    rows = {row[english.index("File")].value: row for row in sheet.iter_rows(min_row=3)}
    seed = rows[SEED]
    assert seed[english.index("Verdict")].value == "조치 필요\nAction needed"
    assert seed[english.index("Verdict")].fill.fgColor.rgb.endswith("FFCDD2")
    assert seed[english.index("Worst severity")].fill.fgColor.rgb.endswith("FFCDD2")
    assert seed[english.index("Employee")].value == "N***** V** A*"
    assert seed[english.index("Annual salary (KRW)")].value == 43_200_000
    assert seed[english.index("E-7 sub-category")].value == "E-7-1"
    assert rows[CLEAN][english.index("Verdict")].fill.fgColor.rgb.endswith("C8E6C9")
    index = written["index"].read_text(encoding="utf-8")
    assert 'data-verdict="action_needed"' in index and 'data-verdict="no_action"' in index
    assert "F-2-7" in index and ">f27_income_points<" not in index


def _finding(rule: str, severity: str):
    from matchers.records import Finding

    return Finding(rule=rule, severity=severity, message=rule)


def test_verdict_rules() -> None:
    from extractors.records import Status
    from matchers.records import OccupationCandidate, OccupationMatch
    from reports.verdict import judge, recommend_code

    sure = OccupationMatch(needs_review=False)
    notes = [_finding("f27_income_points", "low"), _finding("f27_fast_track", "low")]
    assert judge(Status.success, notes, sure, None).kind is VerdictKind.no_action
    assert judge(Status.success, notes, sure, None).worst_severity is None  # notes have no severity to show
    assert judge(Status.success, notes, sure.model_copy(update={"needs_review": True}),
                 None).kind is VerdictKind.review
    assert judge(Status.partial, [], sure, None).kind is VerdictKind.review
    review = judge(Status.success, [_finding("title_duties_review", "low"), *notes], sure, None)
    assert review.kind is VerdictKind.review and review.rules == ["title_duties_review"]
    low = judge(Status.success, [_finding("salary_below_floor", "high")], sure, None)
    assert verdict_line(low) == "조치 필요: 임금 인상 변경계약 / Action needed: raise the salary by an amendment"
    assert judge(Status.failed, [], sure, None).kind is VerdictKind.not_audited
    # a clerical title over professional duties, no addendum: the duties' code, to review
    clerk = OccupationCandidate(code="3142", name_ko="사무 보조원", score=0.7)
    dev = OccupationCandidate(code="2223", name_ko="응용 소프트웨어 개발자", score=0.5,
                              e7_subcategory="E-7-1")
    match = OccupationMatch(candidates=[clerk, dev], duties_candidates=[dev], needs_review=False)
    chosen = recommend_code(match, [_finding("generic_title", "high")], None)
    assert (chosen.recommended_code, chosen.recommended_basis) == ("2223", "duties")
    assert chosen.needs_review and chosen.recommended_e7_subcategory == "E-7-1"
    plain = recommend_code(match, [], None)
    assert (plain.recommended_code, plain.needs_review) == ("3142", False)


def test_every_rule_has_korean_and_english_names() -> None:
    from matchers.rules import RULES
    from reports.verdict import RULE_NAMES, is_informational

    for spec in RULES:
        name = RULE_NAMES.get(spec.id)
        assert name is not None and name.ko != spec.id and name.en != spec.id, spec.id
        assert is_informational(spec.id) or (name.action_ko and name.action_en), spec.id
