"""DOCX, HWPX and HWP 5 files read into page text and tables."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK

from extractors.errors import CorruptDocument, EmptyDocument
from extractors.office import _HwpSection, _records, decode_para_text
from extractors.pipeline import read_document
from extractors.records import Route
from tests.ocr_fakes import FakeOcrEngine

REAL_FORMS = Path(__file__).resolve().parents[2] / "shared" / "real_forms"
HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"


def make_docx(path: Path, *, page_break: bool = False) -> Path:
    document = docx.Document()
    document.add_paragraph("근로계약서")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "직위", (0, 1): "선임연구원", (1, 0): "업무의 내용", (1, 1): ""}.items():
        table.cell(r, c).text = text
    paragraph = document.add_paragraph("임금: 월 4,000,000원")
    if page_break:
        paragraph.add_run().add_break(WD_BREAK.PAGE)
        document.add_paragraph("제2쪽 근무장소: 서울")
    document.save(str(path))
    return path


def hwpx_section(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hs="http://www.hancom.co.kr/'
            f'hwpml/2011/section" xmlns:hp="{HP}">{body}</hs:sec>').encode()


def para(text: str, inner: str = "") -> str:
    return f'<hp:p><hp:run><hp:t>{text}</hp:t>{inner}</hp:run></hp:p>'


def cell(text: str) -> str:
    return f"<hp:tc><hp:subList>{para(text)}</hp:subList></hp:tc>"


def make_hwpx(path: Path, sections: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/hwp+zip")
        for i, body in enumerate(sections):
            z.writestr(f"Contents/section{i}.xml", hwpx_section(body))
    return path


def test_docx_text_and_tables_in_order(tmp_path):
    ref, pages, problems = read_document(make_docx(tmp_path / "c.docx"), ocr=FakeOcrEngine())
    assert ref.media_type.endswith("wordprocessingml.document") and problems == []
    assert pages[0].route is Route.text_layer
    assert pages[0].text.splitlines() == ["근로계약서", "직위 선임연구원", "업무의 내용",
                                          "임금: 월 4,000,000원"]
    assert pages[0].tables == [[["직위", "선임연구원"], ["업무의 내용", ""]]]


def test_docx_page_break_starts_a_page(tmp_path):
    _, pages, _ = read_document(make_docx(tmp_path / "c.docx", page_break=True))
    assert [p.page for p in pages] == [1, 2] and pages[1].text == "제2쪽 근무장소: 서울"


def test_hwpx_paragraphs_and_tables(tmp_path):
    table = ('<hp:tbl><hp:tr>' + cell("직위") + cell("연구원") + '</hp:tr><hp:tr>'
             + cell("임금") + cell("월 300만원") + "</hp:tr></hp:tbl>")
    body = para("근로계약서") + para("", inner=table) + para("제1조 목적")
    path = make_hwpx(tmp_path / "c.hwpx", [body, para("둘째 구역")])
    ref, pages, _ = read_document(path)
    assert ref.media_type == "application/hwp+zip" and ref.page_count == 2
    assert pages[0].text.splitlines() == ["근로계약서", "직위 연구원", "임금 월 300만원", "제1조 목적"]
    assert pages[0].tables == [[["직위", "연구원"], ["임금", "월 300만원"]]]
    assert pages[1].text == "둘째 구역"


def test_hwpx_text_is_nfc(tmp_path):
    decomposed = "\u1100\u1173\u11ab\u1105\u1169"  # 근로 as conjoining jamo
    _, pages, _ = read_document(make_hwpx(tmp_path / "c.hwpx", [para(decomposed)]))
    assert pages[0].text == "근로"


def test_empty_hwpx_is_empty(tmp_path):
    with pytest.raises(EmptyDocument):
        read_document(make_hwpx(tmp_path / "c.hwpx", [para("")]))


def test_broken_hwpx_xml_is_corrupt(tmp_path):
    path = tmp_path / "c.hwpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/hwp+zip")
        z.writestr("Contents/section0.xml", b"<hs:sec><hp:p>")
    with pytest.raises(CorruptDocument):
        read_document(path)


def test_decode_para_text_skips_inline_controls():
    units = [ord("근"), 9, *[0] * 7, ord("로"), 11, *[0] * 7, ord("자"), 13]
    assert decode_para_text(struct.pack(f"<{len(units)}H", *units)) == "근\t로자"


def record(tag: int, level: int, payload: bytes) -> bytes:
    return struct.pack("<I", tag | (level << 10) | (len(payload) << 20)) + payload


def text_record(level: int, text: str) -> bytes:
    return record(67, level, text.encode("utf-16-le") + struct.pack("<H", 13))


def cell_header(col: int, row: int) -> bytes:
    return record(72, 2, b"\x01\x00" + b"\x00" * 6 + struct.pack("<HHHH", col, row, 1, 1))


def test_hwp_table_cells_become_rows():
    data = b"".join([
        record(66, 0, b"\x00" * 12), text_record(1, "근로계약서"),
        record(66, 0, b"\x00" * 12), record(71, 1, b" lbt" + b"\x00" * 8), record(77, 2, b""),
        cell_header(0, 0), record(66, 2, b"\x00" * 12), text_record(3, "직위"),
        cell_header(1, 0), record(66, 2, b"\x00" * 12), text_record(3, "연구원"),
        cell_header(0, 1), record(66, 2, b"\x00" * 12), text_record(3, "임금"),
        record(66, 0, b"\x00" * 11 + b"\x04"), text_record(1, "다음 쪽"),
    ])
    pages = _HwpSection(_records(data)).pages()
    assert pages[0] == (["근로계약서", "직위 연구원", "임금"], [[["직위", "연구원"], ["임금"]]])
    assert pages[1] == (["다음 쪽"], [])


@pytest.mark.skipif(not REAL_FORMS.is_dir(), reason="shared real forms absent")
@pytest.mark.parametrize("name", ["skn30__201231_SW종사자_기간제단시간_표준근로계약서.hwp",
                                  "skn30__별지제6호의2서식_표준근로계약서_농업축산업어업.hwp"])
def test_real_hwp5_forms_are_read(name):
    path = REAL_FORMS / name
    if not path.exists():
        pytest.skip("form absent")
    ref, pages, problems = read_document(path)
    text = "\n".join(p.text for p in pages)
    assert ref.media_type == "application/x-hwp" and problems == []
    assert "근로" in text and "임금" in text and len(text) > 3000
    assert any(p.tables for p in pages)


@pytest.mark.skipif(not REAL_FORMS.is_dir(), reason="shared real forms absent")
def test_real_agriculture_form_keeps_bilingual_table_rows():
    path = REAL_FORMS / "skn30__별지제6호의2서식_표준근로계약서_농업축산업어업.hwp"
    if not path.exists():
        pytest.skip("form absent")
    _, pages, _ = read_document(path)
    assert "업체명 Name of the enterprise" in pages[0].text
