"""PDF reading and per-page routing: text layer, image-only, (cid:) layers, mixed documents."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from extractors.pipeline import read_document
from extractors.records import Route
from extractors.routing import choose_route
from tests.ocr_fakes import FakeOcrEngine

CID_FONT = "HYSMyeongJo-Medium"
NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
LINES = ["근로계약서", "1. 근로계약기간: 2025년 3월 1일부터", "2. 업무의 내용: 소프트웨어 개발",
         "3. 임금: 월 4,000,000원", "4. 근무장소: 서울특별시 강남구"] * 3
pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))


def scan_image(lines=LINES, size=(1240, 1754)) -> Image.Image:
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(NANUM), 28)
    for i, line in enumerate(lines):
        draw.text((100, 120 + i * 60), line, fill=0, font=font)
    return image


def text_page(c: canvas.Canvas, lines=LINES, font=CID_FONT) -> None:
    c.setFont(font, 12)
    for i, line in enumerate(lines):
        c.drawString(72, 780 - i * 20, line)
    c.showPage()


def image_page(c: canvas.Canvas, caption: str | None = None) -> None:
    c.drawImage(ImageReader(scan_image()), 0, 0, width=595, height=842)
    if caption:
        c.setFont(CID_FONT, 8)
        c.drawString(20, 20, caption)
    c.showPage()


def make_pdf(path: Path, *pages) -> Path:
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    for draw in pages:
        draw(c)
    c.save()
    return path


def cid_pdf(path: Path) -> Path:
    """A NanumGothic text PDF whose ToUnicode maps are disabled (same byte length)."""
    pdfmetrics.registerFont(TTFont("NanumGothic", str(NANUM)))
    c = canvas.Canvas(str(path), pagesize=(595, 842), pageCompression=0)
    text_page(c, font="NanumGothic")
    c.save()
    path.write_bytes(path.read_bytes().replace(b"/ToUnicode", b"/XoUnicode"))
    return path


def plumber_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return pdf.pages[0].extract_text() or ""


def test_text_pdf_uses_the_text_layer(tmp_path):
    path = make_pdf(tmp_path / "text.pdf", text_page)
    assert "근로계약서" in plumber_text(path)
    ref, pages, problems = read_document(path, ocr=FakeOcrEngine())
    assert ref.media_type == "application/pdf" and ref.page_count == 1
    assert pages[0].route is Route.text_layer and "업무의 내용" in pages[0].text
    assert pages[0].confidence is None and problems == []


def test_image_only_pdf_goes_to_ocr(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", image_page)
    assert plumber_text(path).strip() == ""
    engine = FakeOcrEngine(["근로계약서 OCR"])
    _, pages, _ = read_document(path, ocr=engine)
    assert pages[0].route is Route.ocr and pages[0].reason == "no text layer"
    assert pages[0].text == "근로계약서 OCR" and pages[0].confidence == pytest.approx(0.93)
    assert engine.calls[0][1][0] == pytest.approx(2480, abs=2)  # rendered at 300 DPI


def test_cid_text_layer_goes_to_ocr(tmp_path):
    path = cid_pdf(tmp_path / "cid.pdf")
    assert "(cid:" in plumber_text(path)
    _, pages, _ = read_document(path, ocr=FakeOcrEngine(["읽은 글"]))
    assert pages[0].route is Route.ocr and "(cid:)" in pages[0].reason
    assert pages[0].text == "읽은 글"


def test_caption_over_a_scan_is_too_little_text(tmp_path):
    path = make_pdf(tmp_path / "caption.pdf", lambda c: image_page(c, caption="스캔 1쪽"))
    assert "스캔" in plumber_text(path)
    _, pages, _ = read_document(path, ocr=FakeOcrEngine(["본문"]))
    assert pages[0].route is Route.ocr and "too little text" in pages[0].reason


def test_mixed_pdf_uses_both_routes_in_page_order(tmp_path):
    path = make_pdf(tmp_path / "mixed.pdf", text_page, image_page, text_page)
    engine = FakeOcrEngine({2: "둘째 쪽"})
    _, pages, _ = read_document(path, ocr=engine)
    assert [p.route for p in pages] == [Route.text_layer, Route.ocr, Route.text_layer]
    assert [p.page for p in pages] == [1, 2, 3] and pages[1].text == "둘째 쪽"
    assert [call[0] for call in engine.calls] == [2]


def test_blank_page_is_not_sent_to_ocr(tmp_path):
    path = make_pdf(tmp_path / "blank.pdf", text_page, lambda c: c.showPage())
    engine = FakeOcrEngine()
    _, pages, _ = read_document(path, ocr=engine)
    assert pages[1].route is Route.text_layer and pages[1].reason == "blank page"
    assert engine.calls == []


def test_tables_are_extracted_with_empty_cells(tmp_path):
    def table_page(c):
        c.setFont(CID_FONT, 11)
        for x in (72, 222, 372):
            c.line(x, 200, x, 260)
        for y in (200, 230, 260):
            c.line(72, y, 372, y)
        c.drawString(80, 240, "직위")
        c.drawString(230, 240, "연구원")
        c.drawString(80, 210, "임금")
        text_page(c)

    _, pages, _ = read_document(make_pdf(tmp_path / "t.pdf", table_page), ocr=FakeOcrEngine())
    assert pages[0].tables == [[["직위", "연구원"], ["임금", ""]]]


@pytest.mark.parametrize(
    ("text", "ink", "route"),
    [
        ("", 0.05, Route.ocr),
        ("", 0.0005, Route.text_layer),
        ("근로 (cid:12)(cid:13)", 0.05, Route.ocr),
        ("근로계약서 \ufffd\ufffd\ufffd", 0.01, Route.ocr),
        ("근로계약서 " * 200, 0.05, Route.text_layer),
        ("1쪽", 0.08, Route.ocr),
    ],
)
def test_choose_route(text, ink, route):
    assert choose_route(text, ink)[0] is route


# ---------------------------------------------------------------- text layers that lie
LYING = ["표준근로계약서", "1. 근로계약기간 : 2026년 3월 2일부터", "2. 업무의 내용 : 웹 개발자 – 쇼핑몰 개발",
         "3. 임금 : 월 3,800,000원", "4. 소정근로시간 : 09시 00분부터 18시 00분까지",
         "(사업주) 사업체명 : 주식회사 예시 (전화 : 02-000-1234)"]


def _lying_page(c: canvas.Canvas, drop=str.isdigit, lines=LYING) -> None:
    """Every character drawn; those `drop` selects only as pixels, so the text layer lacks them
    while the page shows them (as some PDF producers do with digits or Latin letters)."""
    font_name = "NanumGothic"
    if font_name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(font_name, str(NANUM)))
    glyph_font = ImageFont.truetype(str(NANUM), 48)
    size = 12
    for i, line in enumerate(lines):
        x, y = 72.0, 780 - i * 24
        for ch in line:
            width = pdfmetrics.stringWidth(ch, font_name, size)
            if drop(ch):
                img = Image.new("L", (int(width * 4) + 2, 56), 255)
                ImageDraw.Draw(img).text((0, 0), ch, fill=0, font=glyph_font)
                c.drawImage(ImageReader(img), x, y - 2.5, width=img.width / 4, height=img.height / 4)
            else:
                c.setFont(font_name, size)
                c.drawString(x, y, ch)
            x += width
    c.showPage()


def test_text_layer_without_the_digits_the_page_shows_is_ocred(tmp_path):
    path = make_pdf(tmp_path / "lying.pdf", _lying_page)
    with pdfplumber.open(path) as pdf:
        assert not any(ch.isdigit() for ch in pdf.pages[0].extract_text())  # the layer lies
    engine = FakeOcrEngine(["3. 임금 : 월 3,800,000원"])
    _, pages, _ = read_document(path, ocr=engine)
    assert pages[0].route is Route.ocr and "glyphs" in pages[0].reason


def test_text_layer_without_latin_letters_is_ocred(tmp_path):
    lines = ["근로계약서", "주식회사 예시(이하 사업주)과(와) NGUYEN VAN AN(이하 근로자)은 계약을 체결한다.",
             "체류자격 : E-7-1 (Software Engineer)", "2. 업무의 내용 : Java Spring API 개발"]
    path = make_pdf(tmp_path / "lying_latin.pdf", lambda c: _lying_page(c, lambda ch: ch.isascii() and ch.isalpha(), lines))
    _, pages, _ = read_document(path, ocr=FakeOcrEngine(["x"]))
    assert pages[0].route is Route.ocr


def test_blank_form_slots_keep_the_text_layer(tmp_path):
    blank = ["표준근로계약서", "1. 근로계약기간 :      년      월      일부터", "3. 임금 : 월         원",
             "(사업주) 사업체명 :              (전화 :           )"]
    path = make_pdf(tmp_path / "blank.pdf", lambda c: _lying_page(c, lambda ch: False, blank))
    _, pages, _ = read_document(path, ocr=FakeOcrEngine(["unused"]))
    assert pages[0].route is Route.text_layer
