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
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from matchers.records import Severity
from matchers.rules.addendum import duty_lines
from reports.audit import with_verdict
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
from reports.verdict import is_informational, rule_name

log = logging.getLogger(__name__)

CSV_NAME = "summary.csv"
XLSX_NAME = "summary.xlsx"
INDEX_NAME = "index.html"
NO_FINDING_RANK = len(SEVERITY_RANK)  # sorts after low
DUTIES_SHORT = 80  # characters of the duties shown in the summaries


@dataclass(frozen=True)
class Column:
    key: str  # CSV header and BatchRow.cells key
    ko: str  # XLSX first header row
    en: str  # XLSX second header row
    width: int = 0  # fixed XLSX width (0: fitted to the content)


# One row per contract, in the order HR reads it. CSV keys stay stable (more may be added).
COLUMNS = (
    Column("client", "고객", "Client", 14),
    Column("file", "파일", "File", 26),
    Column("employee", "근로자", "Employee", 14),
    Column("verdict", "판정", "Verdict", 13),
    Column("action", "조치", "Action", 24),
    Column("worst_severity", "최고 심각도", "Worst severity", 11),
    Column("title", "직위(기재)", "Title as written", 20),
    Column("duties", "업무 요약", "Duties (short)", 34),
    Column("annual_salary_krw", "연봉(원)", "Annual salary (KRW)", 13),
    Column("recommended_code", "권장 코드", "Recommended code", 9),
    Column("recommended_name", "직업명", "Occupation name", 18),
    Column("e7_subcategory", "E-7 세부", "E-7 sub-category", 9),
    Column("needs_review", "코드 검토 필요", "Needs review", 9),
    Column("findings", "검토 결과", "Findings", 40),
    Column("status", "처리 상태", "Status", 9),
    Column("problems", "처리 문제", "Problems", 26),
    Column("report", "보고서", "Report", 12),
    Column("best_code", "최상위 후보", "Best candidate", 10),
    Column("best_name", "후보 직업명", "Candidate name", 18),
    Column("subcategory", "후보 E-7", "Candidate E-7", 10),
)
KEYS = tuple(c.key for c in COLUMNS)
# The Excel sheet leaves out the matcher's raw best candidate (the CSV keeps it for scripts).
XLSX_COLUMNS = tuple(c for c in COLUMNS if c.key not in {"best_code", "best_name", "subcategory"})
LINE_HEIGHT = 15  # points per wrapped line in the Excel rows

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
    verdict: str = ""  # VerdictKind value
    verdict_ko: str = ""  # 조치 필요 ...
    verdict_en: str = ""  # Action needed ...
    action: str = ""  # the action, Korean / English
    duties: str = ""  # the duties, shortened
    annual_salary: int | None = None  # annualised salary in KRW
    recommended_code: str = ""
    recommended_name: str = ""
    e7_subcategory: str = ""
    needs_review: bool = False

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

    @property
    def verdict_text(self) -> str:
        return f"{self.verdict_ko} / {self.verdict_en}" if self.verdict_ko else ""

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

    def findings_named(self) -> list[str]:
        """Findings as people read them: severity, Korean and English name, rule id; F-2-7
        notes last, in one line."""
        lines = [f"[{SEVERITY_SHORT.get(sev.value if sev else '', '-')}] "
                 f"{rule_name(rule).ko} / {rule_name(rule).en} ({rule})"
                 for rule, sev in self.findings if not is_informational(rule)]
        notes = [rule for rule, _ in self.findings if is_informational(rule)]
        if notes:
            lines.append(f"[참고 / note] F-2-7 안내 {len(notes)}건 / F-2-7 notes ({', '.join(notes)})")
        return lines

    def values(self, base: Path) -> dict[str, object]:
        """Values of COLUMNS by key, with the report as a link relative to `base`."""
        link = relative_link(self.report, base) if self.report else ""
        return {
            "client": self.client, "file": self.file, "employee": self.employee,
            "verdict": self.verdict_text, "action": self.action, "worst_severity": self.worst,
            "title": self.title, "duties": self.duties, "annual_salary_krw": self.annual_salary,
            "recommended_code": self.recommended_code, "recommended_name": self.recommended_name,
            "e7_subcategory": self.e7_subcategory,
            "needs_review": ("예 / yes" if self.needs_review else "") if self.recommended_code else "",
            "findings": self.findings_text(), "status": self.status, "problems": self.problems,
            "report": link, "best_code": self.best_code, "best_name": self.best_name,
            "subcategory": self.subcategory,
        }

    def cells(self, base: Path) -> list[str]:
        """Values of COLUMNS as text, in column order."""
        values = self.values(base)
        return ["" if values[k] is None else str(values[k]) for k in KEYS]


SEVERITY_SHORT = {"high": "높음 High", "medium": "보통 Medium", "low": "낮음 Low"}


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
    client_links: Sequence[tuple[str, Path]] = (),
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
    if raw is not None and raw.verdict is None:
        raw = with_verdict(raw)
    shown = raw if raw is None or show_pii else mask_result(raw)
    names = () if raw is None or show_pii else person_names(raw.fields)
    best = shown.occupation.candidates[0] if shown and shown.occupation.candidates else None
    problems = "; ".join(f"{p.code}: {p.message}" for p in entry.problems)
    verdict = shown.verdict if shown else None
    occupation = shown.occupation if shown else None
    action = ""
    if verdict and verdict.action_ko:
        action = f"{verdict.action_ko} / {verdict.action_en}"
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
        verdict=verdict.kind.value if verdict else (entry.verdict.value if entry.verdict else ""),
        verdict_ko=verdict.label_ko if verdict else "",
        verdict_en=verdict.label_en if verdict else "",
        action=action,
        duties=_duties(shown),
        annual_salary=shown.fields.salary.annual_krw if shown else None,
        recommended_code=(occupation.recommended_code or "") if occupation else "",
        recommended_name=(occupation.recommended_name_ko or "") if occupation else "",
        e7_subcategory=(occupation.recommended_e7_subcategory or "") if occupation else "",
        needs_review=bool(occupation and occupation.recommended_code and occupation.needs_review),
    )


def _duties(result: DocumentResult | None) -> str:
    if result is None or not result.fields.duties.found or not result.fields.duties.value:
        return ""
    text = " · ".join(duty_lines(result.fields.duties.value))
    return text if len(text) <= DUTIES_SHORT else text[:DUTIES_SHORT - 1].rstrip() + "…"


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
    writer.writerow(KEYS)
    writer.writerows([[defuse_formula(c) for c in r.cells(path.parent)] for r in rows])
    return atomic_write_text(path, buffer.getvalue(), encoding="utf-8-sig")


def defuse_formula(value: str) -> str:
    """Prefix text that a spreadsheet would run as a formula (=, +, -, @) with a quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


SEVERITY_FILLS = {"high": "FFCDD2", "medium": "FFE0B2", "low": "FFF9C4"}
STATUS_FILLS = {"failed": "EF9A9A", "partial": "FFE0B2", "success": "C8E6C9"}
VERDICT_FILLS = {"action_needed": "FFCDD2", "review": "FFE0B2", "no_action": "C8E6C9",
                 "not_audited": "E0E0E0"}
HEADER_FILL = "E8EAED"
HEADER_ROWS = 2  # Korean headers, then English


def write_xlsx(rows: list[BatchRow], path: Path) -> Path:
    """Excel summary as HR uses it: Korean headers with English below, one row per contract,
    verdict and worst severity coloured, findings one per line, frozen headers, auto filter;
    printed landscape on A4, fitted to the page width, header rows repeated on every page."""
    columns = [c for c in XLSX_COLUMNS if c.key != "client" or any(r.client for r in rows)]
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "summary"
    sheet.append([c.ko for c in columns])
    sheet.append([c.en for c in columns])
    for row_cells in sheet.iter_rows(min_row=1, max_row=HEADER_ROWS):
        for cell in row_cells:
            cell.font = Font(bold=cell.row == 1, italic=cell.row == 2, size=11 if cell.row == 1 else 9)
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[1].height = sheet.row_dimensions[2].height = 2 * LINE_HEIGHT
    for row in rows:
        _append_row(sheet, row, path.parent, columns)
    sheet.freeze_panes = f"A{HEADER_ROWS + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROWS}:{get_column_letter(len(columns))}{max(sheet.max_row, HEADER_ROWS)}"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    _print_setup(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return atomic_write_bytes(path, buffer.getvalue())


def landscape_a4(sheet: Worksheet, title_rows: str) -> None:
    """The workbooks' print setup: landscape A4, one page wide, `title_rows` repeated on every
    page (the batch summary's and the people summary's)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    page_setup = sheet.sheet_properties.pageSetUpPr
    assert page_setup is not None  # a new worksheet has one
    page_setup.fitToPage = True
    sheet.print_title_rows = title_rows


def _print_setup(sheet: Worksheet) -> None:
    landscape_a4(sheet, f"1:{HEADER_ROWS}")
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5


def _append_row(sheet: Worksheet, row: BatchRow, base: Path, columns: list[Column]) -> None:
    values = row.values(base)
    keys = [c.key for c in columns]
    shown: list[object] = []
    for key in keys:
        value = values[key]
        if key == "findings":
            value = "\n".join(row.findings_named())
        elif key == "worst_severity" and value:
            value = SEVERITY_SHORT[str(value)]
        elif key == "verdict" and row.verdict_ko:
            value = f"{row.verdict_ko}\n{row.verdict_en}"
        elif key == "report" and value:
            value = "보고서 / report"
        shown.append(value if isinstance(value, int) else defuse_formula("" if value is None else str(value)))
    sheet.append(shown)
    cells = sheet[sheet.max_row]
    for key, cell in zip(keys, cells, strict=True):
        if key == "annual_salary_krw" and isinstance(cell.value, int):
            cell.number_format = "#,##0"
        else:
            cell.data_type = "s"  # contract text is never a formula, whatever it starts with
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[sheet.max_row].height = LINE_HEIGHT * max(
        _lines(str(cell.value or ""), column.width) for cell, column in zip(cells, columns, strict=True))
    column = keys.index
    if row.worst:
        fill = PatternFill("solid", fgColor=SEVERITY_FILLS[row.worst])
        cells[column("worst_severity")].fill = fill
        cells[column("findings")].fill = fill
    if row.verdict in VERDICT_FILLS:
        cells[column("verdict")].fill = PatternFill("solid", fgColor=VERDICT_FILLS[row.verdict])
    cells[column("status")].fill = PatternFill("solid", fgColor=STATUS_FILLS[row.status])
    if row.needs_review and row.recommended_code:
        cells[column("needs_review")].fill = PatternFill("solid", fgColor=SEVERITY_FILLS["medium"])
    link = values["report"]
    if link:
        cells[column("report")].hyperlink = str(link)
        cells[column("report")].style = "Hyperlink"
        cells[column("report")].alignment = Alignment(wrap_text=True, vertical="top")


def _lines(text: str, width: int) -> int:
    """Lines `text` takes in a wrapped cell `width` characters wide (Hangul counts twice)."""
    return sum(max(1, -(-display_width(line) // max(1, width - 1))) for line in text.split("\n"))


def display_width(text: str) -> int:
    """Columns a string takes in a spreadsheet: Hangul and other wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass(frozen=True)
class Bar:
    label: str  # rule id
    count: int
    severity: str
    y: int
    width: int

    @property
    def name(self) -> str:
        name = rule_name(self.label)
        return f"{name.ko} / {name.en}"


def finding_bars(rows: list[BatchRow], *, max_width: int = 420, step: int = 24) -> list[Bar]:
    """Bars of the findings chart: one per rule that needs action or review, most frequent
    first (the informational F-2-7 notes are counted apart, see `note_count`)."""
    counts = Counter(rule for r in rows for rule, _ in r.findings if not is_informational(rule))
    severity = {rule: (sev.value if sev else "") for r in rows for rule, sev in r.findings}
    top = max(counts.values(), default=1)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Bar(rule, n, severity[rule], i * step, max(2, round(n / top * max_width)))
            for i, (rule, n) in enumerate(ranked)]


VERDICT_ORDER = {"not_audited": 0, "action_needed": 1, "review": 2, "no_action": 3}
VERDICT_CARD_LABELS = {"action_needed": "조치 필요 / Action needed", "review": "검토 필요 / Review",
                       "no_action": "문제 없음 / No action", "not_audited": "감사 불가 / Not audited"}


def write_index(
    summary: BatchSummary, rows: list[BatchRow], path: Path, *, title: str | None,
    client_links: Sequence[tuple[str, Path]] = (),
) -> Path:
    template = environment().get_template("index.html.j2")
    html = template.render(
        title=title, summary=summary, css=stylesheet(), generated_at=summary.generated_at or now_iso(),
        rows=sorted(rows, key=lambda r: (VERDICT_ORDER.get(r.verdict, 9), r.rank, r.client, r.file)),
        status_counts=Counter(r.status for r in rows), status_labels={s.value: l for s, l in STATUS_LABELS.items()},
        bars=finding_bars(rows), link=lambda p: relative_link(p, path.parent),
        notes=sum(1 for r in rows if any(is_informational(rule) for rule, _ in r.findings)),
        verdict_counts=Counter(r.verdict for r in rows), verdict_labels=VERDICT_CARD_LABELS,
        rule_name=rule_name, is_informational=is_informational,
        clients=[(c, relative_link(p, path.parent)) for c, p in client_links],
        display_name=display_name,
    )
    return atomic_write_text(path, html)
