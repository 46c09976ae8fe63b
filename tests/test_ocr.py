"""OCR engines: TSV parsing, error wrapping, and a few runs of the real Tesseract."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytesseract
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors.errors import OcrEngineMissing, OcrError, OcrTimeout
from extractors.ocr import FallbackOcrEngine, result_from_data
from extractors.tesseract import TesseractEngine, TesseractOptions
from tests.ocr_fakes import FakeOcrEngine

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
LINES = ["근로계약서", "업무의 내용: 소프트웨어 개발", "근무장소: 서울특별시 강남구"]


def rendered(lines=LINES) -> Image.Image:
    image = Image.new("L", (1800, 140 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(NANUM), 44)
    for i, line in enumerate(lines):
        draw.text((80, 60 + i * 90), line, fill=0, font=font)
    return image


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def tsv(words: list[tuple[int, int, int, str, float]]) -> dict[str, list]:
    return {"block_num": [w[0] for w in words], "par_num": [1] * len(words),
            "line_num": [w[1] for w in words], "word_num": [w[2] for w in words],
            "text": [w[3] for w in words], "conf": [w[4] for w in words]}


def fake_tesseract(folder: Path, monkeypatch, body: str) -> None:
    """A stand-in `tesseract` that answers --version and then runs `body`."""
    script = folder / "tesseract"
    script.write_text('#!/bin/sh\nif [ "$1" = "--version" ]; then echo "tesseract 5.3.0"; exit 0; fi\n'
                      f"{body}\n")
    script.chmod(0o755)
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(script))


def test_result_from_data_builds_lines_and_confidence():
    data = tsv([(1, 1, 0, "", -1), (1, 1, 1, "근로", 90), (1, 1, 2, "계약서", 80),
                (1, 2, 1, "임금", 70), (2, 1, 1, " ", 5)])
    result = result_from_data(data)
    assert result.text == "근로 계약서\n임금" and result.words == 3
    assert result.confidence == pytest.approx(0.8)


def test_result_from_data_without_words():
    assert result_from_data(tsv([])).confidence == 0.0


def test_missing_program_is_engine_missing(monkeypatch):
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(OcrEngineMissing) as info:
        TesseractEngine().recognize(rendered(), page=3, timeout=10)
    assert isinstance(info.value.__cause__, pytesseract.TesseractNotFoundError)
    assert info.value.page == 3


def test_missing_language_fails_the_preflight():
    with pytest.raises(OcrEngineMissing, match="klingon"):
        TesseractEngine("kor+klingon").check()


def test_hanging_tesseract_times_out(tmp_path, monkeypatch):
    fake_tesseract(tmp_path, monkeypatch, "sleep 30")
    with pytest.raises(OcrTimeout) as info:
        TesseractEngine().recognize(rendered(), page=2, timeout=0.5)
    assert info.value.transient and info.value.page == 2


def test_crashing_tesseract_is_an_ocr_error(tmp_path, monkeypatch):
    fake_tesseract(tmp_path, monkeypatch, "echo boom >&2\nexit 3")
    with pytest.raises(OcrError) as info:
        TesseractEngine().recognize(rendered(), page=1, timeout=10)
    assert type(info.value) is OcrError


def test_each_tesseract_process_gets_one_thread(tmp_path, monkeypatch):
    fake_tesseract(tmp_path, monkeypatch, f"echo $OMP_THREAD_LIMIT > {tmp_path}/omp\nexit 1")
    monkeypatch.setenv("OMP_THREAD_LIMIT", "8")
    with pytest.raises(OcrError):
        TesseractEngine().recognize(rendered(), page=1, timeout=10)
    assert (tmp_path / "omp").read_text().strip() == "1"


def test_fake_engine_presets_and_timeouts():
    engine = FakeOcrEngine({2: "둘째"}, timeout_pages=frozenset({3}))
    assert engine.recognize(rendered(), page=2, timeout=5).text == "둘째"
    assert engine.recognize(rendered(), page=1, timeout=5).confidence == 0.0
    with pytest.raises(OcrTimeout):
        engine.recognize(rendered(), page=3, timeout=5)


@pytest.mark.ocr
def test_real_tesseract_reads_korean():
    result = TesseractEngine("kor+eng", 6).recognize(rendered(), page=1, timeout=60)
    text = squash(result.text)
    assert "근로계약서" in text and "업무의내용" in text and "강남구" in text
    assert result.confidence > 0.7
    assert "근로계약서" in result.text.split()  # Hangul words are not split into syllables


@pytest.mark.ocr
def test_real_orientation_of_an_upside_down_page():
    image = rendered(LINES * 3).rotate(180, expand=True)
    assert TesseractEngine().orientation(image, page=1, timeout=60) == 180


def test_fallback_engine_keeps_the_better_reading():
    primary = FakeOcrEngine(["흐린 글", "맑은 글"], confidence=0.4)
    secondary = FakeOcrEngine(["다시 읽은 글"], confidence=0.8)
    engine = FallbackOcrEngine(primary, secondary, below=0.6)
    assert engine.recognize(rendered(), page=1, timeout=30).text == "다시 읽은 글"
    assert engine.recognize(rendered(), page=2, timeout=30).text == "맑은 글"  # 0.4 > 0.0
    good = FallbackOcrEngine(FakeOcrEngine(["글"], confidence=0.9), secondary, below=0.6)
    good.recognize(rendered(), page=1, timeout=30)
    assert len(secondary.calls) == 2  # the confident page was not read twice


@pytest.mark.ocr
def test_default_languages_pass_the_preflight():
    TesseractEngine(TesseractOptions().lang).check()  # "Hangul" is a script model


@pytest.mark.ocr
def test_several_images_in_one_process_read_as_one_at_a_time():
    images = [rendered(), rendered(["체류자격: E-7-1", "월 3,500,000원"])]
    engine = TesseractEngine("Hangul", 6)
    together = engine.recognize_many(images, page=1, timeout=60)
    alone = [engine.recognize(image, page=1, timeout=60) for image in images]
    assert [r.boxes for r in together] == [r.boxes for r in alone] and all(r.boxes for r in alone)
