"""Batch outputs: summary.csv, summary.xlsx and the index.html dashboard, per client too."""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from matchers.records import Severity
from reports.html import (
    SEVERITY_RANK,
    STATUS_LABELS,
    display_name,
    environment,
    now_iso,
    stylesheet,
)
from reports.paths import (
    atomic_write_bytes,
    atomic_write_text,
    client_folder,
    document_base,
    relative_link,
)
from reports.pii import mask_name, mask_names, mask_result, mask_text, person_names
from reports.records import BatchSummary, DocumentResult, SummaryEntry

log = logging.getLogger(__name__)

CSV_NAME = "summary.csv"
XLSX_NAME = "summary.xlsx"
INDEX_NAME = "index.html"
COLUMNS = ("client", "file", "employee", "title", "best_code", "best_name", "subcategory",
           "findings", "status", "problems", "report")
NO_FINDING_RANK = len(SEVERITY_RANK)  # sorts after low

HtmlRenderer = Callable[[DocumentResult, Path], Path]


@dataclass(frozen=True)
class BatchRow:
    """One input file as shown in the batch outputs (already masked unless show_pii)."""

    client: str
    file: str
    employee: str
    title: str
    best_code: str
    best_name: str
    subcategory: str
    findings: tuple[tuple[str, Severity | None], ...]  # (rule, severity), most severe first
    status: str
    problems: str
    report: Path | None  # absolute path of the HTML report, None when there is none

    @property
    def rank(self) -> int:
        """Sort key by worst finding: 0 high .. 3 none; failed documents come first."""
        if self.status == "failed":
            return -1
        return min((SEVERITY_RANK[s] for _, s in self.findings if s), default=NO_FINDING_RANK)

    @property
    def worst(self) -> str:
        ranked = [s for _, s in self.findings if s]
        return min(ranked, key=SEVERITY_RANK.__getitem__).value if ranked else ""

    def attachments(self) -> list[tuple[str, Path]]:
        """The PDF and addendum DOCX written next to the HTML report, when present."""
        if self.report is None:
            return []
        stem = self.report.name.removesuffix(".html")
        found = [("PDF", self.report.with_name(stem + ".pdf")),
                 ("DOCX", self.report.with_name(stem + ".addendum.docx"))]
        return [(label, path) for label, path in found if path.exists()]

    def findings_text(self) -> str:
        return "; ".join(f"{rule} ({sev.value})" if sev else rule for rule, sev in self.findings)

    def cells(self, base: Path) -> list[str]:
        """Values of COLUMNS, with the report as a link relative to `base`."""
        link = relative_link(self.report, base) if self.report else ""
        return [self.client, self.file, self.employee, self.title, self.best_code, self.best_name,
                self.subcategory, self.findings_text(), self.status, self.problems, link]


def write_batch(
    summary: BatchSummary,
    results: list[DocumentResult],
    out_dir: Path,
    *,
    show_pii: bool,
    render_missing: HtmlRenderer | None = None,
) -> dict[str, Path]:
    """Write the batch outputs at the top and, when entries carry clients, in each client folder."""
    rows = [build_row(e, find_result(e, results), out_dir, show_pii=show_pii,
                      render_missing=render_missing) for e in summary.documents]
    clients = sorted({r.client for r in rows if r.client})
    written: dict[str, Path] = {}
    for client in clients:
        folder = out_dir / client_folder(client)
        part = [r for r in rows if r.client == client]
        for key, path in write_group(summary, part, folder, title=client).items():
            written[f"{client}/{key}"] = path
    links = [(c, out_dir / client_folder(c) / INDEX_NAME) for c in clients]
    written.update(write_group(summary, rows, out_dir, title=None, client_links=links))
    return written


def write_group(
    summary: BatchSummary, rows: list[BatchRow], folder: Path, *, title: str | None,
    client_links: list[tuple[str, Path]] = (),
) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "csv": write_csv(rows, folder / CSV_NAME),
        "xlsx": write_xlsx(rows, folder / XLSX_NAME),
        "index": write_index(summary, rows, folder / INDEX_NAME, title=title,
                             client_links=client_links),
    }


def find_result(entry: SummaryEntry, results: list[DocumentResult]) -> DocumentResult | None:
    """The result of `entry`: same path and client, else the same content hash."""
    for result in results:
        if result.document.path == entry.source and result.client == entry.client:
            return result
    return next((r for r in results if entry.sha256 and r.document.sha256 == entry.sha256
                 and r.client == entry.client), None)


def build_row(
    entry: SummaryEntry, raw: DocumentResult | None, out_dir: Path, *, show_pii: bool,
    render_missing: HtmlRenderer | None = None,
) -> BatchRow:
    """One row; `raw` is the unmasked result (its employee name drives the masking)."""
    shown = raw if raw is None or show_pii else mask_result(raw)
    names = () if raw is None or show_pii else person_names(raw.fields)
    best = shown.occupation.candidates[0] if shown and shown.occupation.candidates else None
    problems = "; ".join(f"{p.code}: {p.message}" for p in entry.problems)
    return BatchRow(
        client=entry.client or "",
        file=entry.source if show_pii else mask_names(mask_text(entry.source), names),
        employee=_employee(raw, show_pii),
        title=_title(shown),
        best_code=entry.best_code or (best.code if best else ""),
        best_name=best.name_ko if best else "",
        subcategory=(best.e7_subcategory or "") if best else "",
        findings=_findings(entry, shown),
        status=entry.status.value,
        problems=problems if show_pii else mask_names(mask_text(problems), names),
        report=_report_path(entry, shown, out_dir, render_missing),
    )


def _employee(raw: DocumentResult | None, show_pii: bool) -> str:
    name = raw.fields.employee_name.value if raw and raw.fields.employee_name.found else None
    if not name:
        return ""
    return name if show_pii else mask_name(name)


def _title(result: DocumentResult | None) -> str:
    if result is None or not result.fields.job_title.found:
        return ""
    title = result.fields.job_title
    extra = f" / {title.value_en}" if title.value_en and title.value_en != title.value else ""
    return f"{title.value or ''}{extra}"


def _findings(entry: SummaryEntry, result: DocumentResult | None) -> tuple[tuple[str, Severity | None], ...]:
    if result is None:
        return tuple((rule, None) for rule in entry.findings)
    ordered = sorted(result.findings, key=lambda f: SEVERITY_RANK[f.severity])
    return tuple((f.rule, f.severity) for f in ordered)


def _report_path(
    entry: SummaryEntry, result: DocumentResult | None, out_dir: Path,
    render_missing: HtmlRenderer | None,
) -> Path | None:
    path = out_dir / (document_base(entry.source, entry.sha256, entry.client) + ".html")
    if entry.result:
        path = out_dir / Path(entry.result).with_suffix(".html")
    if not path.resolve().is_relative_to(out_dir.resolve()):
        log.warning("report path of %s leaves the output folder; not linked", entry.sha256)
        return None
    if not path.exists() and result is not None and render_missing is not None:
        log.info("rendering missing HTML report %s", path.name)
        render_missing(result, path)
    return path if path.exists() else None


def write_csv(rows: list[BatchRow], path: Path) -> Path:
    """UTF-8 with BOM so Excel recognises Korean; cells cannot start a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([[defuse_formula(c) for c in r.cells(path.parent)] for r in rows])
    return atomic_write_text(path, buffer.getvalue(), encoding="utf-8-sig")


def defuse_formula(value: str) -> str:
    """Prefix text that a spreadsheet would run as a formula (=, +, -, @) with a quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


SEVERITY_FILLS = {"high": "FFCDD2", "medium": "FFE0B2", "low": "FFF9C4"}
STATUS_FILLS = {"failed": "EF9A9A", "partial": "FFE0B2", "success": "C8E6C9"}
MAX_COLUMN_WIDTH = 60


def write_xlsx(rows: list[BatchRow], path: Path) -> Path:
    """Excel summary: frozen header, auto filter, fitted columns, findings coloured by severity."""
    book = Workbook()
    sheet = book.active
    sheet.title = "summary"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EAED")
    for row in rows:
        _append_row(sheet, row, path.parent)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _fit_columns(sheet, [list(COLUMNS)] + [r.cells(path.parent) for r in rows])
    buffer = io.BytesIO()
    book.save(buffer)
    return atomic_write_bytes(path, buffer.getvalue())


def _append_row(sheet, row: BatchRow, base: Path) -> None:
    values = row.cells(base)
    sheet.append([defuse_formula(v) for v in values])
    cells = sheet[sheet.max_row]
    for cell in cells:
        cell.data_type = "s"  # contract text is never a formula, whatever it starts with
    if row.worst:
        cells[COLUMNS.index("findings")].fill = PatternFill("solid", fgColor=SEVERITY_FILLS[row.worst])
    cells[COLUMNS.index("status")].fill = PatternFill("solid", fgColor=STATUS_FILLS[row.status])
    link = values[COLUMNS.index("report")]
    if link:
        cells[COLUMNS.index("report")].hyperlink = link
        cells[COLUMNS.index("report")].style = "Hyperlink"


def _fit_columns(sheet, table: Sequence[Sequence[str]]) -> None:
    for index in range(len(COLUMNS)):
        width = max((display_width(str(line[index])) for line in table), default=8)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(width + 2, MAX_COLUMN_WIDTH)


def display_width(text: str) -> int:
    """Columns a string takes in a spreadsheet: Hangul and other wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    severity: str
    y: int
    width: int


def finding_bars(rows: list[BatchRow], *, max_width: int = 420, step: int = 24) -> list[Bar]:
    """Bars of the findings chart: one per rule, most frequent first."""
    counts = Counter(rule for r in rows for rule, _ in r.findings)
    severity = {rule: (sev.value if sev else "") for r in rows for rule, sev in r.findings}
    top = max(counts.values(), default=1)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Bar(rule, n, severity[rule], i * step, max(2, round(n / top * max_width)))
            for i, (rule, n) in enumerate(ranked)]


def write_index(
    summary: BatchSummary, rows: list[BatchRow], path: Path, *, title: str | None,
    client_links: list[tuple[str, Path]] = (),
) -> Path:
    template = environment().get_template("index.html.j2")
    html = template.render(
        title=title, summary=summary, css=stylesheet(), generated_at=summary.generated_at or now_iso(),
        rows=sorted(rows, key=lambda r: (r.rank, r.client, r.file)),
        status_counts=Counter(r.status for r in rows), status_labels={s.value: l for s, l in STATUS_LABELS.items()},
        bars=finding_bars(rows), link=lambda p: relative_link(p, path.parent),
        clients=[(c, relative_link(p, path.parent)) for c, p in client_links],
        display_name=display_name,
    )
    return atomic_write_text(path, html)
