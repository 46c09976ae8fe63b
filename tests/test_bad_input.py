"""Files that cannot be read at all raise clear InputErrors; messages hold no personal data."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extractors.errors import (
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    ImageTooLarge,
    InputError,
    UnsupportedFormat,
)
from extractors.pipeline import read_document
from extractors.records import Route
from extractors.settings import ExtractSettings
from tests.ocr_fakes import FakeOcrEngine

pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))
SECRET_NAME = "홍길동"


def korean_pdf(path: Path, *, encrypt=None) -> Path:
    c = canvas.Canvas(str(path), encrypt=encrypt)
    c.setFont("HYSMyeongJo-Medium", 12)
    for i in range(20):
        c.drawString(72, 780 - i * 20, f"근로계약서 {i}조 근로자 성명 {SECRET_NAME} 업무의 내용")
    c.showPage()
    c.save()
    return path


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def read(path: Path, **settings):
    return read_document(path, ocr=FakeOcrEngine(), settings=ExtractSettings(**settings))


def assert_clean_message(error: InputError, path: Path) -> None:
    text = error.message
    assert SECRET_NAME not in text and path.name not in text


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(EmptyDocument):
        read(path)


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.pdf"
    path.write_bytes(b"\n\n   \n")
    with pytest.raises(EmptyDocument):
        read(path)


def test_truncated_pdf(tmp_path):
    whole = korean_pdf(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(CorruptDocument) as info:
        read(path)
    assert_clean_message(info.value, path)


@pytest.mark.parametrize("encrypt", ["user-secret", "  "])
def test_password_protected_pdf(tmp_path, encrypt):
    path = korean_pdf(tmp_path / f"{SECRET_NAME}.pdf", encrypt=encrypt)
    assert b"/Encrypt" in path.read_bytes()
    with pytest.raises(EncryptedDocument) as info:
        read(path)
    assert "password" in info.value.message
    assert_clean_message(info.value, path)


def test_pdf_named_jpg_is_read_as_pdf(tmp_path):
    path = korean_pdf(tmp_path / "scan.jpg")
    ref, pages, _ = read(path)
    assert ref.media_type == "application/pdf" and pages[0].route is Route.text_layer


def test_jpeg_named_pdf_is_read_as_image(tmp_path):
    path = tmp_path / "contract.pdf"
    Image.new("L", (1240, 1754), 255).save(path, format="JPEG")
    ref, pages, _ = read_document(path, ocr=FakeOcrEngine(["글"]))
    assert ref.media_type == "image/jpeg" and pages[0].route is Route.ocr


def test_gigantic_image_header(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(png_header(100_000, 100_000))
    with pytest.raises(ImageTooLarge):
        read(path)


def test_image_just_over_the_cap(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(png_header(3000, 2000))
    with pytest.raises(ImageTooLarge):
        read(path, max_pixels=5_000_000)


def test_unreadable_image(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(buffer, format="PNG")
    path = tmp_path / "broken.png"
    path.write_bytes(buffer.getvalue()[:60])
    with pytest.raises(CorruptDocument):
        read(path)


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.pdf"
    path.write_bytes(b"\x13\x37" + os.urandom(4096))
    with pytest.raises(UnsupportedFormat) as info:
        read(path)
    assert "unsupported format: save as PDF or HWPX" in info.value.message


def test_plain_text_is_unsupported(tmp_path):
    path = tmp_path / "contract.txt"
    path.write_text("근로계약서\n", encoding="utf-8")
    with pytest.raises(UnsupportedFormat):
        read(path)


def test_pdf_without_pages(tmp_path):
    path = tmp_path / "nopages.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                     b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    with pytest.raises((EmptyDocument, CorruptDocument)):
        read(path)


def test_truncated_image_is_refused_even_after_weasyprint_flipped_pillows_global(tmp_path):
    import weasyprint  # noqa: F401  - sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True on import
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(buffer, format="PNG")
    path = tmp_path / "broken.png"
    path.write_bytes(buffer.getvalue()[:60])
    with pytest.raises(CorruptDocument):
        read(path)
