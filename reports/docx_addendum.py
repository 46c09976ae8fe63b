"""Editable DOCX of the addendum draft (부속합의서), Korean then English, with signature blocks.

A document people sign as generated: A4 with Word's own styles (Title, Heading 1/2, List Number,
Normal), one preamble, numbered articles ending with the effective-date clause, 맑은 고딕 (on
every Korean Windows/Office install) with NanumGothic named as its alternative, language ko-KR,
and the parties' real names (the caller masks identifiers such as ID and passport numbers)."""

from __future__ import annotations

import copy
import io
import logging
import re
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from matchers.records import AddendumDraft
from matchers.rules.addendum import party_name
from reports.paths import atomic_write_bytes
from reports.records import DocumentResult

log = logging.getLogger(__name__)

KOREAN_FONT = "맑은 고딕"  # East Asian font of every run: on every Korean Windows/Office install
LATIN_FONT = "Malgun Gothic"  # the same font under its Latin name, for Latin letters and digits
FALLBACK_FONT = "NanumGothic"  # named as the alternative in the font table (Linux, LibreOffice)
LANGUAGE = "ko-KR"  # language of the Korean (East Asian) text
LATIN_LANGUAGE = "en-US"  # language of Latin letters: names, the English version
A4 = (Mm(210), Mm(297))
TITLE_KO = "근로계약서 부속합의서"
TITLE_EN = "Addendum to the Employment Contract"
PREVAILS = ("이 합의서는 국문과 영문으로 작성하며, 두 내용이 다를 때에는 국문에 따른다. / "
            "This addendum is made in Korean and English; where they differ, the Korean text "
            "prevails.")
# Signature table rows: party label (ko / en) for employer and employee.
PARTIES = (("사용자 (갑)", "Employer"), ("근로자 (을)", "Employee"))
ARTICLE = re.compile(r"^(?:제\d+조\s*\(.+\)|Article \d+ \(.+\))$")
ITEM = re.compile(r"^\s+(\d+)\.\s+(.*)$")
# Styles the addendum uses; tests check they exist and are applied.
STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "List Number", "Normal")


def write_addendum_docx(result: DocumentResult, path: Path) -> Path | None:
    """Write the addendum of `result` as DOCX at `path`; None (nothing written) without one."""
    if result.addendum is None:
        return None
    return atomic_write_bytes(path, addendum_docx_bytes(result, result.addendum))


def addendum_docx_bytes(result: DocumentResult, draft: AddendumDraft) -> bytes:
    doc = Document()
    _page_setup(doc)
    _styles(doc)
    _font_table(doc)
    doc.core_properties.language = LANGUAGE
    doc.core_properties.title = f"{TITLE_KO} / {TITLE_EN}"
    _run(doc.add_paragraph(style="Title"), TITLE_KO).bold = True
    _run(doc.add_paragraph(style="Subtitle"), TITLE_EN)
    _run(doc.add_paragraph(style="Normal"),
         f"직위 / Title: {draft.title_ko}" + (f" ({draft.title_en})" if draft.title_en else "")
         + f", 한국표준직업분류 / KSCO {draft.code}").bold = True
    _body(doc, "국문", draft.text_ko)
    _body(doc, "English", draft.text_en)
    _run(doc.add_paragraph(style="Normal"), PREVAILS)
    _closing(doc)
    _signature_table(doc, result)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _page_setup(doc: DocxDocument) -> None:
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4
        section.top_margin = section.bottom_margin = Mm(25)
        section.left_margin = section.right_margin = Mm(22)


def _styles(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25
    _no_autospace(normal.element.get_or_add_pPr())
    for name in STYLES:
        rpr = doc.styles[name].element.get_or_add_rPr()
        _east_asian(rpr)
        _language(rpr)
    for name in ("Title", "Subtitle"):
        doc.styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.styles["Title"].font.size = Pt(18)
    doc.styles["Heading 1"].font.size = Pt(13)
    doc.styles["Heading 2"].font.size = Pt(11)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _east_asian(rpr)
            _language(rpr)


# w:pPr children that come after w:autoSpaceDE/DN in the schema's sequence.
_AFTER_AUTOSPACE = ("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                    "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _no_autospace(ppr: BaseOxmlElement) -> None:
    """No automatic space between Hangul and Latin letters or digits ("제1조", not "제 1 조")."""
    later = next((child for child in ppr if child.tag in {qn(t) for t in _AFTER_AUTOSPACE}), None)
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):
        flag = OxmlElement(name)
        flag.set(qn("w:val"), "0")
        if later is None:
            ppr.append(flag)
        else:
            later.addprevious(flag)


def _font_table(doc: DocxDocument) -> None:
    """Name NanumGothic as the alternative of 맑은 고딕 in word/fontTable.xml."""
    for part in doc.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        entry = (f'<w:font w:name="{KOREAN_FONT}"><w:altName w:val="{FALLBACK_FONT}"/>'
                 '<w:charset w:val="81"/><w:family w:val="swiss"/><w:pitch w:val="variable"/>'
                 f'</w:font><w:font w:name="{LATIN_FONT}"><w:altName w:val="{FALLBACK_FONT}"/>'
                 '<w:charset w:val="81"/><w:family w:val="swiss"/><w:pitch w:val="variable"/>'
                 '</w:font>')
        blob = part.blob.decode("utf-8")
        part._blob = blob.replace("</w:fonts>", entry + "</w:fonts>").encode("utf-8")


def _east_asian(rpr: BaseOxmlElement) -> None:
    """w:rFonts: 맑은 고딕 for Hangul (eastAsia) and Latin text alike."""
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), KOREAN_FONT)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    # No w:hint="eastAsia": it makes Latin text an East Asian script, which LibreOffice then
    # breaks between any two letters.


def _language(rpr: BaseOxmlElement, latin: str = LATIN_LANGUAGE) -> None:
    """w:lang: Korean for Hangul (w:eastAsia), English for Latin text (w:val): Latin text
    marked Korean is broken between any two letters by LibreOffice."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), latin)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def _run(paragraph: Paragraph, text: str, *, bold: bool = False, size: float | None = None) -> Run:
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if size:
        run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    _east_asian(rpr)
    _language(rpr)
    return run


def _body(doc: DocxDocument, heading: str, text: str) -> None:
    """One language version: Heading 1, the preamble, articles as Heading 2, duties numbered."""
    _run(doc.add_paragraph(style="Heading 1"), heading)
    num_id = _new_numbering(doc)
    for line in text.splitlines():
        if not line.strip():
            continue
        item = ITEM.match(line)
        if ARTICLE.match(line.strip()):
            _run(doc.add_paragraph(style="Heading 2"), line.strip())
        elif item:
            para = doc.add_paragraph(style="List Number")
            _number(para, num_id)
            _run(para, item.group(2))
        else:
            _run(doc.add_paragraph(style="Normal"), line.strip())


def _new_numbering(doc: DocxDocument) -> int | None:
    """A numbering instance of the List Number style that restarts at 1 (one per language)."""
    style = doc.styles["List Number"].element
    num_pr = style.find(qn("w:pPr") + "/" + qn("w:numPr"))
    if num_pr is None or num_pr.find(qn("w:numId")) is None:
        return None
    base = int(num_pr.find(qn("w:numId")).get(qn("w:val")))
    numbering = doc.part.numbering_part.element
    source = next((n for n in numbering.findall(qn("w:num")) if int(n.get(qn("w:numId"))) == base),
                  None)
    if source is None:
        return None
    fresh = copy.deepcopy(source)
    new_id = max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1
    fresh.set(qn("w:numId"), str(new_id))
    override = OxmlElement("w:lvlOverride")
    override.set(qn("w:ilvl"), "0")
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    fresh.append(override)
    numbering.append(fresh)
    return new_id


def _number(paragraph: Paragraph, num_id: int | None) -> None:
    if num_id is None:
        return
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), str(num_id))
    num_pr.append(ilvl)
    num_pr.append(num)
    style = ppr.find(qn("w:pStyle"))
    if style is None:
        ppr.insert(0, num_pr)
    else:
        style.addnext(num_pr)


def _closing(doc: DocxDocument) -> None:
    para = doc.add_paragraph(style="Normal")
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.space_before = Pt(12)
    _run(para, "작성일 / Date:        년        월        일")


def _signature_table(doc: DocxDocument, result: DocumentResult) -> None:
    table = doc.add_table(rows=1 + len(PARTIES), cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    headers = ("구분 / Party", "성명·상호 / Name", "서명 / Signature", "날짜 / Date")
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _run(cell.paragraphs[0], text, bold=True)
    names = (party_name(result.fields.employer.value), party_name(result.fields.employee_name.value))
    for row, (ko, en), name in zip(table.rows[1:], PARTIES, names, strict=True):
        _run(row.cells[0].paragraphs[0], f"{ko}\n{en}")
        _run(row.cells[1].paragraphs[0], name)
        mark = "(인) / (seal)" if en == "Employee" else "(직인) / (company seal)"
        _run(row.cells[2].paragraphs[0], f"\n\n{mark}")
        _run(row.cells[3].paragraphs[0], "      년     월     일")
