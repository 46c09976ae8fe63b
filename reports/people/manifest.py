"""The HR manifest (staff list): XLSX or CSV, UTF-8 or CP949, Korean or English headers.

One row per person or per visa period. Columns (any order; header names in docs/PEOPLE.md):
employee id, name, nationality, status of stay, sponsored E-7 occupation or KSCO code, visa
start, visa end, planned F-2-7 filing date, document files, client. A row that cannot be used
as written (unknown status, unparseable date, unknown code, a listed file that does not exist)
is reported with its row number (the header row is row 1) and the rest of the row, and of the
file, is still used. Messages never repeat a name or an identifier.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from extractors.fields.dates import find_dates
from reports.people.records import ManifestProblem, Sponsorship

# The sponsored column's text -> (code, Korean name, E-7 sub-category), or None when unknown.
ResolveCode = Callable[[str], tuple[str | None, str | None, str | None] | None]

# Normalised header (lower case, no spaces, '_', '-', '.', '/', brackets) -> column key.
HEADERS: dict[str, tuple[str, ...]] = {
    "employee_id": ("사번", "사원번호", "직원번호", "employeeid", "empid", "employeeno",
                    "employeenumber", "staffid", "id"),
    "name": ("성명", "이름", "근로자성명", "근로자", "name", "fullname", "employeename", "employee"),
    "nationality": ("국적", "nationality", "country"),
    "status": ("현재체류자격", "체류자격", "비자", "비자종류", "statusofstay", "currentstatus",
               "currentstatusofstay", "status", "visa", "visatype"),
    "sponsored": ("초청직종", "신청직종", "e7직종", "e-7직종", "직종코드", "직업코드", "ksco", "kscocode",
                  "sponsoredoccupation", "sponsoredcode", "e7occupation", "occupationcode",
                  "sponsoredoccupationorksco", "sponsored"),
    "visa_start": ("체류시작일", "비자시작일", "허가시작일", "체류허가시작일", "visastart",
                   "visastartdate", "statusstart", "validfrom"),
    "visa_end": ("체류만료일", "비자만료일", "체류기간만료일", "허가만료일", "visaend",
                 "visaenddate", "visaexpiry", "expirydate", "validuntil"),
    "filing": ("f27신청예정일", "f-2-7신청예정일", "신청예정일", "변경신청예정일", "plannedfiling",
               "plannedfilingdate", "plannedf27filing", "plannedf27filingdate", "f27filingdate",
               "filingdate"),
    "files": ("서류", "파일", "문서", "파일명", "계약서파일", "서류파일", "documents", "files",
              "documentfiles", "filenames", "file"),
    "client": ("고객", "고객사", "client"),
}
_HEADER_OF = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
_NOISE = re.compile(r"[\s_\-./()\[\]:]+")
# Statuses of stay (체류자격): letter-number, with an optional sub-type (E-7-1, F-2-7, D-10-1,
# E-7-S2, F-2-7S). The bases are the Immigration Act's sojourn statuses.
KNOWN_BASES = frozenset({"A-1", "A-2", "A-3", "B-1", "B-2", "C-1", "C-3", "C-4",
                         *(f"D-{i}" for i in range(1, 11)), *(f"E-{i}" for i in range(1, 11)),
                         *(f"F-{i}" for i in range(1, 7)), "G-1", "H-1", "H-2"})
_STATUS = re.compile(r"^([A-H])-?(\d{1,2})(?:-?(\d{1,2}[A-Z]?|S\d?))?$")
_CODE = re.compile(r"(?<!\d)(\d{4,5})(?!\d)")
_SUB = re.compile(r"E-?7-?([1-4])", re.IGNORECASE)
_FILE_SPLIT = re.compile(r"[;\n|]+")


@dataclass
class ManifestRow:
    row: int
    employee_id: str | None = None
    name: str | None = None
    nationality: str | None = None
    client: str | None = None
    sponsorship: Sponsorship | None = None
    files: list[Path] = field(default_factory=list)  # listed files that exist
    missing_files: int = 0  # listed files that do not exist
    problems: list[ManifestProblem] = field(default_factory=list)

    @property
    def key(self) -> str | None:
        return self.employee_id or self.name


@dataclass
class Manifest:
    path: Path
    rows: list[ManifestRow]
    problems: list[ManifestProblem]  # every problem, rows in order (file-level ones as row 0)


def normalise_header(text: object) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", str(text or "")).lower())


def person_key(text: str | None) -> str:
    """Comparable form of a name, id or folder name: NFKC, case-folded, letters/digits only."""
    norm = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(c for c in norm if c.isalnum())


def read_manifest(path: Path, *, resolve_code: ResolveCode | None = None,
                  search: Sequence[Path] = ()) -> Manifest:
    """Read the manifest at `path`. `resolve_code(text) -> (code, name_ko, subcategory) | None`
    turns the sponsored column into a KSCO7 code (default: reports.people.codes); listed files
    are looked up beside the manifest, then under each folder of `search`."""
    resolve = resolve_code
    if resolve is None:
        from reports.people.codes import resolve_sponsored

        resolve = resolve_sponsored
    try:
        table = _read_table(path)
    except (OSError, ValueError, KeyError) as exc:
        problem = ManifestProblem(row=0, code="unreadable",
                                  message=f"the manifest could not be read ({type(exc).__name__})")
        return Manifest(path, [], [problem])
    if not table:
        return Manifest(path, [], [ManifestProblem(row=0, code="unreadable",
                                                   message="the manifest has no header row")])
    header_row, header = table[0]
    columns = {i: _HEADER_OF.get(normalise_header(h)) for i, h in enumerate(header)}
    problems: list[ManifestProblem] = []
    if not {"employee_id", "name"} & set(columns.values()):
        problems.append(ManifestProblem(row=header_row, code="no_person",
                                        message="no employee id or name column in the header"))
    rows = []
    for number, cells in table[1:]:
        values = {key: cells[i] for i, key in columns.items() if key and i < len(cells)
                  and _text(cells[i])}
        if not values:
            continue
        row = _row(number, values, path, search, resolve)
        rows.append(row)
        problems.extend(row.problems)
    return Manifest(path, rows, problems)


def _row(number: int, values: dict[str, Any], path: Path, search: Sequence[Path],
         resolve_code: ResolveCode) -> ManifestRow:
    row = ManifestRow(row=number, employee_id=_text(values.get("employee_id")),
                      name=_text(values.get("name")), nationality=_text(values.get("nationality")),
                      client=_text(values.get("client")))
    if row.key is None:
        row.problems.append(ManifestProblem(row=number, code="no_person", column="name",
                                            message=f"row {number}: no employee id or name"))

    def bad(code: str, column: str, message: str) -> None:
        row.problems.append(ManifestProblem(row=number, code=code, column=column,
                                            message=f"row {number}: {message}"))

    status = None
    if (raw := _text(values.get("status"))) is not None:
        status = normalise_status(raw)
        if status is None:
            bad("unknown_status", "status", f"unknown status of stay '{_short(raw)}' "
                "(expected e.g. E-7-1, D-10, F-2-7)")
    dates: dict[str, str | None] = {}
    for key in ("visa_start", "visa_end", "filing"):
        dates[key] = None
        if key in values:
            parsed = parse_cell_date(values[key])
            if parsed is None:
                bad("bad_date", key, f"the {key.replace('_', ' ')} date cannot be read "
                    "(expected YYYY-MM-DD)")
            else:
                dates[key] = parsed.isoformat()
    if dates["visa_start"] and dates["visa_end"] and dates["visa_end"] < dates["visa_start"]:
        bad("bad_date", "visa_end", "the visa ends before it starts")
    code = name = sub = None
    written = _text(values.get("sponsored"))
    if written is not None:
        resolved = resolve_code(written)
        if resolved is None:
            bad("bad_code", "sponsored", "the sponsored occupation is neither a known KSCO code "
                "nor an E-7 occupation name")
        else:
            code, name, sub = resolved
    if sub is None and status and status.startswith("E-7-") and status[-1] in "1234":
        sub = status if code is None else sub
    row.sponsorship = Sponsorship(
        row=number, status_of_stay=status, sponsored_as_written=written, sponsored_code=code,
        sponsored_name_ko=name, sponsored_subcategory=sub, visa_start=dates["visa_start"],
        visa_end=dates["visa_end"], planned_filing_date=dates["filing"])
    for listed in _FILE_SPLIT.split(_text(values.get("files")) or ""):
        listed = listed.strip()
        if not listed:
            continue
        found = _find_file(listed, path.parent, search)
        if found is None:
            row.missing_files += 1
            bad("missing_file", "files", "a listed document file does not exist")
        else:
            row.files.append(found)
    return row


def normalise_status(text: str) -> str | None:
    """'e7-1', 'E-7-1', 'E 7 1' -> 'E-7-1'; None when it is no known status of stay."""
    compact = re.sub(r"[\s_]+", "-", unicodedata.normalize("NFKC", text).strip().upper())
    compact = re.sub(r"-{2,}", "-", compact)
    m = _STATUS.match(compact)
    if not m:
        return None
    base = f"{m.group(1)}-{int(m.group(2))}"
    if base not in KNOWN_BASES:
        return None
    return f"{base}-{m.group(3)}" if m.group(3) else base


def parse_cell_date(value: object) -> date | None:
    """A date cell: a spreadsheet date, or text such as 2026-03-02, 2026.3.2, 2026년 3월 2일."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    found = find_dates(text)
    if len(found) != 1 or re.search(r"[A-Za-z]{3,}", text) and not re.search(
            r"(?i)jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", text):
        return None
    return found[0]


def sponsored_subcategory(text: str) -> str | None:
    m = _SUB.search(text)
    return f"E-7-{m.group(1)}" if m else None


def sponsored_code(text: str) -> str | None:
    m = _CODE.search(text)
    return m.group(1)[:4] if m else None


def _find_file(listed: str, beside: Path, search: Sequence[Path]) -> Path | None:
    name = Path(unicodedata.normalize("NFC", listed))
    candidates = [name] if name.is_absolute() else [beside / name, *(root / name for root in search)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    if not name.is_absolute():  # a bare file name anywhere under the searched folders
        for root in search:
            if root.is_dir():
                hits = sorted(p for p in root.rglob(name.name) if p.is_file())
                if hits:
                    return hits[0].resolve()
    return None


def _read_table(path: Path) -> list[tuple[int, list[object]]]:
    """(row number, cells) of the first sheet from its header row on; blank rows dropped."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        rows = _csv_rows(path.read_bytes())
    numbered = [(i, cells) for i, cells in enumerate(rows, start=1)
                if any(_text(c) for c in cells)]
    return numbered


def _xlsx_rows(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("neither UTF-8 nor CP949")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def _short(text: str) -> str:
    return text[:12]
