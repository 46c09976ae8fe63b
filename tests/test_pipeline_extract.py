"""read_document / extract_document end to end: parallel OCR, time limits, real forms."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extractors.errors import DocumentTimeout, OcrEngineMissing
from extractors.ocr import OcrResult
from extractors.pipeline import extract_document, read_document
from extractors.records import Extraction, Route
from extractors.settings import ExtractSettings
from tests.ocr_fakes import FakeOcrEngine

REAL_FORMS = Path(__file__).resolve().parents[2] / "shared" / "real_forms"
NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
CONTRACT = ["표준근로계약서", "1. 근로계약기간: 2025년 3월 1일부터 2026년 2월 28일까지",
            "2. 근무장소: 서울특별시 강남구", "3. 업무의 내용: 소프트웨어 개발",
            "4. 임금: 월 4,000,000원", "사업체명: 주식회사 한빛"]
pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))


def scanned_pdf(path: Path, pages: int, lines=CONTRACT) -> Path:
    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(NANUM), 30)
    for i, line in enumerate(lines):
        draw.text((100, 150 + i * 70), line, fill=0, font=font)
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    for _ in range(pages):
        c.drawImage(ImageReader(image), 0, 0, width=595, height=842)
        c.showPage()
    c.save()
    return path


def fast(**overrides) -> ExtractSettings:
    return ExtractSettings(deskew=False, **overrides)


def test_ocr_pages_run_in_parallel(tmp_path):
    """Two OCR calls are in flight at once with two workers (counted, not timed: timing
    belongs to the benchmarks, and a loaded machine would make it flaky)."""
    path = scanned_pdf(tmp_path / "scan.pdf", 4)

    class Overlapping(FakeOcrEngine):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.lock, self.active, self.most = threading.Lock(), 0, 0

        def recognize(self, image, *, page, timeout):
            with self.lock:
                self.active += 1
                self.most = max(self.most, self.active)
            try:
                return super().recognize(image, page=page, timeout=timeout)
            finally:
                with self.lock:
                    self.active -= 1

    engine = Overlapping(["a", "b", "c", "d"], delay=0.4)
    _, pages, _ = read_document(path, ocr=engine, settings=fast(workers=2))
    assert [p.text for p in pages] == ["a", "b", "c", "d"]
    assert engine.most == 2  # two pages at a time, never more than the workers
    assert all(p.seconds >= 0.4 for p in pages)


def test_one_page_timeout_is_a_problem_not_a_failure(tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf", 3)
    engine = FakeOcrEngine(["a", "b", "c"], timeout_pages=frozenset({2}))
    _, pages, problems = read_document(path, ocr=engine, settings=fast())
    assert [p.text for p in pages] == ["a", "", "c"]
    assert "OCR failed (ocr_timeout)" in pages[1].reason
    assert [(p.code, p.page, p.fatal) for p in problems] == [("ocr_timeout", 2, False)]


def test_document_time_limit(tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf", 4)
    engine = FakeOcrEngine(["a"] * 4, delay=0.5)
    started = time.monotonic()
    with pytest.raises(DocumentTimeout):
        read_document(path, ocr=engine, settings=fast(workers=1, document_timeout_s=0.7))
    assert time.monotonic() - started < 2.0


def test_engine_missing_is_fatal(tmp_path):
    class Missing(FakeOcrEngine):
        def recognize(self, image, *, page, timeout) -> OcrResult:
            raise OcrEngineMissing("the tesseract program was not found", page=page)

    with pytest.raises(OcrEngineMissing):
        read_document(scanned_pdf(tmp_path / "scan.pdf", 2), ocr=Missing(), settings=fast())


def test_document_ref_describes_the_file(tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf", 2)
    ref, _, _ = read_document(path, ocr=FakeOcrEngine(), settings=fast())
    assert ref.path == str(path) and ref.size_bytes == path.stat().st_size
    assert len(ref.sha256) == 64 and ref.page_count == 2


def test_extract_document_returns_an_extraction(tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf", 1)
    result = extract_document(path, ocr=FakeOcrEngine(["\n".join(CONTRACT)]), settings=fast())
    assert isinstance(result, Extraction)
    assert result.pages[0].route is Route.ocr and "업무의 내용" in result.pages[0].text
    assert result.document.media_type == "application/pdf"


@pytest.mark.skipif(not REAL_FORMS.is_dir(), reason="shared real forms absent")
@pytest.mark.parametrize("name", ["yonggukkim-pdf__표준근로계약서.pdf",
                                  "pinecone-poc__건설일용근로자_표준근로계약서.pdf",
                                  "foreign_worker_agri_blank.pdf", "sw_worker_standard_filled.pdf"])
def test_real_pdf_forms_are_read_from_their_text_layer(name):
    path = REAL_FORMS / name
    if not path.exists():
        pytest.skip("form absent")
    engine = FakeOcrEngine()
    ref, pages, problems = read_document(path, ocr=engine)
    assert ref.page_count >= 1 and problems == []
    assert all(p.route is Route.text_layer for p in pages) and engine.calls == []
    assert "근로" in "".join(p.text for p in pages)


@pytest.mark.ocr
def test_real_ocr_of_a_scanned_pdf(tmp_path):
    path = scanned_pdf(tmp_path / "scan.pdf", 1)
    _, pages, _ = read_document(path)
    squashed = "".join(pages[0].text.split())
    assert pages[0].route is Route.ocr and pages[0].confidence > 0.7
    assert "업무의내용" in squashed and "근무장소" in squashed
