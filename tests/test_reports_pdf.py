"""PDF report: Korean fonts embedded, text round trip, no tofu, masking, no network (reports.pdf).

One PDF is rendered for the whole module (WeasyPrint is the slow part of the report tests)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from test_reports_samples import EMPLOYEE, SECRETS, kept_page, ok_result, scanned_page

from reports.pdf import LocalOnlyFetcher, find_font
from reports.render import render_document_reports

DPI = 150
TITLE_WORD = "근로계약서"  # first word of the h1, set in NanumGothic Bold at 22 CSS px


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    image, words = scanned_page(folder / "page-2.png")
    written = render_document_reports(ok_result(), folder, layouts=kept_page(image, words))
    return written["pdf"]


@pytest.fixture(scope="module")
def pdf_text(pdf: Path) -> str:
    return _run("pdftotext", "-layout", str(pdf), "-")


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout


def test_nanum_fonts_are_embedded(pdf: Path) -> None:
    rows = _run("pdffonts", str(pdf)).splitlines()[2:]
    nanum = [r for r in rows if "Nanum" in r.split()[0]]
    assert nanum, rows
    assert all(r.split()[-5] == "yes" for r in rows), "every font must be embedded"
    assert not any("Type 3" in r for r in rows)


def test_korean_text_round_trips(pdf_text: str) -> None:
    flat = re.sub(r"\s+", " ", pdf_text)
    for text in ("근로계약서 감사 보고서", "사무보조원", "응용 소프트웨어 개발자", "E-7-1",
                 "부속합의서 초안", "제1조 (직위)", "직위를 업무 내용에 맞추세요."):
        assert text in flat
    assert flat.index("높음 / High") < flat.index("보통 / Medium") < flat.index("낮음 / Low")


def test_identifiers_are_masked_in_the_pdf(pdf_text: str) -> None:
    flat = re.sub(r"\s+", " ", pdf_text)
    for secret in (*SECRETS, EMPLOYEE):
        assert secret not in flat
    assert "900101-1******" in flat


def test_scan_crop_is_embedded_as_an_image(pdf: Path) -> None:
    listing = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    assert len(listing) == 1 and listing[0].split()[2] == "image"


def _ink_box(image: Image.Image) -> Image.Image:
    ys, xs = np.nonzero(np.asarray(image.convert("L")) < 128)
    assert len(xs), "no ink at all where the text should be"
    return image.crop((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))


def _reference(text: str, font_file: Path, size: int) -> Image.Image:
    font = ImageFont.truetype(str(font_file), size)
    canvas = Image.new("L", (size * len(text) * 2, size * 2), 255)
    ImageDraw.Draw(canvas).text((size // 2, size // 2), text, font=font, fill=0)
    return _ink_box(canvas)


def _likeness(a: Image.Image, b: Image.Image) -> float:
    """Correlation of the two ink pictures scaled to one size: ~1 same glyphs, ~0 unrelated."""
    pa = np.asarray(a.convert("L").resize((120, 24)), float).ravel()
    pb = np.asarray(b.convert("L").resize((120, 24)), float).ravel()
    return float(np.corrcoef(pa, pb)[0, 1])


@pytest.fixture(scope="module")
def rendered_title(pdf: Path, tmp_path_factory) -> Image.Image:
    bbox = _run("pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-")
    m = re.search(rf'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  rf"{TITLE_WORD}</word>", bbox)
    assert m, "title word not found in the PDF text layer"
    prefix = tmp_path_factory.mktemp("raster") / "page"
    _run("pdftoppm", "-f", "1", "-l", "1", "-r", str(DPI), "-gray", "-png", str(pdf), str(prefix))
    page = Image.open(next(prefix.parent.glob("page*.png")))
    box = tuple(round(float(v) * DPI / 72) for v in m.groups())
    return _ink_box(page.crop(box))


def test_rendered_hangul_is_real_glyphs_not_tofu(rendered_title: Image.Image) -> None:
    size = round(22 * 0.75 * DPI / 72)  # 22 CSS px = 16.5 pt
    nanum = _reference(TITLE_WORD, find_font("NanumGothicBold.ttf"), size)
    ink = (np.asarray(rendered_title.convert("L")) < 128).mean()
    assert 0.15 < ink < 0.6, f"implausible glyph ink ratio {ink:.2f}"
    assert _likeness(rendered_title, nanum) > 0.8


def test_tofu_control_fails_the_likeness_check(rendered_title: Image.Image) -> None:
    # DejaVu Sans has no Hangul: PIL draws .notdef boxes, which the check must reject.
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.exists():
        pytest.skip("DejaVu Sans not installed")
    tofu = _reference(TITLE_WORD, dejavu, 34)
    assert _likeness(rendered_title, tofu) < 0.5


def test_fetcher_refuses_network_and_foreign_files(tmp_path: Path) -> None:
    fetcher = LocalOnlyFetcher(allowed_roots=[find_font("NanumGothic.ttf").parent])
    for url in ("http://example.com/x.png", "https://example.com/f.ttf", "ftp://h/x",
                "file:///etc/passwd", f"file://{tmp_path}/../../etc/hostname"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch(find_font("NanumGothic.ttf").as_uri()).read(4)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
