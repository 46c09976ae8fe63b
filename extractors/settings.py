"""Tunable limits and OCR defaults of the reading stage (measured defaults quoted below)."""

from __future__ import annotations

import os

from pydantic import Field

from extractors.records import Record

# OCR defaults chosen by `python -m bench.ocr` (8 generated scanned contract pages: clean, skew
# 2 and -3.5 degrees, blur, noise, JPEG q20, upside-down, phone photo; character accuracy on NFC
# text without whitespace; 2 shared cores, so seconds are noisy):
#   Hangul psm 6 0.995 | Hangul psm 4 0.995 | Hangul+eng psm 6 0.987 | kor+eng psm 6 0.984 |
#   kor psm 6 0.939 | any lang psm 3 0.67-0.71 (psm 3 splits the contract lines into blocks).
#   Hangul reads English lines as well (offer-letter lines: 1.000, like kor+eng).
#   Fallback kor+eng -> Hangul under 0.6 confidence: 0.984 (never triggers: wrong readings
#   still score over 0.6), so no fallback by default.
#   Preprocessing (kor+eng psm 6): none 0.738 | +flatten uneven light 0.861 (phone page
#   0.000 -> 0.987) | +OSD under 0.75 confidence 0.861 (upside-down 0.000 -> 0.990) | both
#   0.984. Deskew did not help (skew 2: 0.994 without, 0.987 with; skew -3.5: 0.983 both), so
#   it is off by default. A 90-degree page scored 0.63 before OSD, hence osd_below = 0.75.
#   Speed: Hangul and kor+eng were within noise of each other (1.1-2.3 s/page raw tesseract).
# Refining pass (extractors.refine; `python -m bench.extract --scanned-only --misses`, 20
# scanned documents, field parsing already OCR-tolerant): low-confidence word runs cut out and
# re-read as lines with Hangul+eng in one process. Scanned duties 77.8% -> 94.4%, employee
# name 61.1% -> 88.9% ('API', 'CI/CD', Latin names), other fields unchanged, no wrong salary.
# Cost: bench.extract ocr_speed refined_ratio (default engine / raw tesseract) 1.75 when every
# low run was cut; 1.00 once all-Hangul runs and pages under 0.6 confidence (upside down: OSD
# re-reads them) are skipped, with the same accuracy.
# Stacking the cuts on one strip read at psm 6 did not work ('API' -> '^미').
# Seals (`python -m bench.extract --scanned-only`, every generated scan carries a seal, rendered
# to gray by the generator): clearing grey overlays (extractors.images.clear_grey_overlays)
# took scanned title, duties and annual salary 94.4% -> 100% (doc041: the seal sat over the
# amendment's "after" column) and employee name 88.9% -> 100%, other fields unchanged, no wrong
# salary; ~0.03 s a page. Its first version (no blob-size test) also cleared the grey insides
# of circled numbers and cost duties one document; blobs must reach 0.25 inch (0.3 left an arc
# of doc041's ring and cost its title, 0.2 cleared a row of grey bullets in tests/test_seals.py).
# OCR time (bench.extract ocr_speed: 12 scanned pages, 8 layouts, 2 interleaved runs, median
# of per-page ratios to the raw tesseract CLI on the same PNG): engine 0.96 (0.85-1.08);
# default engine with refining 1.25 (0.96-1.44); whole ocr_page (seals, tables: two Tesseract
# runs, OSD on the upside-down page) 1.41 (0.96-5.47); 0.77 pages/s with 2 workers on 2 cores.
# Refining cost (profiled on those 12 pages): the second `tesseract` process spent ~0.16 s a
# page starting and loading Hangul+eng (-c load_*_dawg=0, --oem 1, tessedit_do_invert=0: no
# measurable start-up gain) against 5-25 ms of recognition per cut; cutting and BMP handoff
# 1-8 ms. Cuts now go to libtesseract in-process (one loaded model per OCR thread, the same
# TSV as the program on all 88 cuts), and runs taller than 2 median word heights or holding a
# word wider than 2 heights per character (rules, table cells, underlines; never taken) are
# not cut. Same run (ratio.py, interleaved): refined 1.26 (q1 1.18, q3 1.32) with the process
# -> 1.04 (q1 0.99, q3 1.14). A table page and its cell strip are then read in one process
# (TesseractEngine.recognize_many, the same boxes as two runs). bench.extract ocr_speed after
# both: engine 0.98, refined 1.065 (q1 0.99, q3 1.11), whole ocr_page 1.16 (q1 1.11, q3 1.73,
# max 4.57: deskew of skewed grids, OSD), 1.83 pages/s with 2 workers; scanned accuracy
# unchanged (every field as before, workplace 72.2%, no wrong salary). Red seal ink on colour scans is faded by
# hue when converting to gray (remove_seals; tests/test_seals.py: the generated scans are gray).
# Phone photos (page_warp; `python -m bench.extract --photos-only`, 10 generated JPEG photos of
# the page on a desk, corners moved 3-10%, rotated up to 4 degrees, unevenly lit): the page
# found (extractors.images.find_page_quad) and warped flat to A4 at 300 DPI before the other
# steps took kind 30% -> 100%, title 11.1% -> 66.7%, duties 0% -> 44.4%, annual salary
# 11.1% -> 55.6%, employer and employee name 22.2% -> 88.9%, business number 62.5% -> 100%,
# visa 25% -> 100%, workplace 11.1% -> 33.3%; no wrong salary with high confidence either way;
# 5.95 s -> 2.96 s a page (median). Only image files are searched for a page: PDF pages and
# scans (the page fills the image) are never warped (born-digital and scanned unchanged).
# The photo frame is not resized before the warp (a 3024x4032 photo is within 15% of 300 DPI
# as an A4-high page): one BICUBIC resampling. What Tesseract got wrong was the warped page's
# rim: the fitted quad keeps 1-4 pixels of desk and shadowed paper edge, which flattening made
# a black line read as '/' before every line (no title, duties running on, salary lost). The
# outer 0.1 inch is now the paper just inside it (extractors.images.PAGE_EDGE_INCHES): photo
# group title 66.7% -> 77.8%, duties 44.4% -> 88.9%, annual salary 55.6% -> 88.9%. The warped
# page's light is then flattened with a 0.05 inch (15 px) blur instead of 30 px (photo text is
# softer; 3 photo sets of 10, seeds 1-3, title+duties+salary+name right: sigma 10 66, 15 70,
# 20 66, 30 65, 60 65; a closing-based background 68 but names 3 worse; unsharp masking cost
# dates and duties): seed 1 title 77.8% -> 100%, salary 88.9% -> 100%, duties 88.9% either way.


class ExtractSettings(Record):
    """Limits and engine options; the defaults are safe for untrusted uploads."""

    ocr_lang: str = "Hangul"  # Tesseract language/script model (measured best, see above)
    ocr_psm: int = 6  # Tesseract page segmentation mode for the first pass
    refine_lang: str | None = "Hangul+eng"  # re-reads low-confidence word runs (None: off)
    refine_below: float = 0.75  # word confidence under which a word is re-read
    refine_in_process: bool = True  # cuts read by libtesseract in-process (False: a process)
    fallback_lang: str | None = None  # second pass language when confidence is low (None: off)
    fallback_below: float = 0.6  # confidence under which the fallback pass runs
    osd_below: float = 0.75  # confidence under which orientation detection runs
    deskew: bool = False  # straighten small skews before OCR (measured no gain, see above)
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
