"""Addendum DOCX: Korean and English, East Asian font, signature blocks, masking."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from test_reports_samples import (
    ACCOUNT,
    EMPLOYEE,
    PASSPORT,
    PHONE,
    RRN,
    SECRETS,
    english_result,
    ok_result,
)

from reports.docx_addendum import KOREAN_FONT, write_addendum_docx
from reports.pii import mask_result


def _text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "a.addendum.docx"
    assert write_addendum_docx(mask_result(ok_result()), path) == path
    return path


def test_addendum_has_both_languages_and_the_new_title(docx_path: Path) -> None:
    text = _text(docx_path)
    for part in ("근로계약서 부속합의서", "Addendum to the Employment Contract",
                 "제1조 (직위)", "Article 1 (Title)", "응용 소프트웨어 개발자", "KSCO 2223",
                 "주식회사 한빛소프트"):
        assert part in text


def test_addendum_has_places_for_signatures_dates_and_seal(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    table = doc.tables[-1]
    header = [c.text for c in table.rows[0].cells]
    assert any("서명" in h for h in header) and any("날짜" in h for h in header)
    cells = "\n".join(c.text for row in table.rows for c in row.cells)
    assert "직인" in cells and "(인)" in cells and "사용자" in cells and "근로자" in cells
    assert "작성일 / Date" in _text(docx_path)


def test_every_run_has_a_korean_east_asian_font(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells
             for p in c.paragraphs for r in p.runs if r.text.strip()]
    assert runs
    for run in runs:
        fonts = run._element.rPr.rFonts
        assert fonts is not None and fonts.get(qn("w:eastAsia")) == KOREAN_FONT
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == KOREAN_FONT


def test_identifiers_are_masked_in_the_docx(docx_path: Path) -> None:
    text = _text(docx_path)
    for secret in (*SECRETS, EMPLOYEE):
        assert secret not in text
    assert "홍**" in text


def test_show_pii_keeps_identifiers(tmp_path: Path) -> None:
    path = write_addendum_docx(ok_result(), tmp_path / "x.docx")
    text = _text(path)
    for secret in (RRN, PASSPORT, PHONE, ACCOUNT, EMPLOYEE):
        assert secret in text


def test_no_docx_without_an_addendum(tmp_path: Path) -> None:
    assert write_addendum_docx(english_result(), tmp_path / "x.docx") is None
    assert not (tmp_path / "x.docx").exists()
