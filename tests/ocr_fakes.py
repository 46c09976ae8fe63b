"""Fake OCR engines for tests (product code ships none): preset text per page."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from PIL import Image

from extractors.errors import OcrTimeout
from extractors.ocr import OcrEngine, OcrResult


class FakeOcrEngine(OcrEngine):
    """Returns preset text per page (1-based); can simulate timeouts, failures and slowness."""

    def __init__(
        self,
        pages: Mapping[int, str] | Sequence[str] = (),
        *,
        confidence: float = 0.93,
        delay: float = 0.0,
        timeout_pages: frozenset[int] = frozenset(),
        rotations: Mapping[int, int] | None = None,
    ):
        self.pages = dict(pages) if isinstance(pages, Mapping) else dict(enumerate(pages, 1))
        self.confidence = confidence
        self.delay = delay
        self.timeout_pages = timeout_pages
        self.rotations = dict(rotations or {})
        self.calls: list[tuple[int, tuple[int, int]]] = []

    def recognize(self, image: Image.Image, *, page: int, timeout: float) -> OcrResult:
        self.calls.append((page, image.size))
        if page in self.timeout_pages:
            raise OcrTimeout(f"OCR exceeded {timeout:.0f} s", page=page)
        if self.delay:
            time.sleep(min(self.delay, timeout))
            if self.delay > timeout:
                raise OcrTimeout(f"OCR exceeded {timeout:.0f} s", page=page)
        text = self.pages.get(page, "")
        return OcrResult(text=text, confidence=self.confidence if text else 0.0, words=len(text.split()))

    def orientation(self, image: Image.Image, *, page: int, timeout: float) -> int:
        return self.rotations.pop(page, 0)
