"""A generated scanned contract page (PIL, NanumGothic) with the exact word boxes of its drawing,
and an OCR engine that "reads" it from those boxes, so the whole pipeline (rendering, routing,
orientation retry, word boxes in PageText.layout) runs without Tesseract."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from extractors.ocr import OcrEngine, OcrResult, OcrWord, result_from_words
from reports.pdf import find_font
from tests.ocr_fakes import FakeOcrEngine

DPI = 200  # the drawing's resolution; the pipeline renders or rescales pages to 300 DPI
SIZE = (1654, 2339)  # A4 at 200 DPI
ARN = "950408-5123456"  # fictional alien registration number
LINES = (
    "표준근로계약서",
    '(주)한빛소프트(이하 "사업주"라 함)과(와) 근로자는 다음과 같이 근로계약을 체결한다.',
    "1. 근로계약기간 : 2026년 3월 2일부터 2028년 3월 1일까지",
    "2. 근무장소 : 서울특별시 강남구 테헤란로 123, 7층",
    "3. 업무의 내용",
    "- 직 종 : 응용 소프트웨어 개발자",
    "- 담당업무 : 결제 시스템 백엔드 API 설계 및 개발, 코드 리뷰",
    "4. 임금 : 월 3,800,000원 (매월 25일 지급)",
    "5. 근로자 정보",
    "생년월일 : 1995.04.08",
    f"외국인등록번호 : {ARN}   국적 : 베트남",
)


@dataclass(frozen=True)
class Word:
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom at DPI
    line: int  # index in LINES


def draw_page() -> tuple[Image.Image, list[Word]]:
    """The upright page at DPI (grayscale) and the box of every word drawn."""
    font = ImageFont.truetype(str(find_font("NanumGothic.ttf")), 30)
    page = Image.new("L", SIZE, 255)
    draw = ImageDraw.Draw(page)
    words = []
    for n, line in enumerate(LINES):
        x, y = 130, 180 + n * 72
        for text in line.split():
            box = draw.textbbox((x, y), text, font=font)
            draw.text((x, y), text, font=font, fill=0)
            words.append(Word(text, box, n))
            x = box[2] + 12
    return page, words


def write_scan(path: Path, *, upside_down: bool = False) -> Path:
    """Save the page as an image-only PDF (or PNG, by suffix) stating DPI."""
    page, _ = draw_page()
    if upside_down:
        page = page.rotate(180)
    if path.suffix == ".png":
        page.save(path, dpi=(DPI, DPI))
    else:
        page.save(path, format="PDF", resolution=DPI)
    return path


class DrawingOcrEngine(OcrEngine):
    """Reads the drawn page from its known word boxes, scaled to the image it is given.

    `upside_down`: the first reading of a page fails (as Tesseract does on an upside-down page)
    and orientation detection answers 180, so the pipeline turns the page and reads it again.
    """

    def __init__(self, *, upside_down: bool = False, confidence: float = 0.93):
        self.upside_down = upside_down
        self.confidence = confidence
        self.sizes: list[tuple[int, int]] = []
        _, self.words = draw_page()

    def recognize(self, image: Image.Image, *, page: int, timeout: float) -> OcrResult:
        self.sizes.append(image.size)
        if self.upside_down and len(self.sizes) == 1:
            return OcrResult(text="", confidence=0.1)
        scale = image.width / SIZE[0]
        boxes = [OcrWord(text=w.text, left=round(w.box[0] * scale), top=round(w.box[1] * scale),
                         width=round((w.box[2] - w.box[0]) * scale),
                         height=round((w.box[3] - w.box[1]) * scale), conf=self.confidence,
                         line=(1, 1, w.line + 1)) for w in self.words]
        return result_from_words(boxes)

    def orientation(self, image: Image.Image, *, page: int, timeout: float) -> int:
        return 180 if self.upside_down else 0


def arn_box(scale: float) -> tuple[int, int, int, int]:
    """Where ARN is on the upright page rendered at DPI * scale."""
    _, words = draw_page()
    word = next(w for w in words if w.text == ARN)
    return tuple(round(v * scale) for v in word.box)  # type: ignore[return-value]


TABLE_ROWS = (
    ("직 종", "응용 소프트웨어 개발자", "직 위", "사원"),
    ("임 금", "월 3,800,000원", "지급일", "매월 25일"),
    ("외국인등록번호", ARN, "국 적", "베트남"),
)
TABLE_COLUMNS = (300, 760, 1500, 1800, 2300)  # x of the vertical rules at 300 DPI


def write_table_scan(path: Path) -> Path:
    """A 300 DPI page whose fields sit in a ruled table (PNG), under a title line."""
    font = ImageFont.truetype(str(find_font("NanumGothic.ttf")), 42)
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    draw.text((300, 250), "근로계약서 (표 양식)", font=font, fill=0)
    top, height = 420, 110
    for r, row in enumerate(TABLE_ROWS):
        y = top + r * height
        for left, text in zip(TABLE_COLUMNS, row, strict=False):
            draw.text((left + 30, y + 30), text, font=font, fill=0)
    for r in range(len(TABLE_ROWS) + 1):
        draw.rectangle((TABLE_COLUMNS[0], top + r * height, TABLE_COLUMNS[-1],
                        top + r * height + 3), fill=0)
    for x in TABLE_COLUMNS:
        draw.rectangle((x, top, x + 3, top + len(TABLE_ROWS) * height + 3), fill=0)
    page.save(path, dpi=(300, 300))
    return path


def lined_page(width: int = 1240, height: int = 1754, lines: int = 20, *, pitch: int = 30) -> Image.Image:
    """A white grayscale page with `lines` lines of Hangul text, one every height/`pitch`."""
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(find_font("NanumGothic.ttf")), max(10, width // 45))
    for i in range(lines):
        draw.text((width // 12, height // 12 + i * height // pitch), "근로계약서 업무의 내용 임금 " * 2,
                  fill=0, font=font)
    return image


class RecordingEngine(FakeOcrEngine):
    """A fake engine that keeps a copy of every image it is given (what OCR would have seen)."""

    def __init__(self):
        super().__init__(["글"])
        self.images: list[Image.Image] = []

    def recognize(self, image, *, page, timeout):
        self.images.append(image.copy())
        return super().recognize(image, page=page, timeout=timeout)
