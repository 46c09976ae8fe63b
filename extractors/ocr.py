"""The OCR interface: word and page results, the engine abilities, and engine-neutral helpers.

The Tesseract engine and the one place it is built: extractors.tesseract. The refining pass:
extractors.refine. Fake engines for tests: tests/ocr_fakes.py.
"""

from __future__ import annotations

import re
import time
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from PIL import Image
from pydantic import Field

from extractors.records import Record
from extractors.text import join_ocr_syllables


class OcrWord(Record):
    text: str  # the word as recognised (NFC)
    left: int  # box in image pixels
    top: int
    width: int
    height: int
    conf: float  # word confidence 0..1
    line: tuple[int, int, int]  # Tesseract's (block, paragraph, line) numbers


class OcrResult(Record):
    text: str  # recognised text, NFC, lines joined by newlines
    confidence: float  # mean word confidence 0..1 (0 when no word was found)
    words: int = 0  # number of words recognised
    boxes: list[OcrWord] = Field(default_factory=list)  # word boxes, when the engine gives them


class OcrEngine(ABC):
    """What the pipeline needs from an OCR engine; `timeout` is in seconds.

    Optional abilities are declared, never probed: a caller uses `recognize_many` only when
    `reads_many` is True and `recognize_lines` only when `reads_lines` is True, and otherwise
    calls `recognize` once per image. An engine declaring an ability overrides its method.
    """

    reads_many: ClassVar[bool] = False  # recognize_many: several images of one page in one call
    reads_lines: ClassVar[bool] = False  # recognize_lines: text-line cuts read in one call

    @abstractmethod
    def recognize(self, image: Image.Image, *, page: int, timeout: float) -> OcrResult: ...

    @abstractmethod
    def orientation(self, image: Image.Image, *, page: int, timeout: float) -> int:
        """Degrees (0, 90, 180, 270) to rotate the image counter-clockwise to make it upright."""

    def recognize_many(self, images: Sequence[Image.Image], *, page: int, timeout: float) -> list[OcrResult]:
        """Several images of one page, each read as `recognize` reads it (when `reads_many`)."""
        raise NotImplementedError(f"{type(self).__name__} does not read many images at once")

    def recognize_lines(self, images: Sequence[Image.Image], *, page: int, timeout: float) -> list[OcrResult]:
        """Each image read as one text line (when `reads_lines`)."""
        raise NotImplementedError(f"{type(self).__name__} does not read text lines at once")


class TwoPassOcrEngine(OcrEngine):
    """An engine of two: reads with `primary` (which also finds the orientation), and reads
    again with `secondary` what `primary` read under `below` confidence (FallbackOcrEngine,
    extractors.refine.RefiningOcrEngine)."""

    def __init__(self, primary: OcrEngine, secondary: OcrEngine, *, below: float):
        self.primary = primary
        self.secondary = secondary
        self.below = below

    def orientation(self, image: Image.Image, *, page: int, timeout: float) -> int:
        return self.primary.orientation(image, page=page, timeout=timeout)


class FallbackOcrEngine(TwoPassOcrEngine):
    """Reads with `primary`; pages under `below` confidence are read again with `secondary`."""

    def recognize(self, image: Image.Image, *, page: int, timeout: float) -> OcrResult:
        started = time.monotonic()
        first = self.primary.recognize(image, page=page, timeout=timeout)
        left = timeout - (time.monotonic() - started)
        if first.confidence >= self.below or left <= 1.0:
            return first
        second = self.secondary.recognize(image, page=page, timeout=left)
        return second if second.confidence > first.confidence else first


def result_from_data(data: Mapping[str, list[Any]], *, text: str | None = None) -> OcrResult:
    """Words, boxes and mean confidence from TSV data; text from `text` or else the TSV lines."""
    boxes = [_word(data, i) for i, word in enumerate(data.get("text", []))
             if float(data["conf"][i]) >= 0 and str(word).strip()]
    return result_from_words(boxes, text=text)


def result_from_words(boxes: list[OcrWord], *, text: str | None = None) -> OcrResult:
    """Text (Tesseract's lines, words joined by spaces) and mean confidence of word boxes."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    for box in boxes:
        lines.setdefault(box.line, []).append(box.text)
    if text is None:
        text = "\n".join(" ".join(words) for _, words in sorted(lines.items()))
    text = "\n".join(join_ocr_syllables(line) for line in _tidy(text).splitlines())
    confidence = sum(b.conf for b in boxes) / len(boxes) if boxes else 0.0
    return OcrResult(text=unicodedata.normalize("NFC", text), confidence=confidence,
                     words=len(boxes), boxes=boxes)


def _word(data: Mapping[str, list[Any]], i: int) -> OcrWord:
    number = {k: int(data[k][i]) if k in data else 0
              for k in ("left", "top", "width", "height", "block_num", "par_num", "line_num")}
    return OcrWord(text=unicodedata.normalize("NFC", str(data["text"][i]).strip()),
                   left=number["left"], top=number["top"], width=number["width"],
                   height=number["height"], conf=float(data["conf"][i]) / 100,
                   line=(number["block_num"], number["par_num"], number["line_num"]))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\f", "").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
