"""Entry points of the human-readable reports: per document (HTML, PDF, DOCX) and per batch."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from extractors.ocr import OcrEngine
from extractors.records import PageLayout
from reports.batch import write_batch
from reports.crops import WordLocator, crop_document_fields, crop_fields
from reports.docx_addendum import write_addendum_docx
from reports.html import Crop, now_iso, render_document_html
from reports.paths import atomic_write_text, document_base
from reports.pdf import print_css, write_pdf
from reports.pii import mask_model, mask_result, person_names
from reports.records import BatchSummary, DocumentResult

log = logging.getLogger(__name__)

HTML_SUFFIX = ".html"
PDF_SUFFIX = ".pdf"
DOCX_SUFFIX = ".addendum.docx"


def render_document_reports(
    result: DocumentResult,
    out_dir: Path,
    *,
    show_pii: bool = False,
    page_images: Mapping[int, Path] | None = None,
    locate: WordLocator | None = None,
    pdf: bool = True,
    source: Path | None = None,
    layouts: Mapping[int, PageLayout] | None = None,
    ocr: OcrEngine | None = None,
) -> dict[str, Path]:
    """Write `[client/]<stem>.html`, `.pdf` and (with an addendum) `.addendum.docx` under
    `out_dir`, next to the JSON reports.output writes. Identifiers (ID, passport, phone and
    account numbers) are masked unless `show_pii`; so is the employee's name in the HTML and PDF
    reports, but not in the addendum, which the parties sign.

    Crops of scanned (OCR-read) values: from `page_images` (1-based page -> image file, words
    found by `locate`, default Tesseract), or else from `source`, the audited file itself (its
    content must still hash to `result.document.sha256`): the pages holding OCR-read values are
    re-rendered and cut with the word boxes extraction kept (`layouts`, page -> PageLayout, or the
    `layout` of `result.pages`); pages without them are read once more by the extractors' page
    OCR (`ocr`, default: the pipeline's engine)."""
    base = Path(out_dir) / document_base(result.document.path, result.document.sha256, result.client)
    crops = _crops(result, page_images, locate, show_pii, source=source, layouts=layouts, ocr=ocr)
    shown = result if show_pii else mask_result(result)
    stamp = now_iso()
    written = {"html": write_html(shown, _with_suffix(base, HTML_SUFFIX), crops=crops,
                                  generated_at=stamp)}
    if pdf:
        written["pdf"] = write_pdf_report(shown, _with_suffix(base, PDF_SUFFIX), crops=crops,
                                          generated_at=stamp)
    # The addendum is signed by the parties: their real names stay, identifiers are masked.
    signable = result if show_pii else mask_model(result)
    docx = _write_or_drop_docx(signable, _with_suffix(base, DOCX_SUFFIX))
    if docx is not None:
        written["docx"] = docx
    return written


def render_batch(
    summary: BatchSummary,
    results: list[DocumentResult],
    out_dir: Path,
    *,
    show_pii: bool = False,
) -> dict[str, Path]:
    """Write summary.csv, summary.xlsx and index.html (and the same per client folder);
    keys are "csv", "xlsx", "index" and "<client>/csv" ... for each client."""
    return write_batch(summary, results, Path(out_dir), show_pii=show_pii,
                       render_missing=lambda r, path: write_html(r, path, crops={}))


def write_html(
    result: DocumentResult, path: Path, *, crops: Mapping[str, Crop], generated_at: str | None = None
) -> Path:
    """The HTML report of an already masked (or deliberately unmasked) result."""
    html = render_document_html(result, crops=dict(crops), generated_at=generated_at)
    return atomic_write_text(path, html)


def write_pdf_report(
    result: DocumentResult, path: Path, *, crops: Mapping[str, Crop], generated_at: str | None = None
) -> Path:
    """The same report as PDF: the HTML plus print CSS with the Korean fonts embedded."""
    html = render_document_html(result, crops=dict(crops), extra_css=print_css(),
                                generated_at=generated_at)
    return write_pdf(html, path)


def _with_suffix(base: Path, suffix: str) -> Path:
    # Stems may contain dots, so Path.with_suffix would cut them; append instead.
    return base.with_name(base.name + suffix)


def _crops(
    result: DocumentResult,
    page_images: Mapping[int, Path] | None,
    locate: WordLocator | None,
    show_pii: bool,
    *,
    source: Path | None = None,
    layouts: Mapping[int, PageLayout] | None = None,
    ocr: OcrEngine | None = None,
) -> dict[str, Crop]:
    if not page_images and source is None:
        return {}
    names = () if show_pii else person_names(result.fields)
    try:
        if page_images:
            return crop_fields(result.fields, page_images, locate=locate, redact=not show_pii,
                               names=names)
        document = result.document.model_copy(update={"path": str(source)})
        return crop_document_fields(result.fields, document, layouts=_layouts(result, layouts),
                                    ocr=ocr, redact=not show_pii, names=names)
    except Exception as e:  # noqa: BLE001 - pictures are optional; the report must be written
        log.warning("no crops for document %s: %s", result.document.sha256[:12], type(e).__name__)
        return {}


def _layouts(
    result: DocumentResult, layouts: Mapping[int, PageLayout] | None
) -> dict[int, PageLayout]:
    """Given layouts, else those the result's pages carry (when its page records hold them)."""
    if layouts:
        return dict(layouts)
    found = {page.page: getattr(page, "layout", None) for page in result.pages}
    return {number: layout for number, layout in found.items() if isinstance(layout, PageLayout)}


def _write_or_drop_docx(result: DocumentResult, path: Path) -> Path | None:
    written = write_addendum_docx(result, path)
    if written is None and path.exists():
        # A re-run that no longer proposes an addendum must not leave the old draft behind.
        path.unlink()
    return written
