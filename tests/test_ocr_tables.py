"""Ruled tables on OCR pages: grid finding, rule erasing, cell strips, and (real OCR) fields."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from extractors.cleanup import deskew
from extractors.ocr import OcrWord
from extractors.tables import (
    cell_strip,
    cell_text,
    erase_rules,
    fill_from_strip,
    find_grid,
    ink_mask,
    table_lines,
    words_outside,
)

ROWS = 4
TOP, ROW_H, LEFT, MID, RIGHT = 400, 80, 240, 800, 2240


def ruled_page(*, filled: bool = True) -> Image.Image:
    """An A4 page at 300 DPI with one 4x2 ruled table; cells hold dark blocks as 'text'."""
    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    for r in range(ROWS + 1):
        y = TOP + r * ROW_H
        draw.rectangle((LEFT, y, RIGHT, y + 2), fill=0)
    for x in (LEFT, MID, RIGHT):
        draw.rectangle((x, TOP, x + 2, TOP + ROWS * ROW_H + 2), fill=0)
    for r in range(ROWS if filled else 0):
        y = TOP + r * ROW_H + 25
        glyphs(draw, LEFT + 30, y, 120)
        glyphs(draw, MID + 30, y, 370)
    glyphs(draw, 300, 2000, 600)  # a text line under the table
    return image


def glyphs(draw: ImageDraw.ImageDraw, x: int, y: int, width: int) -> None:
    """Glyph-like ink: short strokes, never a long horizontal run."""
    for left in range(x, x + width, 22):
        draw.rectangle((left, y, left + 6, y + 30), fill=0)
        draw.rectangle((left, y + 12, left + 16, y + 15), fill=0)


def word(text, left, top, line=(1, 1, 1), width=60, height=30) -> OcrWord:
    return OcrWord(text=text, left=left, top=top, width=width, height=height, conf=0.9, line=line)


def test_grid_finds_rows_and_columns():
    grid = find_grid(ink_mask(ruled_page()))
    assert len(grid.tables) == 1 and len(grid.tables[0]) == ROWS
    assert all(len(band.rules) == 3 for band in grid.tables[0])
    assert not grid.skewed


def test_page_without_rules_has_no_table():
    image = Image.new("L", (2480, 3508), 255)
    ImageDraw.Draw(image).rectangle((300, 300, 340, 340), fill=0)
    grid = find_grid(ink_mask(image))
    assert grid.tables == () and not grid.skewed


def test_erase_rules_keeps_cell_ink():
    page = ruled_page()
    grid = find_grid(ink_mask(page))
    clean = ink_mask(erase_rules(page, grid))
    assert not clean[TOP: TOP + 3, LEFT: RIGHT].any()  # the top rule is gone
    assert clean[TOP + 30, LEFT + 32] and clean[TOP + 30, MID + 32]  # cell content stays


def test_cell_strip_stacks_non_empty_cells_and_maps_words_back():
    page = ruled_page()
    grid = find_grid(ink_mask(page))
    strip = cell_strip(erase_rules(page, grid), grid)
    assert strip is not None and len(strip.cells) == 2 * ROWS
    (_, r0, s0, box0), (_, r1, s1, box1) = strip.cells[:2]
    assert (r0, s0, r1, s1) == (0, 0, 0, 1) and box0[1] == box1[1]  # one row, top-aligned
    words = [word("직종", box0[0] + 2, box0[1] + 2, width=20, height=20),
             word("개발자", box1[0] + 2, box1[1] + 2, width=20, height=20)]
    tables = fill_from_strip(grid, strip, words)
    assert tables[0][0] == ["직종", "개발자"] and tables[0][1] == ["", ""]
    assert table_lines(grid, tables)[0][1] == "직종 개발자"


def test_empty_table_gives_no_strip():
    page = ruled_page(filled=False)
    grid = find_grid(ink_mask(page))
    assert len(grid.tables) == 1 and cell_strip(erase_rules(page, grid), grid) is None


def test_cell_text_orders_lines_top_to_bottom():
    words = [word("관리", 200, 140, (1, 1, 2)), word("전화", 100, 140, (1, 1, 2)),
             word("문서", 100, 100, (1, 1, 1))]
    assert cell_text(words) == "문서\n전화 관리"


def test_words_outside_tables():
    grid = find_grid(ink_mask(ruled_page()))
    inside, outside = word("a", LEFT + 40, TOP + 20), word("b", 300, 2000)
    assert words_outside(grid, [inside, outside]) == [outside]


def test_skewed_table_is_found_after_deskew():
    page = ruled_page().rotate(1.8, resample=Image.Resampling.BICUBIC, fillcolor=255)
    grid = find_grid(ink_mask(page))
    assert grid.skewed
    straight = find_grid(ink_mask(deskew(page)))
    assert len(straight.tables) == 1 and len(straight.tables[0]) == ROWS


@pytest.mark.ocr
def test_scanned_table_form_fields_come_from_cells(tmp_path):
    from extractors.pipeline import extract_document
    from extractors.text import squash
    from fixtures import images_to_pdf, make_spec, render_pdf, scan

    spec = make_spec(11, scenario="consistent", style="monthly")
    pages = scan(render_pdf(spec, "table_form"), skew=0.4, blur=0.8, jpeg_quality=65, seed=3)
    path = tmp_path / "scan.pdf"
    path.write_bytes(images_to_pdf(pages))
    extraction = extract_document(path)
    assert extraction.pages[0].tables, "an OCR page with a ruled table carries its cells"
    fields = extraction.fields
    assert fields.kind.value == "table_form"
    assert squash(fields.job_title.value or "") == squash(spec.job_title_ko)
    assert fields.salary.annual_krw == spec.annual_krw
