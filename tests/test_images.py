"""Scanned images: formats, multi-page TIFF, EXIF orientation, resolution, deskew, lighting."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scan_fixture import RecordingEngine, lined_page

from extractors.cleanup import background_range, estimate_skew, flatten_background
from extractors.images import normalise_resolution
from extractors.pipeline import read_document
from extractors.records import Route
from extractors.settings import ExtractSettings
from tests.ocr_fakes import FakeOcrEngine


def page(width: int = 1240, height: int = 1754, lines: int = 20) -> Image.Image:
    return lined_page(width, height, lines, pitch=30)


def fast(**overrides) -> ExtractSettings:
    return ExtractSettings(deskew=False, **overrides)


def test_multipage_tiff_gives_one_ocr_page_per_frame(tmp_path):
    path = tmp_path / "scan.tif"
    frames = [page(), page(lines=5), page(lines=10)]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(150, 150))
    engine = FakeOcrEngine(["첫째", "둘째", "셋째"])
    ref, pages, problems = read_document(path, ocr=engine, settings=fast())
    assert ref.media_type == "image/tiff" and ref.page_count == 3
    assert [p.text for p in pages] == ["첫째", "둘째", "셋째"] and problems == []
    assert all(p.route is Route.ocr and p.reason == "scanned image" for p in pages)
    assert {size for _, size in engine.calls} == {(2480, 3508)}  # 150 DPI scaled to 300


def test_png_with_alpha_is_read_on_white(tmp_path):
    path = tmp_path / "scan.png"
    rgba = page().convert("RGBA")
    rgba.putalpha(Image.new("L", rgba.size, 0))  # fully transparent: must become white paper
    rgba.save(path, dpi=(300, 300))
    engine = RecordingEngine()
    read_document(path, ocr=engine, settings=fast())
    assert engine.images[0].getextrema() == (255, 255)


def test_exif_orientation_is_applied(tmp_path):
    path = tmp_path / "photo.jpg"
    upright = page(1240, 1754)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewers turn it 90 degrees clockwise
    upright.rotate(90, expand=True).save(path, exif=exif, dpi=(150, 150))
    assert Image.open(path).size == (1754, 1240)
    engine = RecordingEngine()
    read_document(path, ocr=engine, settings=fast())
    width, height = engine.images[0].size
    assert height > width


def test_low_confidence_is_reported_with_its_page(tmp_path):
    path = tmp_path / "scan.png"
    page().save(path, dpi=(300, 300))
    _, pages, problems = read_document(path, ocr=FakeOcrEngine(["흐림"], confidence=0.3),
                                       settings=fast(osd_below=0.0))
    assert pages[0].confidence == pytest.approx(0.3)
    assert [(p.code, p.page) for p in problems] == [("low_ocr_confidence", 1)]


def test_low_confidence_triggers_orientation_and_retry(tmp_path):
    path = tmp_path / "scan.png"
    page().rotate(180).save(path, dpi=(300, 300))
    engine = FakeOcrEngine(["글"], confidence=0.4, rotations={1: 180})
    read_document(path, ocr=engine, settings=fast(osd_below=0.75))
    assert len(engine.calls) == 2  # first pass, then the turned page


@pytest.mark.parametrize(("dpi", "expected"), [((600, 600), (1240, 1754)), ((300, 300), (2480, 3508))])
def test_normalise_resolution_uses_the_stated_dpi(dpi, expected):
    image = page(2480, 3508, lines=2)
    image.info["dpi"] = dpi
    assert normalise_resolution(image, max_pixels=80_000_000).size == expected


def test_normalise_resolution_assumes_a4_without_dpi():
    out = normalise_resolution(page(1000, 1414, lines=2), max_pixels=80_000_000)
    assert out.size[1] == pytest.approx(3508, abs=2)


def test_normalise_resolution_respects_the_pixel_cap():
    image = page(1000, 1414, lines=2)
    out = normalise_resolution(image, max_pixels=4_000_000)
    assert out.width * out.height <= 4_000_000


@pytest.mark.parametrize("angle", [-3.0, 2.0])
def test_estimate_skew_finds_the_angle(angle):
    skewed = page().rotate(angle, expand=True, fillcolor=255)
    assert estimate_skew(skewed) == pytest.approx(-angle, abs=0.4)


def test_flatten_background_evens_out_lighting():
    image = page()
    gradient = np.linspace(0.7, 1.0, image.width, dtype=np.float32)[None, :]
    uneven = Image.fromarray((np.asarray(image, dtype=np.float32) * gradient).astype(np.uint8))
    assert background_range(uneven) > 30
    assert background_range(flatten_background(uneven)) < 10
    assert flatten_background(image) is image  # even pages are left alone
