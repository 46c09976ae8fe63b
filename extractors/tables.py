"""Ruled tables on OCR page images: find the rules, cut cells, fill them with OCR word boxes.

Tesseract reads a ruled table badly (psm 6 drops rows whose text touches the rules) and gives no
cell structure. We find the ruling lines with numpy run-length morphology, erase them before OCR,
then put every recognised word into the cell holding its centre, so OCR pages carry `tables`
like text-layer pages do and the field extractors use the same table logic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from PIL import Image

from extractors.ocr import OcrWord

INK = 160  # gray level under which a pixel is ink
MIN_RULE_FRACTION = 0.04  # a horizontal rule is at least this share of the page width
MIN_LINE_FRACTION = 0.12  # ... and spans this share of the width in total
VERTICAL_FILL = 0.9  # a vertical rule inks this share of a row band's height
MAX_LINE_ROWS = 14  # thicker line groups mean a skewed page


@dataclass(frozen=True)
class Rule:
    """A horizontal ruling line: its rows and horizontal extent (pixels)."""

    top: int
    bottom: int
    left: int
    right: int


@dataclass(frozen=True)
class Band:
    """The space between two horizontal rules and the vertical rules crossing it."""

    top: int  # first row inside the band
    bottom: int  # last row inside the band
    rules: tuple[tuple[int, int], ...]  # vertical rules as (first column, last column)


@dataclass(frozen=True)
class Grid:
    """Tables of a page: each a list of bands (table rows); `columns` are rule x positions."""

    tables: tuple[tuple[Band, ...], ...]
    rules: tuple[Rule, ...]
    segments: bool = False  # long horizontal ink runs exist (rules, perhaps skewed)

    @property
    def skewed(self) -> bool:
        """Rules look skewed: thick line groups, or long runs that never add up to a rule."""
        thick = any(r.bottom - r.top + 1 > MAX_LINE_ROWS for r in self.rules)
        return thick or (self.segments and not self.tables)


def ink_mask(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L")) < INK


def long_runs(mask: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, first column, end column) of every horizontal ink run at least `length` long."""
    height, width = mask.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded.ravel())
    starts, ends = np.flatnonzero(steps == 1) + 1, np.flatnonzero(steps == -1) + 1
    keep = ends - starts >= length
    starts, ends = starts[keep], ends[keep]
    return starts // (width + 2), starts % (width + 2) - 1, ends % (width + 2) - 1


def find_rules(mask: np.ndarray) -> tuple[list[Rule], bool]:
    """Horizontal rules (rows with long runs, grouped into lines); whether any long run exists."""
    height, width = mask.shape
    thick = mask.copy()
    thick[1:] |= mask[:-1]
    thick[:-1] |= mask[1:]
    rows, firsts, ends = long_runs(thick, max(20, int(width * MIN_RULE_FRACTION)))
    inked = np.bincount(rows, weights=ends - firsts, minlength=height)
    lines = np.flatnonzero(inked >= width * MIN_LINE_FRACTION)
    out: list[Rule] = []
    for group in np.split(lines, np.flatnonzero(np.diff(lines) > 1) + 1) if lines.size else []:
        member = (rows >= group[0]) & (rows <= group[-1])
        out.append(Rule(int(group[0]), int(group[-1]), int(firsts[member].min()),
                        int(ends[member].max()) - 1))
    return out, bool(rows.size)


def _vertical_rules(mask: np.ndarray, top: int, bottom: int, rule: Rule) -> tuple[tuple[int, int], ...]:
    band = mask[top: bottom + 1, rule.left: rule.right + 1]
    widened = band.copy()
    widened[:, 1:] |= band[:, :-1]
    widened[:, :-1] |= band[:, 1:]
    cols = np.flatnonzero(widened.mean(axis=0) >= VERTICAL_FILL)
    groups = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1) if cols.size else []
    return tuple((int(g[0]) + rule.left, int(g[-1]) + rule.left) for g in groups)


def find_grid(mask: np.ndarray) -> Grid:
    """Tables as runs of row bands with at least two vertical rules (outer borders)."""
    rules, segments = find_rules(mask)
    tables: list[tuple[Band, ...]] = []
    current: list[Band] = []
    for upper, lower in pairwise(rules):
        top, bottom = upper.bottom + 1, lower.top - 1
        verticals = _vertical_rules(mask, top, bottom, upper) if bottom - top >= 8 else ()
        if len(verticals) >= 2:
            current.append(Band(top, bottom, verticals))
            continue
        if current:
            tables.append(tuple(current))
        current = []
    if current:
        tables.append(tuple(current))
    return Grid(tuple(tables), tuple(rules), segments)


def erase_rules(image: Image.Image, grid: Grid) -> Image.Image:
    """The page with the table rules painted white (they break Tesseract's line finding)."""
    pixels = np.array(image.convert("L"))
    for rule in grid.rules:
        pixels[max(0, rule.top - 2): rule.bottom + 3, rule.left: rule.right + 1] = 255
    for table in grid.tables:
        for band in table:
            for left, right in band.rules:
                pixels[band.top - 2: band.bottom + 3, max(0, left - 2): right + 3] = 255
    return Image.fromarray(pixels)


def _columns(table: Sequence[Band]) -> list[int]:
    """Left edges of the table's column slots: every vertical rule but the last, merged by x."""
    xs = sorted({left for band in table for left, _ in band.rules[:-1]})
    merged: list[int] = []
    for x in xs:
        if not merged or x - merged[-1] > 12:
            merged.append(x)
    return merged


def _slot(columns: list[int], x: int) -> int:
    return min(range(len(columns)), key=lambda i: abs(columns[i] - x))


def slot_span(table: Sequence[Band], band: Band, slot: int) -> tuple[int, int] | None:
    """(left, right) on the page of column slot `slot` in `band` (a cell may span several rule
    pairs of the same slot); None when the band has no cell in that slot."""
    columns = _columns(table)
    edges = [(left, right) for (left, _), (right, _) in pairwise(band.rules)
             if _slot(columns, left) == slot]
    return (edges[0][0], edges[-1][1]) if edges else None


def _inside(word: OcrWord, top: int, bottom: int, left: int, right: int) -> bool:
    cx, cy = word.left + word.width / 2, word.top + word.height / 2
    return left < cx < right and top <= cy <= bottom


def cell_text(words: Sequence[OcrWord]) -> str:
    """Words in reading order: Tesseract's lines top to bottom, words left to right."""
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    ordered = sorted(lines.values(), key=lambda ws: sum(w.top + w.height / 2 for w in ws) / len(ws))
    return "\n".join(" ".join(w.text for w in sorted(ws, key=lambda w: w.left)) for ws in ordered)


@dataclass(frozen=True)
class Strip:
    """Table rows re-laid without rules: each row's cells side by side and top-aligned."""

    image: Image.Image
    cells: tuple[tuple[int, int, int, tuple[int, int, int, int]], ...]  # (table, row, slot, box)


def cell_strip(image: Image.Image, grid: Grid, *, gap: int = 40, pad: int = 8) -> Strip | None:
    """Crop each cell to its ink and lay the crops out row by row; None when all are empty.

    Top-aligning a row's crops puts a label on the baseline of its value's first line (forms
    centre labels on multi-line values, which Tesseract's line finder then garbles).
    """
    placed, cells, y = [], [], gap
    for t, table in enumerate(grid.tables):
        columns = _columns(table)
        for r, band in enumerate(table):
            x, height = gap, 0
            for (left, _), (right, _) in pairwise(band.rules):
                crop = _ink_crop(image, (left + 4, band.top + 3, right - 3, band.bottom - 2), pad)
                if crop is None:
                    continue
                placed.append((crop, x, y))
                cells.append((t, r, _slot(columns, left), (x, y, x + crop.width, y + crop.height)))
                x, height = x + crop.width + gap, max(height, crop.height)
            y += height + gap if height else 0
    if not placed:
        return None
    width = max(x + crop.width for crop, x, _ in placed) + gap
    strip = Image.new("L", (width, y), 255)
    for crop, x, top in placed:
        strip.paste(crop, (x, top))
    return Strip(strip, tuple(cells))


def _ink_crop(image: Image.Image, box: tuple[int, int, int, int], pad: int) -> Image.Image | None:
    if box[2] - box[0] < 4 or box[3] - box[1] < 4:
        return None
    crop = image.crop(box)
    ink = np.asarray(crop) < INK
    if ink.sum() < 20:
        return None
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return crop.crop((max(0, cols[0] - pad), max(0, rows[0] - pad),
                      cols[-1] + pad + 1, rows[-1] + pad + 1))


def fill_from_strip(grid: Grid, strip: Strip, words: Sequence[OcrWord]) -> list[list[list[str]]]:
    """Cell texts from the OCR of a cell strip, laid out like `fill_tables`."""
    out = [[[""] * len(_columns(table)) for _ in table] for table in grid.tables]
    for t, r, slot, (left, top, right, bottom) in strip.cells:
        out[t][r][slot] = cell_text([w for w in words if _inside(w, top, bottom, left, right)])
    return out


def table_lines(grid: Grid, tables: list[list[list[str]]]) -> list[tuple[int, str]]:
    """(top, text) of each table row, cells joined by spaces, for the page text."""
    out = []
    for table, rows in zip(grid.tables, tables, strict=False):
        for band, row in zip(table, rows, strict=False):
            text = " ".join(" ".join(c.split("\n")) for c in row if c)
            if text:
                out.append((band.top, text))
    return out


def words_outside(grid: Grid, words: Sequence[OcrWord]) -> list[OcrWord]:
    """Words that fall in no table cell."""
    return [w for w in words if not any(
        _inside(w, band.top, band.bottom, band.rules[0][0], band.rules[-1][1])
        for table in grid.tables for band in table)]
