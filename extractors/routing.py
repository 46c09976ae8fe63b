"""Per-page route decision: keep a good text layer, OCR everything else (and say why)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

from extractors.records import Route

# A page counts as blank below this fraction of dark pixels (specks, scanner dust, borders).
BLANK_INK = 0.002
# Useful characters (Hangul, letters, digits) a text layer must hold per 1 % of inked page area.
# Measured at 40 DPI on /work/shared/real_forms PDFs (11 pages): 58-237 chars per ink-%, lowest
# on table-heavy blank forms (58, 65); generated text pages about 150; an image-only page with a
# one-line caption under 1. 20 separates them with margin on both sides.
MIN_CHARS_PER_INK_PERCENT = 20.0
# Share of replacement / private-use characters above which a text layer counts as unmapped.
MAX_BAD_GLYPH_SHARE = 0.02

_USEFUL = re.compile(r"[0-9A-Za-z\uac00-\ud7a3\u3131-\u318e]")
_BAD_GLYPH = re.compile(r"[\ufffd\ue000-\uf8ff]")


@dataclass(frozen=True)
class PagePlan:
    """How one page will be read; `load_image` renders the page for OCR on demand."""

    page: int  # 1-based page number
    route: Route  # text layer or OCR
    reason: str  # why that route
    text: str = ""  # text-layer text (NFC) when route is text_layer
    tables: list[list[list[str]]] = field(default_factory=list)  # text-layer tables
    seconds: float = 0.0  # time spent planning (text extraction, ink measure)
    load_image: Callable[[], Image.Image] | None = None  # OCR input, loaded lazily
    problems: list = field(default_factory=list)  # Problems found while planning (page over budget)


def choose_route(text: str, ink: float | None) -> tuple[Route, str]:
    """Decide text layer vs OCR from the text layer and the page's dark-pixel fraction."""
    stripped = text.strip()
    if "(cid:" in text:
        return Route.ocr, "text layer has (cid:) runs (fonts without a Unicode map)"
    if stripped and _bad_glyph_share(stripped) > MAX_BAD_GLYPH_SHARE:
        return Route.ocr, "text layer has U+FFFD or private-use glyphs"
    if ink is not None and ink < BLANK_INK:
        return Route.text_layer, "blank page" if not stripped else "text layer (little ink)"
    if not stripped:
        return Route.ocr, "no text layer"
    return _route_by_ink(stripped, ink)


def _route_by_ink(text: str, ink: float | None) -> tuple[Route, str]:
    useful = len(_USEFUL.findall(text))
    if ink is None:
        return Route.text_layer, f"text layer ({useful} chars)"
    per_percent = useful / (ink * 100)
    if per_percent < MIN_CHARS_PER_INK_PERCENT:
        reason = f"too little text for the ink ({useful} chars, {ink:.1%} ink)"
        return Route.ocr, reason
    return Route.text_layer, f"text layer ({useful} chars, {ink:.1%} ink)"


def _bad_glyph_share(text: str) -> float:
    return len(_BAD_GLYPH.findall(text)) / len(text)


def measure_ink(image: Image.Image, *, threshold: int = 160) -> float:
    """Fraction of the page's pixels darker than `threshold` (0..1)."""
    gray = image.convert("L")
    histogram = gray.histogram()
    dark = sum(histogram[:threshold])
    return dark / max(1, gray.width * gray.height)
