"""Tunable limits of the reading stage, engine-neutral (Tesseract's own options:
extractors.tesseract.TesseractOptions; how the defaults were measured: docs/MEASUREMENTS.md)."""

from __future__ import annotations

import os

from pydantic import Field

from extractors.records import Record


class ExtractSettings(Record):
    """Limits and reading options; the defaults are safe for untrusted uploads."""

    refine_below: float = 0.75  # word confidence under which a word is re-read (refining pass)
    fallback_below: float = 0.6  # confidence under which the fallback pass runs (when one is set)
    osd_below: float = 0.75  # confidence under which orientation detection runs
    deskew: bool = False  # straighten small skews before OCR (no gain measured)
    flatten_uneven: bool = True  # even out uneven lighting (phone photos) before OCR
    page_warp: bool = True  # image files: a photographed page found on its background is warped flat
    remove_seals: bool = True  # red seal ink (colour scans) faded when converting to gray
    clear_overlays: bool = True  # grey seals/stamps over text made paper before OCR
    max_skew_degrees: float = 5.0  # largest skew searched when deskewing
    render_dpi: int = 300  # resolution for rendering PDF pages and normalising images
    ink_dpi: int = 40  # resolution for measuring a page's ink when routing
    max_pixels: int = 80_000_000  # pixel cap per image or rendered page (decompression bombs)
    page_timeout_s: float = 60.0  # time limit for one page (its text layer, or its OCR)
    document_timeout_s: float = 600.0  # time limit for a whole document
    low_confidence: float = 0.55  # OCR confidence under which a page is flagged
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1)  # parallel OCR pages
