"""Seals (직인) over text: red ink faded by hue on colour scans, grey seal plateaus cleared."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from extractors.cleanup import clear_grey_overlays, gray_without_seals, seal_mask
from extractors.pipeline import read_document
from extractors.settings import ExtractSettings
from tests.ocr_fakes import FakeOcrEngine

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
SIZE = (1240, 700)
SEAL = (640, 300, 120)  # centre x, centre y, radius: over the amount line


def text_page(mode: str = "RGB") -> Image.Image:
    """Black Hangul contract lines on white."""
    image = Image.new(mode, SIZE, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(NANUM), 44)
    for i, line in enumerate(["근로계약 변경계약서", "직위 : 연구원 (Researcher)",
                              "임금 : 월 3,360,000원", "근무장소 : 대전광역시 유성구"]):
        draw.text((80, 120 + i * 90), line, fill="black", font=font)
    return image


def draw_seal(image: Image.Image, colour, *, alpha: int = 255, width: int = 16) -> Image.Image:
    """A seal ring and 직인 over the text. Ink absorbs light: the seal multiplies the page by
    its colour (thinned by `alpha`), so black text stays black under it, as on paper."""
    x, y, r = SEAL
    layer = Image.new("RGBA", image.size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(layer)
    ink = (*colour, alpha)
    draw.ellipse((x - r, y - r, x + r, y + r), outline=ink, width=width)
    draw.text((x, y), "직인", fill=ink, font=ImageFont.truetype(str(NANUM), r // 2), anchor="mm")
    tint = Image.alpha_composite(Image.new("RGBA", image.size, "white"), layer).convert("RGB")
    return ImageChops.multiply(image.convert("RGB"), tint)


def seal_only(colour=(255, 0, 0)) -> np.ndarray:
    """Where the seal was drawn (on a blank page)."""
    blank = Image.new("RGB", SIZE, "white")
    return np.asarray(draw_seal(blank, colour).convert("L")) < 250


def masks() -> tuple[np.ndarray, np.ndarray]:
    text = np.asarray(text_page().convert("L")) < 100
    seal = seal_only() & ~_grow(text)
    assert text.sum() > 5000 and seal.sum() > 5000
    assert (text & seal_only()).sum() > 200  # the seal does cross the text
    return text, seal


def _grow(mask: np.ndarray) -> np.ndarray:
    image = Image.fromarray(mask.astype(np.uint8) * 255)
    from PIL import ImageFilter
    return np.asarray(image.filter(ImageFilter.MaxFilter(5))) > 0


@pytest.mark.parametrize(("colour", "alpha"), [((200, 30, 40), 255), ((210, 30, 40), 130),
                                               ((230, 70, 30), 200), ((180, 20, 90), 255)])
def test_red_seal_fades_and_text_under_it_survives(colour, alpha):
    text, seal = masks()
    stamped = draw_seal(text_page(), colour, alpha=alpha)
    plain = np.asarray(stamped.convert("L"))
    gray, found = gray_without_seals(stamped)
    pixels = np.asarray(gray)
    assert found and gray.mode == "L"
    assert (plain[seal] < 200).mean() > 0.5  # a plain gray conversion keeps the seal as ink
    assert (pixels[seal] > 200).mean() > 0.97  # seal pixels are gone (near paper)
    assert (pixels[text] < 128).mean() > 0.97  # text pixels, under the seal too, stay ink
    under = text & seal_only()
    assert (pixels[under] < 128).mean() > 0.95


def test_blue_and_black_ink_and_gray_pages_are_untouched():
    blue = draw_seal(text_page(), (20, 40, 200))  # a blue pen signature is content, not a seal
    gray, found = gray_without_seals(blue)
    assert not found and np.array_equal(np.asarray(gray), np.asarray(blue.convert("L")))
    assert not seal_mask(text_page("L")).any()
    plain = text_page("L")
    same, found = gray_without_seals(plain)
    assert not found and np.array_equal(np.asarray(same), np.asarray(plain))


def grey_sealed() -> Image.Image:
    """The red seal as a gray scan shows it: a mid-grey ring and 직인 over the text."""
    return draw_seal(text_page(), (210, 30, 40), alpha=150).convert("L")


def test_grey_seal_plateau_is_cleared_and_text_survives():
    text, seal = masks()
    image = grey_sealed()
    before = np.asarray(image)
    assert (before[seal] < 200).mean() > 0.9  # mid-grey seal
    cleared = np.asarray(clear_grey_overlays(image))
    ring = seal & _ring()
    assert (cleared[ring] > 240).mean() > 0.97  # the ring (wide strokes) becomes paper
    assert (cleared[text] < 110).mean() > 0.97  # text, under the seal too, is untouched ink
    assert np.array_equal(cleared[text], before[text])


def _ring() -> np.ndarray:
    x, y, r = SEAL
    yy, xx = np.mgrid[: SIZE[1], : SIZE[0]]
    distance = np.hypot(xx - x, yy - y)
    return (distance > r - 14) & (distance < r - 2)


def test_pages_without_wide_grey_are_returned_as_is():
    plain = text_page("L")
    assert clear_grey_overlays(plain) is plain
    small = text_page("L")  # grey glyph-sized marks (circled numbers, bullets) are not seals
    draw = ImageDraw.Draw(small)
    for i in range(6):  # one per line, as circled item numbers are
        draw.ellipse((20, 120 + i * 90, 64, 164 + i * 90), fill=170)
    assert clear_grey_overlays(small) is small
    faint = Image.new("L", SIZE, 200)  # no ink-to-paper contrast: nothing to tell apart
    assert clear_grey_overlays(faint) is faint


class RecordingEngine(FakeOcrEngine):
    def __init__(self):
        super().__init__(["임금 : 월 3,360,000원"])
        self.images: list[Image.Image] = []

    def recognize(self, image, *, page, timeout):
        self.images.append(image.copy())
        return super().recognize(image, page=page, timeout=timeout)


def scan_file(tmp_path: Path, image: Image.Image, name: str) -> Path:
    path = tmp_path / name
    image.save(path, dpi=(300, 300))
    return path


@pytest.mark.parametrize("suffix", ["png", "pdf"])
def test_pipeline_reads_colour_scans_without_the_red_seal(tmp_path, suffix):
    text, seal = masks()
    stamped = draw_seal(text_page(), (200, 30, 40))
    path = scan_file(tmp_path, stamped, f"scan.{suffix}")
    engine = RecordingEngine()
    read_document(path, ocr=engine, settings=ExtractSettings(deskew=False))
    seen = np.asarray(engine.images[0])
    assert abs(seen.shape[0] - text.shape[0]) <= 2 and abs(seen.shape[1] - text.shape[1]) <= 2
    seen = seen[: text.shape[0], : text.shape[1]]  # a PDF page may render a pixel wider
    assert (seen[seal] > 200).mean() > 0.95 and (seen[text] < 128).mean() > 0.9
    off = RecordingEngine()
    read_document(path, ocr=off, settings=ExtractSettings(remove_seals=False, clear_overlays=False))
    assert (np.asarray(off.images[0])[: text.shape[0], : text.shape[1]][seal] < 200).mean() > 0.5


def test_grey_seal_is_cleared_before_ocr_and_the_image_read_kept_for_crops(tmp_path):
    path = scan_file(tmp_path, grey_sealed(), "gray.png")
    engine = RecordingEngine()
    _, pages, _ = read_document(path, ocr=engine, work_dir=tmp_path)
    from extractors.images import open_image
    loaded = open_image(path, ExtractSettings(), label="t").convert("L")
    assert not np.array_equal(np.asarray(engine.images[0]), np.asarray(loaded))  # cleared
    with Image.open(pages[0].layout.image) as kept:
        assert np.array_equal(np.asarray(kept), np.asarray(engine.images[0]))
    off = RecordingEngine()
    read_document(path, ocr=off, settings=ExtractSettings(clear_overlays=False))
    assert np.array_equal(np.asarray(off.images[0]), np.asarray(loaded))


@pytest.mark.ocr
@pytest.mark.parametrize("kind", ["red", "grey"])
def test_real_tesseract_reads_the_amount_under_a_seal(tmp_path, kind):
    image = draw_seal(text_page(), (200, 30, 40)) if kind == "red" else grey_sealed()
    path = scan_file(tmp_path, image, "sealed.png")
    _, pages, _ = read_document(path)
    text = pages[0].text.replace(" ", "")
    assert "3,360,000원" in text and "연구원" in text
