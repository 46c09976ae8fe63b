"""PDF pages: pdfplumber text layer and tables, pypdfium2 rendering for ink and OCR."""

from __future__ import annotations

import io
import logging
import math
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import pdfplumber
import pypdfium2 as pdfium
from pdfplumber.page import Page as PlumberPage
from pdfplumber.pdf import PDF
from pdfplumber.utils.exceptions import PdfminerException
from PIL import Image

from extractors.cleanup import gray_without_seals
from extractors.errors import CorruptDocument, EmptyDocument, EncryptedDocument
from extractors.limits import OverBudget, time_limit
from extractors.records import Problem, Route
from extractors.routing import (
    GAP_DPI,
    PagePlan,
    char_lines,
    choose_route,
    has_empty_slots,
    inked_gaps,
    measure_ink,
)
from extractors.settings import ExtractSettings

log = logging.getLogger(__name__)

_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
# PDFium is not thread-safe: every call into it from OCR worker threads goes through this lock.
PDFIUM_LOCK = threading.Lock()


class Deadline(Protocol):
    """What reading pages needs of a document's deadline (extractors.pipeline.Deadline)."""

    def remaining(self) -> float:
        """Seconds left; raises DocumentTimeout when none are."""
        ...


@contextmanager
def plan_pdf_pages(path: Path, settings: ExtractSettings, *, label: str,
                   deadline: Deadline | None = None) -> Iterator[list[PagePlan]]:
    """Yield one PagePlan per page; OCR pages render lazily while the context is open.

    `deadline` (pipeline.Deadline): reading a page's text layer is limited to the page time
    limit and what is left of the document's; a page over its limit is abandoned (where it
    can be: extractors.limits) and becomes a `text_layer_timeout` problem, the document's
    deadline running out raises DocumentTimeout."""
    doc = _open_pdfium(path, label)
    try:
        with _open_plumber(path, label, doc) as plumber:
            plans = [_plan_page(doc, plumber.pages[i], i, settings, deadline)
                     for i in range(len(doc))]
        yield plans
    finally:
        with PDFIUM_LOCK:
            doc.close()


def _open_pdfium(path: Path, label: str) -> pdfium.PdfDocument:
    try:
        with PDFIUM_LOCK:
            doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if e.err_code == _PASSWORD_ERROR:
            raise EncryptedDocument(f"PDF {label} needs a password to open") from e
        raise CorruptDocument(f"PDF {label} cannot be opened") from e
    if len(doc) == 0:
        doc.close()
        raise EmptyDocument(f"PDF {label} has no pages")
    return doc


@contextmanager
def _open_plumber(path: Path, label: str, doc: pdfium.PdfDocument) -> Iterator[PDF]:
    """pdfplumber on the file; when it cannot list the pages PDFium found (wrong xref offsets,
    a damaged trailer: PDFium repairs those as it opens), on PDFium's re-written copy of it."""
    pdf = _plumber_pages(path, len(doc))
    if pdf is None:
        log.warning("PDF %s: damaged structure, reading PDFium's repaired copy", label)
        pdf = _plumber_pages(io.BytesIO(_repaired_copy(doc, label)), len(doc))
    if pdf is None:
        raise CorruptDocument(f"PDF {label} has an unreadable structure")
    with pdf:
        yield pdf


def _plumber_pages(source: Path | io.BytesIO, count: int) -> PDF | None:
    """pdfplumber opened on `source` with its `count` pages listed, else None."""
    try:
        pdf = pdfplumber.open(source)
    except PdfminerException:
        return None
    try:
        if len(pdf.pages) == count:
            return pdf
    except Exception as e:  # noqa: BLE001 - pdfminer raises many unrelated types on bad structure
        log.info("pdfplumber cannot list the pages (%s)", type(e).__name__)
    pdf.close()
    return None


def _repaired_copy(doc: pdfium.PdfDocument, label: str) -> bytes:
    buffer = io.BytesIO()
    try:
        with PDFIUM_LOCK:
            doc.save(buffer)
    except (pdfium.PdfiumError, OSError) as e:
        raise CorruptDocument(f"PDF {label} has an unreadable structure") from e
    return buffer.getvalue()


def _plan_page(doc: pdfium.PdfDocument, page: PlumberPage, index: int, settings: ExtractSettings,
               deadline: Deadline | None = None) -> PagePlan:
    started = time.monotonic()
    budget = settings.page_timeout_s
    if deadline is not None:
        budget = min(budget, deadline.remaining())  # raises DocumentTimeout when none is left
    try:
        with time_limit(budget):
            text, tables, lines = read_text_layer(page)
    except OverBudget:
        if deadline is not None:
            deadline.remaining()
        log.warning("page %d: text layer over its time limit", index + 1)
        message = (f"page {index + 1}: reading its text layer took longer than {budget:.0f} s "
                   "(dense ruled grids); its text was left out: check the values on that page")
        problem = Problem(code="text_layer_timeout", message=message, page=index + 1)
        return PagePlan(index + 1, Route.text_layer, "text layer over its time limit", "", [],
                        time.monotonic() - started, problems=[problem])
    ink = measure_ink(render_page(doc, index, dpi=settings.ink_dpi, max_pixels=settings.max_pixels))
    route, reason = choose_route(text, ink)
    if route is Route.text_layer and has_empty_slots(text):
        # '년 월 일', '월 원': blanks of a form, or a text layer that drops the figures drawn there
        image = render_page(doc, index, dpi=GAP_DPI, max_pixels=settings.max_pixels, seals=True)
        if inked := inked_gaps(lines, image, image.info["dpi"][0] / 72):
            route, reason = Route.ocr, f"text layer lacks glyphs the page shows ({inked} inked gaps between words)"
    loader = None
    if route is Route.ocr:
        text, tables = "", []
        loader = _page_loader(doc, index, settings)
    seconds = time.monotonic() - started
    return PagePlan(index + 1, route, reason, text, tables, seconds, loader)


def _page_loader(doc: pdfium.PdfDocument, index: int, settings: ExtractSettings
                 ) -> Callable[[], Image.Image]:
    def load() -> Image.Image:
        return render_page(doc, index, dpi=settings.render_dpi, max_pixels=settings.max_pixels,
                           seals=settings.remove_seals)

    return load


def read_text_layer(page: PlumberPage) -> tuple[str, list[list[list[str]]], list[list[tuple[float, float, float, float]]]]:
    """Text (NFC), tables and the character boxes by line of a pdfplumber page (in PDF points);
    an unparsable page gives nothing."""
    try:
        text = page.extract_text() or ""
        tables = page.extract_tables()
        lines = char_lines(page.chars)
    except Exception as e:  # noqa: BLE001 - pdfminer raises many unrelated types on bad streams
        log.warning("page %d text layer unreadable (%s)", page.page_number, type(e).__name__)
        return "", [], []
    finally:
        page.close()
    cells = [[[_clean_cell(c) for c in row] for row in table] for table in tables]
    return unicodedata.normalize("NFC", text), cells, lines


def _clean_cell(cell: str | None) -> str:
    return unicodedata.normalize("NFC", cell or "")


def render_page(doc: pdfium.PdfDocument, index: int, *, dpi: int, max_pixels: int,
                seals: bool = False) -> Image.Image:
    """Render a page in grayscale at `dpi`, lowered as needed to stay under `max_pixels`.

    `seals`: render in colour and convert with red seal ink faded (images.gray_without_seals),
    so a company seal stamped over a name or an amount does not hide it from OCR.
    """
    with PDFIUM_LOCK:
        page = doc[index]
        try:
            width, height = page.get_size()
            scale = min(dpi / 72, math.sqrt(max_pixels / max(1.0, width * height)))
            bitmap = page.render(scale=scale, grayscale=not seals)
            image: Image.Image = bitmap.to_pil()
        finally:
            page.close()
    if seals:
        image = gray_without_seals(image)[0]
    image.info["dpi"] = (round(scale * 72), round(scale * 72))
    return image
