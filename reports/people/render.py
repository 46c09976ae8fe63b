"""Person outputs: people/<person>.json, .html, .pdf (Korean first, English beside it, the
verdict before the details, the timeline as an inline SVG chart), people.json, people.csv,
people.xlsx and the dashboard grouped by person (index.html; the per-document dashboard the
batch wrote is kept as documents.html).

Identifiers (ID, passport, phone, account numbers) are masked in every person output. The
person report names the person (HR files with it); people.csv, people.xlsx and the dashboard
mask the name unless show_pii, like the other batch outputs.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from matchers.records import Severity
from matchers.rules.korean import english_date, korean_date
from matchers.rules.person import Qualification
from reports.batch import INDEX_NAME, defuse_formula, landscape_a4
from reports.html import environment, format_krw, now_iso, stylesheet
from reports.paths import (
    atomic_write_bytes,
    atomic_write_text,
    client_folder,
    relative_link,
    safe_stem,
)
from reports.people.findings import FAST_TRACK_TEXT
from reports.people.manifest import Manifest
from reports.people.records import PeopleSummary, PersonRecord
from reports.pii import mask_model, mask_name, mask_names, mask_text
from reports.records import BatchSummary

PEOPLE_DIR = "people"
PEOPLE_JSON, PEOPLE_CSV, PEOPLE_XLSX = "people.json", "people.csv", "people.xlsx"
DOCUMENTS_INDEX = "documents.html"  # the per-document dashboard, when index.html is the people one
PEOPLE_MARKER = "<!-- ksoc-audit: people dashboard -->"
QUALIFICATION_COLOURS = {Qualification.qualifying: "#2e7d32", Qualification.not_qualifying: "#c62828",
                         Qualification.unknown: "#9e9e9e"}
QUALIFICATION_LABELS = {Qualification.qualifying: ("인정", "counts"),
                        Qualification.not_qualifying: ("불인정", "does not count"),
                        Qualification.unknown: ("불명", "unknown")}
SEVERITY_LABELS = {Severity.high: "높음 / High", Severity.medium: "보통 / Medium",
                   Severity.low: "낮음 / Low"}
ROLE_LABELS = {"contract": "계약서 / contract", "amendment": "변경계약서 / amendment",
               "offer_letter": "채용 제안서 / offer letter",
               "superseded": "대체됨 / superseded", "undated": "적용일 없음 / undated",
               "not_used": "사용 불가 / not used"}
PERSON_RULE_NAMES = {
    "person_sponsored_mismatch": ("초청 직종과 실제 업무 불일치", "Sponsored occupation differs from the work"),
    "person_generic_title_period": ("포괄적 직위 기간", "Period under a generic title"),
    "person_period_not_professional": ("전문직 경력 불인정 기간", "Period not professional"),
    "person_history_short": ("전문직 경력 기간 부족", "Professional history too short"),
    "person_timeline_gap": ("경력 공백", "Gap in the history"),
    "person_timeline_overlap": ("계약 기간 중복", "Overlapping contracts"),
    "person_document_missing": ("서류 누락", "Missing document"),
    "person_document_unusable": ("사용할 수 없는 서류", "Unusable document"),
    "person_fast_track": ("유망산업분야 신청 요건", "Promising-industry fast track"),
}


def person_base(record: PersonRecord) -> str:
    """Output path of the person files without suffix, relative to the output folder."""
    stem = safe_stem(record.person_id, None)
    folder = f"{PEOPLE_DIR}/{client_folder(record.client)}" if record.client else PEOPLE_DIR
    return f"{folder}/{stem}"


def write_people(records: list[PersonRecord], out: Path, *, manifest: Manifest | None,
                 summary: BatchSummary | None = None, show_pii: bool = False, pdf: bool = True,
                 manifest_source: str | None = None) -> dict[str, Path]:
    """Every person's JSON, HTML (and PDF) report, then the people batch outputs."""
    out = Path(out)
    written: dict[str, Path] = {}
    rows = []
    for record in records:
        shown = mask_model(record)  # identifiers masked; the name stays in the person report
        base = out / person_base(record)
        written[f"{record.person_id}/json"] = atomic_write_text(
            base.with_name(base.name + ".json"), shown.model_dump_json(indent=2) + "\n")
        html_path = base.with_name(base.name + ".html")
        written[f"{record.person_id}/html"] = atomic_write_text(
            html_path, render_person_html(shown, html_path, out))
        if pdf:
            from reports.pdf import print_css, write_pdf

            written[f"{record.person_id}/pdf"] = write_pdf(
                render_person_html(shown, html_path, out, extra_css=print_css()),
                base.with_name(base.name + ".pdf"))
        rows.append(PersonRow.of(shown, out, html_path, show_pii=show_pii))
    problems = manifest.problems if manifest else []
    people = PeopleSummary(generated_at=now_iso(), manifest=manifest_source,
                           people=[person_base(r) + ".json" for r in records],
                           manifest_problems=problems)
    written["json"] = atomic_write_text(out / PEOPLE_JSON,
                                        mask_model(people).model_dump_json(indent=2) + "\n")
    written["csv"] = write_people_csv(rows, out / PEOPLE_CSV)
    written["xlsx"] = write_people_xlsx(rows, out / PEOPLE_XLSX)
    written["index"] = write_people_index(rows, people, out, summary=summary)
    return written


# ---------------------------------------------------------------- person report


@dataclass(frozen=True)
class Bar:
    y: int
    x: float
    width: float
    colour: str
    label: str
    title: str


def timeline_svg(record: PersonRecord, *, width: int = 680, row: int = 26) -> str:
    """The periods as horizontal bars on a time axis (inline SVG), coloured by whether each
    counts as F-2-7 professional history; the as-of date is the dashed line."""
    if not record.periods:
        return ""
    as_of = date.fromisoformat(record.f27.as_of)
    starts = [date.fromisoformat(p.start) for p in record.periods]
    ends = [date.fromisoformat(p.end) if p.end else max(as_of, date.fromisoformat(p.start))
            for p in record.periods]
    first = date(min(starts).year, 1, 1)
    last = date(max(*ends, as_of).year + 1, 1, 1)
    left, right = 150, width - 10
    span = (last - first).days or 1

    def x(day: date) -> float:
        return left + (right - left) * (day - first).days / span

    parts = []
    height = 30 + row * len(record.periods) + 20
    parts.append(f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
                 f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
                 f'aria-label="경력 타임라인 / employment timeline">')
    for year in range(first.year, last.year + 1):
        gx = x(date(year, 1, 1))
        parts.append(f'<line x1="{gx:.1f}" y1="18" x2="{gx:.1f}" y2="{height - 18}" '
                     'stroke="#dadce0" stroke-width="1"/>')
        if year < last.year:
            parts.append(f'<text x="{gx + 3:.1f}" y="12" font-size="10" fill="#5f6368">{year}</text>')
    for i, (p, s, e) in enumerate(zip(record.periods, starts, ends, strict=True)):
        y = 24 + i * row
        colour = QUALIFICATION_COLOURS[p.qualification]
        ko, en = QUALIFICATION_LABELS[p.qualification]
        bx, bw = x(s), max(2.0, x(e + timedelta(days=1)) - x(s))
        label = _escape(f"{p.index}. {(p.employer or '?')[:14]}")
        tip = _escape(f"{p.start} ~ {p.end or '…'} · {p.title or ''} · KSCO {p.code or '?'} · {ko} / {en}")
        parts.append(f'<text x="4" y="{y + 14}" font-size="10" fill="#202124">{label}</text>')
        parts.append(f'<rect x="{bx:.1f}" y="{y}" width="{bw:.1f}" height="{row - 8}" rx="3" '
                     f'fill="{colour}" data-qualification="{p.qualification.value}">'
                     f'<title>{tip}</title></rect>')
        if p.end is None:
            parts.append(f'<text x="{bx + bw - 10:.1f}" y="{y + 13}" font-size="10" fill="#fff">…</text>')
    ax = x(as_of)
    parts.append(f'<line x1="{ax:.1f}" y1="18" x2="{ax:.1f}" y2="{height - 18}" stroke="#1a73e8" '
                 'stroke-width="1.5" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{min(ax + 3, width - 120):.1f}" y="{height - 6}" font-size="10" '
                 f'fill="#1a73e8">기준일 / as of {record.f27.as_of}</text>')
    legend_x = 4
    for q in Qualification:
        ko, en = QUALIFICATION_LABELS[q]
        parts.append(f'<rect x="{legend_x}" y="{height - 15}" width="10" height="10" '
                     f'fill="{QUALIFICATION_COLOURS[q]}"/>')
        parts.append(f'<text x="{legend_x + 13}" y="{height - 6}" font-size="9" fill="#5f6368">'
                     f'{ko} / {en}</text>')
        legend_x += 150
    parts.append("</svg>")
    return "".join(parts)


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def render_person_html(record: PersonRecord, path: Path, out: Path, *, extra_css: str = "") -> str:
    template = environment().get_template("person.html.j2")

    def link(rel: str | None) -> str | None:
        if not rel or not (out / rel).exists():
            return None
        return relative_link(out / rel, path.parent)

    return template.render(
        r=record, css=stylesheet(), extra_css=extra_css, svg=timeline_svg(record),
        kdate=lambda v: korean_date(v, blank="—"), edate=lambda v: english_date(v, blank="—"),
        krw=format_krw, link=link, rule_names=PERSON_RULE_NAMES, severity_labels=SEVERITY_LABELS,
        qualification_labels=QUALIFICATION_LABELS, role_labels=ROLE_LABELS,
        fast_track_text=FAST_TRACK_TEXT, generated_at=now_iso(), name=Path)


# ---------------------------------------------------------------- people.csv / .xlsx / index


@dataclass(frozen=True)
class PersonRow:
    client: str
    person: str  # name (masked unless show_pii) or id
    employee_id: str
    nationality: str
    status_of_stay: str
    verdict: str  # action_needed | review | no_action
    verdict_text: str
    qualifying_years: float
    consecutive_years: float
    required_years: int
    meets: bool
    earliest: str
    fast_track: str
    blocking: int  # high and medium findings
    blocking_rules: str
    next_action: str
    deadline: str
    report: Path
    documents: tuple[tuple[str, str, str, str | None], ...]  # (file, role, verdict, link)

    @classmethod
    def of(cls, record: PersonRecord, out: Path, report: Path, *, show_pii: bool) -> PersonRow:
        names = tuple(n for n in (record.name, record.person_id) if n) if not show_pii else ()
        shown_name = record.name or record.person_id
        if not show_pii:
            shown_name = mask_name(shown_name)
        blocking = [f for f in record.findings if f.severity in (Severity.high, Severity.medium)]
        fast_ko, fast_en = FAST_TRACK_TEXT[record.fast_track.verdict]
        docs = tuple(
            (mask_names(mask_text(d.source), names), ROLE_LABELS.get(d.role, d.role),
             d.verdict.value if d.verdict else "",
             str(out / d.report) if d.report and (out / d.report).exists() else None)
            for d in record.documents)
        return cls(
            client=record.client or "", person=shown_name, employee_id=record.employee_id or "",
            nationality=record.nationality or "", status_of_stay=record.status_of_stay or "",
            verdict=record.verdict.kind.value,
            verdict_text=f"{record.verdict.label_ko} / {record.verdict.label_en}",
            qualifying_years=record.f27.qualifying_years,
            consecutive_years=record.f27.consecutive_years,
            required_years=record.f27.required_years, meets=record.f27.meets_requirement,
            earliest=record.f27.earliest_qualifying_date or "",
            fast_track=f"{fast_ko} / {fast_en}", blocking=len(blocking),
            blocking_rules=", ".join(dict.fromkeys(f.rule for f in blocking)),
            next_action=mask_names(f"{record.verdict.next_action_ko} / "
                                   f"{record.verdict.next_action_en}", names),
            deadline=record.planned_filing_date or "", report=report, documents=docs)

    def cells(self, base: Path) -> dict[str, object]:
        return {
            "client": self.client, "person": self.person, "employee_id": self.employee_id,
            "nationality": self.nationality, "status_of_stay": self.status_of_stay,
            "verdict": self.verdict_text, "qualifying_years": self.qualifying_years,
            "consecutive_years": self.consecutive_years, "required_years": self.required_years,
            "meets_requirement": "예 / yes" if self.meets else "아니오 / no",
            "earliest_qualifying_date": self.earliest, "fast_track": self.fast_track,
            "blocking_findings": self.blocking, "blocking_rules": self.blocking_rules,
            "next_action": self.next_action, "deadline": self.deadline,
            "documents": len(self.documents), "report": relative_link(self.report, base),
        }


COLUMNS = (
    ("client", "고객", "Client", 14), ("person", "성명", "Person", 16),
    ("employee_id", "사번", "Employee id", 10), ("nationality", "국적", "Nationality", 10),
    ("status_of_stay", "체류자격", "Status of stay", 10), ("verdict", "판정", "Verdict", 14),
    ("qualifying_years", "인정 경력(년)", "Qualifying years", 9),
    ("consecutive_years", "연속 경력(년)", "Consecutive years", 9),
    ("required_years", "요건(년)", "Required years", 7),
    ("meets_requirement", "요건 충족", "Requirement met", 9),
    ("earliest_qualifying_date", "충족 예상일", "Earliest qualifying date", 12),
    ("fast_track", "유망산업분야", "Fast track", 22),
    ("blocking_findings", "조치 필요 건수", "Blocking findings", 9),
    ("blocking_rules", "조치 필요 항목", "Blocking rules", 26),
    ("next_action", "다음 조치", "Next action", 48), ("deadline", "기한", "Deadline", 11),
    ("documents", "서류 수", "Documents", 7), ("report", "보고서", "Report", 14),
)
KEYS = tuple(c[0] for c in COLUMNS)


def write_people_csv(rows: list[PersonRow], path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(KEYS)
    for row in rows:
        cells = row.cells(path.parent)
        writer.writerow([defuse_formula(str(cells[k])) for k in KEYS])
    return atomic_write_text(path, buffer.getvalue(), encoding="utf-8-sig")


def write_people_xlsx(rows: list[PersonRow], path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "people"
    sheet.append([c[1] for c in COLUMNS])
    sheet.append([c[2] for c in COLUMNS])
    for cell in [*sheet[1], *sheet[2]]:
        cell.font = Font(bold=cell.row == 1, italic=cell.row == 2)
        cell.fill = PatternFill("solid", fgColor="E8EAED")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    fills = {"action_needed": "FFCDD2", "review": "FFE0B2", "no_action": "C8E6C9"}
    for row in rows:
        cells = row.cells(path.parent)
        values = []
        for key in KEYS:
            value = cells[key]
            values.append(value if isinstance(value, int | float) else defuse_formula(str(value)))
        sheet.append(values)
        for key, cell in zip(KEYS, sheet[sheet.max_row], strict=True):
            if not isinstance(cell.value, int | float):
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if key == "verdict":
                cell.fill = PatternFill("solid", fgColor=fills.get(row.verdict, "E0E0E0"))
            if key == "report" and cell.value:
                cell.hyperlink = str(cell.value)
                cell.value = "보고서 / report"
                cell.style = "Hyperlink"
    for i, (_, _, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(COLUMNS))}{max(2, sheet.max_row)}"
    landscape_a4(sheet, "1:2")
    buffer = io.BytesIO()
    book.save(buffer)
    return atomic_write_bytes(path, buffer.getvalue())


def write_people_index(rows: list[PersonRow], people: PeopleSummary, out: Path, *,
                       summary: BatchSummary | None) -> Path:
    """index.html grouped by client and person; the per-document dashboard moves to
    documents.html (kept up to date: copied whenever the batch rewrote index.html)."""
    index = out / INDEX_NAME
    documents = out / DOCUMENTS_INDEX
    if index.is_file() and PEOPLE_MARKER not in index.read_text(encoding="utf-8", errors="replace"):
        shutil.copyfile(index, documents)
    groups: dict[str, list[PersonRow]] = {}
    order = {"action_needed": 0, "review": 1, "no_action": 2}
    for row in sorted(rows, key=lambda r: (r.client, order.get(r.verdict, 3), r.person)):
        groups.setdefault(row.client, []).append(row)
    loose = []
    if summary is not None:
        grouped = {d[0] for r in rows for d in r.documents}
        loose = [mask_text(d.source) for d in summary.documents
                 if mask_text(d.source) not in grouped]
    html = environment().get_template("people_index.html.j2").render(
        css=stylesheet(), marker=PEOPLE_MARKER, groups=groups, people=people,
        counts={k: sum(1 for r in rows if r.verdict == k) for k in order},
        link=lambda p: relative_link(Path(p), out), documents_link=DOCUMENTS_INDEX
        if documents.exists() else None, loose=loose, generated_at=people.generated_at)
    return atomic_write_text(index, html)
