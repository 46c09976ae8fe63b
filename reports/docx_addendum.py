"""Editable DOCX of the addendum draft (부속합의서), Korean and English, with signature blocks."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.run import Run

from matchers.records import AddendumDraft
from reports.paths import atomic_write_bytes
from reports.records import DocumentResult

log = logging.getLogger(__name__)

KOREAN_FONT = "NanumGothic"  # East Asian font of every run; Word substitutes Malgun Gothic if absent
LATIN_FONT = "Arial"
TITLE_KO = "근로계약서 부속합의서"
TITLE_EN = "Addendum to the Employment Contract"
# Signature table rows: party label (ko / en) for employer and employee.
PARTIES = (("사용자 (갑)", "Employer"), ("근로자 (을)", "Employee"))


def write_addendum_docx(result: DocumentResult, path: Path) -> Path | None:
    """Write the addendum of `result` as DOCX at `path`; None (nothing written) without one."""
    if result.addendum is None:
        return None
    return atomic_write_bytes(path, addendum_docx_bytes(result, result.addendum))


def addendum_docx_bytes(result: DocumentResult, draft: AddendumDraft) -> bytes:
    doc = Document()
    _set_default_fonts(doc)
    _heading(doc, TITLE_KO, TITLE_EN)
    _intro(doc, result, draft)
    _body(doc, "국문", draft.text_ko)
    _body(doc, "English", draft.text_en)
    _closing(doc)
    _signature_table(doc, result)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _set_default_fonts(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = Pt(10.5)
    _east_asian(style.element.get_or_add_rPr())
    for name in ("Heading 1", "Heading 2", "Title"):
        _east_asian(doc.styles[name].element.get_or_add_rPr())


def _east_asian(rpr) -> None:
    """Set w:rFonts/@w:eastAsia so Word draws Hangul with a Korean font."""
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), KOREAN_FONT)
    fonts.set(qn("w:hint"), "eastAsia")


def _run(paragraph, text: str, *, bold: bool = False, size: float | None = None) -> Run:
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    run.font.name = LATIN_FONT
    _east_asian(run._element.get_or_add_rPr())
    return run


def _heading(doc, ko: str, en: str) -> None:
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(para, ko, bold=True, size=16)
    para.add_run().add_break()
    _run(para, en, bold=True, size=12)


def _intro(doc, result: DocumentResult, draft: AddendumDraft) -> None:
    employer = result.fields.employer.value or "(사용자 / employer)"
    employee = result.fields.employee_name.value or "(근로자 / employee)"
    para = doc.add_paragraph()
    _run(para, f"{employer}(이하 '갑')과 {employee}(이하 '을')은 기존 근로계약서에 대하여 "
               "다음과 같이 부속합의서를 체결한다.")
    para = doc.add_paragraph()
    _run(para, f"{employer} (the 'Employer') and {employee} (the 'Employee') agree to the "
               "following addendum to their existing employment contract.")
    title = f"{draft.title_ko}" + (f" / {draft.title_en}" if draft.title_en else "")
    _run(doc.add_paragraph(), f"직위 / Title: {title} (KSCO {draft.code})", bold=True)


def _body(doc, heading: str, text: str) -> None:
    _run(doc.add_paragraph(), heading, bold=True, size=12)
    for line in text.splitlines():
        if line.strip():
            _run(doc.add_paragraph(), line)


def _closing(doc) -> None:
    _run(doc.add_paragraph(), "본 합의서에 정하지 않은 사항은 기존 근로계약서에 따른다. "
                             "Matters not covered here follow the existing contract.")
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(para, "작성일 / Date:        년 (YYYY)      월 (MM)      일 (DD)")


def _signature_table(doc, result: DocumentResult) -> None:
    table = doc.add_table(rows=1 + len(PARTIES), cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    headers = ("구분 / Party", "성명·상호 / Name", "서명 / Signature", "날짜 / Date")
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _run(cell.paragraphs[0], text, bold=True)
    names = (result.fields.employer.value or "", result.fields.employee_name.value or "")
    for row, (ko, en), name in zip(table.rows[1:], PARTIES, names, strict=True):
        _run(row.cells[0].paragraphs[0], f"{ko}\n{en}")
        _run(row.cells[1].paragraphs[0], name)
        mark = "(인) / (seal)" if en == "Employee" else "(직인) / (company seal)"
        _run(row.cells[2].paragraphs[0], f"\n\n{mark}")
        _run(row.cells[3].paragraphs[0], "     .     .     .")
