"""Read a document into per-page text (text layer or OCR), then extract contract fields."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from PIL import Image

from extractors import detect
from extractors.cleanup import deskew, prepare_page
from extractors.errors import DocumentTimeout, EmptyDocument, OcrError, OcrTimeout, UnreadableFile
from extractors.fields import extract_fields
from extractors.images import IMAGE_INPUT, plan_image_pages
from extractors.ocr import OcrEngine, OcrResult, OcrWord
from extractors.office import plan_docx_pages, plan_hwp_pages, plan_hwpx_pages
from extractors.pdf import plan_pdf_pages
from extractors.photos import find_page_quad
from extractors.records import (
    DocumentRef,
    Extraction,
    PageLayout,
    PageText,
    PageWord,
    Problem,
    Route,
)
from extractors.routing import PagePlan
from extractors.settings import ExtractSettings
from extractors.tables import (
    Grid,
    Strip,
    cell_strip,
    erase_rules,
    fill_from_strip,
    find_grid,
    ink_mask,
    slot_span,
    table_lines,
    words_outside,
)
from extractors.tesseract import build_engine

log = logging.getLogger(__name__)

Tables = list[list[list[str]]]  # tables of rows of cell texts


class Deadline:
    """The per-document time budget."""

    def __init__(self, seconds: float, label: str):
        self.ends = time.monotonic() + seconds
        self.seconds = seconds
        self.label = label

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise DocumentTimeout(f"document {self.label} exceeded {self.seconds:.0f} s")
        return left


def read_document(
    path: Path, *, ocr: OcrEngine | None = None, settings: ExtractSettings | None = None,
    sha256: str | None = None, work_dir: Path | None = None,
) -> tuple[DocumentRef, list[PageText], list[Problem]]:
    """Read every page of `path`; raise an InputError when the file cannot be read at all.

    `sha256`: the file's hash when the caller has it (it is then not hashed again);
    `work_dir`: the document's work folder, where the image OCR read of each OCR page is kept
    (PNG, named in its `PageText.layout`) for the report crops; None keeps no image."""
    settings = settings or ExtractSettings()
    ref = describe_file(Path(path), sha256=sha256)
    label = ref.sha256[:12]
    deadline = Deadline(settings.document_timeout_s, label)
    media_type = detect.detect_media_type(Path(path), label=label)
    with plan_pages(Path(path), media_type, settings, label, deadline=deadline) as plans:
        pages, problems = run_plans(plans, ocr, settings, deadline, work_dir=work_dir)
    ref = ref.model_copy(update={"media_type": media_type, "page_count": len(pages)})
    log.info("read %s: %d pages, %d problems", label, len(pages), len(problems))
    return ref, pages, problems


def describe_file(path: Path, *, sha256: str | None = None) -> DocumentRef:
    """Hash (unless given) and size of the file; an empty file is refused here."""
    if sha256:
        try:
            size = path.stat().st_size
        except OSError as e:
            raise UnreadableFile(f"document could not be read ({type(e).__name__})") from None
        if size == 0:
            raise EmptyDocument(f"document {sha256[:12]} is empty")
        return DocumentRef(path=str(path), sha256=sha256, media_type="", size_bytes=size)
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
    except OSError as e:  # deleted since it was listed, or no permission: the user's problem
        raise UnreadableFile(f"document could not be read ({type(e).__name__})") from None
    if size == 0:
        raise EmptyDocument(f"document {digest.hexdigest()[:12]} is empty")
    return DocumentRef(path=str(path), sha256=digest.hexdigest(), media_type="", size_bytes=size)


@contextmanager
def plan_pages(path: Path, media_type: str, settings: ExtractSettings, label: str, *,
               deadline: Deadline | None = None) -> Iterator[list[PagePlan]]:
    """Open the reader for `media_type`; OCR pages stay loadable while the context is open."""
    if media_type == detect.PDF:
        with plan_pdf_pages(path, settings, label=label, deadline=deadline) as plans:
            yield plans
    elif media_type in detect.IMAGE_TYPES:
        with plan_image_pages(path, settings, label=label) as plans:
            yield plans
    else:
        readers = {detect.DOCX: plan_docx_pages, detect.HWPX: plan_hwpx_pages, detect.HWP: plan_hwp_pages}
        yield readers[media_type](path, label=label)


def run_plans(
    plans: list[PagePlan], ocr: OcrEngine | None, settings: ExtractSettings, deadline: Deadline,
    *, work_dir: Path | None = None,
) -> tuple[list[PageText], list[Problem]]:
    """Text-layer pages as planned; OCR pages in parallel, bounded by cores and settings."""
    results: dict[int, tuple[PageText, list[Problem]]] = {}
    ocr_plans = [p for p in plans if p.route is Route.ocr]
    for plan in plans:
        if plan.route is Route.text_layer:
            results[plan.page] = (_text_page(plan), list(plan.problems))
    if ocr_plans:
        engine = ocr or build_engine(settings)
        results.update(_ocr_all(ocr_plans, engine, settings, deadline, work_dir))
    pages = [results[p.page][0] for p in plans]
    problems = [problem for p in plans for problem in results[p.page][1]]
    return pages, problems


def _text_page(plan: PagePlan) -> PageText:
    return PageText(page=plan.page, route=plan.route, reason=plan.reason, text=plan.text,
                    seconds=round(plan.seconds, 4), tables=plan.tables)


def _ocr_all(plans: list[PagePlan], engine: OcrEngine, settings: ExtractSettings,
             deadline: Deadline, work_dir: Path | None) -> dict[int, tuple[PageText, list[Problem]]]:
    workers = max(1, min(settings.workers, os.cpu_count() or 1, len(plans)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ksoc-ocr")
    try:
        futures = {pool.submit(ocr_page, p, engine, settings, deadline, work_dir=work_dir): p.page
                   for p in plans}
        done, pending = wait(futures, timeout=deadline.remaining(), return_when=FIRST_EXCEPTION)
        while pending and not any(f.exception() for f in done):
            more, pending = wait(pending, timeout=deadline.remaining(), return_when=FIRST_EXCEPTION)
            done |= more
        return {futures[f]: f.result() for f in futures}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


class _Reading(NamedTuple):
    """One OCR reading of a page and the geometry its word boxes refer to."""

    result: OcrResult
    tables: Tables
    image: Image.Image  # the image the engine read (boxes are in its pixels)
    cells: tuple[PageWord, ...] = ()  # ruled-table cells, one box per cell


def ocr_page(plan: PagePlan, engine: OcrEngine, settings: ExtractSettings, deadline: Deadline,
             *, work_dir: Path | None = None) -> tuple[PageText, list[Problem]]:
    """OCR one page: load, deskew, recognise, retry upright when confidence is low; the image
    read is kept in `work_dir` (when given) for the report crops."""
    started = time.monotonic()
    deadline.remaining()
    load = plan.load_image
    assert load is not None  # an OCR plan renders its page
    loaded = load()
    quad = None
    if settings.page_warp and loaded.info.get(IMAGE_INPUT):  # photos come as image files only
        quad = find_page_quad(loaded)
    prepared = prepare_page(loaded, quad=quad, dpi=settings.render_dpi,
                            flatten=settings.flatten_uneven, clear_overlays=settings.clear_overlays,
                            deskew_page=settings.deskew, max_skew_degrees=settings.max_skew_degrees)
    image = prepared.image
    try:
        reading = _recognize_upright(image, plan.page, engine, settings, deadline)
    except OcrTimeout as e:
        deadline.remaining()
        return _failed_page(plan, started, "ocr_timeout", e)
    except OcrError as e:
        if e.code != OcrError.code:
            raise
        return _failed_page(plan, started, "ocr_failed", e)
    layout = _layout(reading, plan.page, work_dir)
    return _ocr_text_page(plan, reading.result, reading.tables, time.monotonic() - started,
                          settings, layout=layout)


def _recognize_upright(image: Image.Image, page: int, engine: OcrEngine, settings: ExtractSettings,
                       deadline: Deadline) -> _Reading:
    """The reading of the page, turned upright by OSD when confidence is low."""
    first = _read(image, page, engine, settings, deadline)
    if first.result.confidence >= settings.osd_below:
        return first
    rotation = engine.orientation(image, page=page, timeout=min(settings.page_timeout_s, deadline.remaining()))
    if not rotation:
        return first
    turned = image.rotate(-rotation, expand=True, fillcolor=255)
    retry = _read(turned, page, engine, settings, deadline)
    return retry if retry.result.confidence > first.result.confidence else first


def _read(image: Image.Image, page: int, engine: OcrEngine, settings: ExtractSettings,
          deadline: Deadline) -> _Reading:
    """OCR with ruled tables found, their rules erased, and their cells filled from word boxes."""
    grid = find_grid(ink_mask(image))
    if grid.skewed and not settings.deskew:
        straight = deskew(image, max_degrees=settings.max_skew_degrees)
        if straight is not image:
            image, grid = straight, find_grid(ink_mask(straight))
    if not grid.tables:
        result = engine.recognize(image, page=page, timeout=_timeout(settings, deadline))
        return _Reading(result, [], image)
    clean = erase_rules(image, grid)
    strip = cell_strip(clean, grid)
    if strip is None:
        result = engine.recognize(clean, page=page, timeout=_timeout(settings, deadline))
        return _Reading(result, [], image)
    if engine.reads_many:  # page and cells in one call (Tesseract: one process)
        result, cells = engine.recognize_many([clean, strip.image], page=page,
                                              timeout=_timeout(settings, deadline))
    else:
        result = engine.recognize(clean, page=page, timeout=_timeout(settings, deadline))
        cells = engine.recognize(strip.image, page=page, timeout=_timeout(settings, deadline))
    tables = fill_from_strip(grid, strip, cells.boxes)
    return _Reading(_merge_tables(result, cells, grid, tables), tables, image,
                    cells=tuple(_cell_boxes(grid, strip, tables)))


def _cell_boxes(grid: Grid, strip: Strip, tables: Tables) -> list[PageWord]:
    """One box per non-empty table cell, on the page (strip words have strip coordinates)."""
    boxes = []
    for t, r, slot, _ in strip.cells:
        band = grid.tables[t][r]
        text = " ".join(tables[t][r][slot].split())
        span = slot_span(grid.tables[t], band, slot)
        if text and span:
            left, right = span
            boxes.append(PageWord(text=text, left=left, top=band.top, width=right - left,
                                  height=band.bottom - band.top + 1, line=f"t{t}.r{r}"))
    return boxes


def _layout(reading: _Reading, page: int, work_dir: Path | None) -> PageLayout:
    """The word boxes of the reading, and the image they refer to kept in `work_dir`."""
    words = [PageWord(text=w.text, left=w.left, top=w.top, width=w.width, height=w.height,
                      line=".".join(map(str, w.line))) for w in reading.result.boxes]
    image = None
    if work_dir is not None:
        image = Path(work_dir) / f"page-{page:04d}.png"
        reading.image.save(image, format="PNG", compress_level=1)  # fast: deleted after the reports
    return PageLayout(image=None if image is None else str(image), width=reading.image.width,
                      height=reading.image.height, words=[*words, *reading.cells])


def _timeout(settings: ExtractSettings, deadline: Deadline) -> float:
    return min(settings.page_timeout_s, deadline.remaining())


def _merge_tables(page: OcrResult, cells: OcrResult, grid: Grid, tables: Tables) -> OcrResult:
    """Page text with table rows (read from the cell strip) in place of the page's table words."""
    outside = words_outside(grid, page.boxes)
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for word in outside:
        lines.setdefault(word.line, []).append(word)
    placed = [(min(w.top for w in ws), " ".join(w.text for w in ws)) for ws in lines.values()]
    text = "\n".join(t for _, t in sorted([*placed, *table_lines(grid, tables)], key=lambda x: x[0]))
    boxes = [*outside, *cells.boxes]
    confidence = sum(b.conf for b in boxes) / len(boxes) if boxes else page.confidence
    return OcrResult(text=text, confidence=confidence, words=len(boxes), boxes=outside)


def _ocr_text_page(plan: PagePlan, result: OcrResult, tables: Tables, seconds: float,
                   settings: ExtractSettings, *, layout: PageLayout | None = None) -> tuple[PageText, list[Problem]]:
    page = PageText(page=plan.page, route=Route.ocr, reason=plan.reason, text=result.text,
                    confidence=round(result.confidence, 4), seconds=round(seconds, 3), tables=tables,
                    layout=layout)
    if result.confidence >= settings.low_confidence:
        return page, []
    message = (f"page {plan.page} was read by OCR with low confidence ({result.confidence:.0%}); "
               "check the values taken from it or rescan the page at 300 DPI")
    return page, [Problem(code="low_ocr_confidence", message=message, page=plan.page)]


def _failed_page(plan: PagePlan, started: float, code: str, error: OcrError
                 ) -> tuple[PageText, list[Problem]]:
    log.warning("page %d: %s", plan.page, code)
    page = PageText(page=plan.page, route=Route.ocr, reason=f"{plan.reason}; OCR failed ({code})",
                    text="", confidence=0.0, seconds=round(time.monotonic() - started, 3))
    return page, [Problem(code=code, message=error.message, page=plan.page)]


def extract_document(
    path: Path, *, ocr: OcrEngine | None = None, settings: ExtractSettings | None = None,
    sha256: str | None = None, work_dir: Path | None = None,
) -> Extraction:
    """read_document, then the field extractor (extractors.fields) on the page texts."""
    document, pages, problems = read_document(path, ocr=ocr, settings=settings, sha256=sha256,
                                              work_dir=work_dir)
    fields, field_problems = extract_fields(pages)
    return Extraction(document=document, pages=pages, fields=fields,
                      problems=[*problems, *field_problems])
