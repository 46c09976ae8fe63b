"""Entry points of the human-readable reports: per document (HTML, PDF, DOCX) and per batch."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from extractors.records import PageLayout
from reports.batch import write_batch
from reports.crops import crop_fields
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
    pdf: bool = True,
    layouts: Mapping[int, PageLayout] | None = None,
) -> dict[str, Path]:
    """Write `[client/]<stem>.html`, `.pdf` and (with an addendum) `.addendum.docx` under
    `out_dir`, next to the JSON reports.output writes. Identifiers (ID, passport, phone and
    account numbers) are masked unless `show_pii`; so is the employee's name in the HTML and PDF
    reports, but not in the addendum, which the parties sign.

    Crops of scanned (OCR-read) values are cut from the page images and word boxes extraction
    kept: `layouts` (1-based page -> PageLayout), else the `layout` of `result.pages` (in
    memory only: a result read back from JSON has none, and its reports no crops)."""
    base = Path(out_dir) / document_base(result.document.path, result.document.sha256, result.client)
    crops = _crops(result, show_pii, layouts)
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
    result: DocumentResult, show_pii: bool, layouts: Mapping[int, PageLayout] | None
) -> dict[str, Crop]:
    kept = dict(layouts) if layouts else {
        page.page: page.layout for page in result.pages if page.layout is not None}
    if not kept:
        return {}
    names = () if show_pii else person_names(result.fields)
    try:
        return crop_fields(result.fields, kept, redact=not show_pii, names=names)
    except Exception as e:  # noqa: BLE001 - pictures are optional; the report must be written
        log.warning("no crops for document %s: %s", result.document.sha256[:12], type(e).__name__)
        return {}


def _write_or_drop_docx(result: DocumentResult, path: Path) -> Path | None:
    written = write_addendum_docx(result, path)
    if written is None and path.exists():
        # A re-run that no longer proposes an addendum must not leave the old draft behind.
        path.unlink()
    return written
