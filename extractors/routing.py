"""Per-page route decision: keep a good text layer, OCR everything else (and say why)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from extractors.records import Problem, Route

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
    problems: list[Problem] = field(default_factory=list)  # Problems found while planning (page over budget)


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


# Blanks a filled contract writes figures or names into: '년 월 일', '월 원', '( )원', '₩ per'.
_EMPTY_SLOT = re.compile(r"(?<!\d)\s년\s+월\s+일|(?<![\d,])\s+원(?:\s|$|\))|\(\s*\)\s*원|(?:KRW|₩)\s*(?=[A-Za-z가-힣(]|$)"
                         r"|과\(와\)\s*\(이하|[:：]\s*\(\s*이하", re.MULTILINE)
GAP_DPI = 100  # rendering for the gap check: a 9 pt digit is ~12 px tall
MIN_INKED_GAPS = 2  # gaps with glyph-like ink before the text layer is distrusted


def has_empty_slots(text: str) -> bool:
    """The text layer has blanks where a filled contract has figures (or a producer dropped them)."""
    return bool(_EMPTY_SLOT.search(text))


def char_lines(chars: list[dict[str, Any]]) -> list[list[tuple[float, float, float, float]]]:
    """Character boxes (x0, top, x1, bottom) in points, grouped into lines by their baseline."""
    lines: list[list[tuple[float, float, float, float]]] = []
    for ch in sorted(chars, key=lambda c: (round(c["bottom"]), c["x0"])):
        if not str(ch.get("text", "")).strip():
            continue
        box = (float(ch["x0"]), float(ch["top"]), float(ch["x1"]), float(ch["bottom"]))
        if lines and abs(lines[-1][-1][3] - box[3]) <= 1.5 and box[0] >= lines[-1][-1][0]:
            lines[-1].append(box)
        else:
            lines.append([box])
    return lines


def inked_gaps(lines: list[list[tuple[float, float, float, float]]], image: Image.Image, scale: float) -> int:
    """How many wide gaps between characters of a line hold glyph-like dark ink on the page.

    A text layer that drops digits or Latin letters leaves gaps where the page still shows
    them; a blank form's gaps are paper or an underline. Ink counts when dark neutral pixels
    fill at least a third of the line's height in some column of the gap and cover 8 % of it.
    """
    import numpy as np

    gray = np.asarray(image.convert("L"))
    inked = 0
    for line in lines:
        heights = sorted(b[3] - b[1] for b in line)
        height = heights[len(heights) // 2] if heights else 0
        for left, right in itertools.pairwise(line):
            gap = right[0] - left[2]
            if gap < 1.2 * height or gap > 40 * max(height, 1):
                continue
            x0, x1 = int((left[2] + 0.15 * height) * scale), int((right[0] - 0.15 * height) * scale)
            y0, y1 = int(min(left[1], right[1]) * scale), int(max(left[3], right[3]) * scale)
            box = gray[max(0, y0):y1, max(0, x0):x1]
            if box.size == 0 or box.shape[0] < 3:
                continue
            dark = box < 110
            dark[:, dark.mean(axis=0) >= 0.9] = False  # ruled lines and box edges, not glyphs
            dark[dark.mean(axis=1) >= 0.9, :] = False
            tall = dark.sum(axis=0) >= box.shape[0] / 3
            if tall.sum() >= 2 and dark.mean() >= 0.06:
                inked += 1
                if inked >= MIN_INKED_GAPS:
                    return inked
    return 0


def _bad_glyph_share(text: str) -> float:
    return len(_BAD_GLYPH.findall(text)) / len(text)


def measure_ink(image: Image.Image, *, threshold: int = 160) -> float:
    """Fraction of the page's pixels darker than `threshold` (0..1)."""
    gray = image.convert("L")
    histogram = gray.histogram()
    dark = sum(histogram[:threshold])
    return dark / max(1, gray.width * gray.height)
