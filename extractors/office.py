"""Word-processor files: DOCX (python-docx), HWPX (zipped XML) and HWP 5 (OLE records).

HWP 5 decision (evaluated against /work/shared/real_forms/*.hwp, 2 official forms):
- pyhwp 0.1b15 (`hwp5txt`): last release 2020 (beta), needs the undeclared `six` package on
  Python 3.11, and prints "<표>" for tables: 15 bytes of text from the table-only agriculture
  form, none of its fields. Not reliable for contract forms, which are mostly tables.
- olefile 0.47 (maintained, pure Python, widely used) + the ~100-line record reader below
  (HWPTAG_PARA_TEXT with table cells grouped into rows): full text of both forms (12.8k and
  8.6k chars), table rows included. Chosen. Password-protected HWP raises EncryptedDocument;
  distribution (배포용) and DRM documents, whose body is encrypted, raise UnsupportedFormat.
"""

from __future__ import annotations

import logging
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import docx
import olefile
from docx.table import Table

from extractors.detect import UNSUPPORTED_MESSAGE
from extractors.errors import CorruptDocument, EmptyDocument, EncryptedDocument, UnsupportedFormat
from extractors.records import Route
from extractors.routing import PagePlan

log = logging.getLogger(__name__)

Rows = list[list[str]]
Page = tuple[list[str], list[Rows]]  # a page's lines and tables
Record = tuple[int, int, bytes]  # an HWP 5 record: tag, level, payload
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _page(number: int, lines: list[str], tables: list[Rows], reason: str) -> PagePlan:
    text = unicodedata.normalize("NFC", "\n".join(line for line in lines if line.strip()))
    tables = [[[unicodedata.normalize("NFC", c) for c in row] for row in t] for t in tables]
    return PagePlan(number, Route.text_layer, reason, text, tables)


def _row_line(row: list[str]) -> str:
    """One text line per table row, merged cells (repeated texts) written once."""
    cells = [c.strip() for i, c in enumerate(row) if c.strip() and (i == 0 or c != row[i - 1])]
    return " ".join(cells)


def plan_docx_pages(path: Path, *, label: str) -> list[PagePlan]:
    """Paragraphs and table rows in body order; explicit page breaks start a new page."""
    try:
        document = docx.Document(str(path))
    except Exception as e:  # python-docx raises KeyError, ValueError, lxml errors ...
        raise CorruptDocument(f"DOCX {label} cannot be opened") from e
    pages: list[Page] = [([], [])]
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = [[cell.text for cell in row.cells] for row in block.rows]
            pages[-1][1].append(rows)
            pages[-1][0].extend(_row_line(r) for r in rows)
            continue
        pages[-1][0].append(block.text)
        if block._p.findall(f".//{_W}br[@{_W}type='page']"):
            pages.append(([], []))
    return _non_empty(pages, label, "DOCX text")


def _non_empty(pages: list[Page], label: str, reason: str) -> list[PagePlan]:
    plans = [_page(i, lines, tables, reason) for i, (lines, tables) in enumerate(pages, 1)]
    plans = [p for p in plans if p.text or p.tables] or []
    if not plans:
        raise EmptyDocument(f"document {label} contains no text")
    return [PagePlan(i, p.route, p.reason, p.text, p.tables) for i, p in enumerate(plans, 1)]


_HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"


def plan_hwpx_pages(path: Path, *, label: str) -> list[PagePlan]:
    """One page per HWPX section (Contents/sectionN.xml)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = sorted(_hwpx_sections(z.namelist()), key=lambda n: int(re.sub(r"\D", "", n)))
            roots = [ElementTree.fromstring(z.read(n)) for n in names]
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError, ValueError) as e:
        raise CorruptDocument(f"HWPX {label} cannot be read") from e
    return _non_empty([_hwpx_section(root) for root in roots], label, "HWPX text")


def _hwpx_sections(names: list[str]) -> list[str]:
    return [n for n in names if re.fullmatch(r"Contents/section\d+\.xml", n)]


def _hwpx_section(root: ElementTree.Element) -> tuple[list[str], list[Rows]]:
    lines: list[str] = []
    tables: list[Rows] = []
    _walk_hwpx(root, lines, tables)
    return lines, tables


def _walk_hwpx(element: ElementTree.Element, lines: list[str], tables: list[Rows]) -> None:
    for child in element:
        if child.tag == f"{_HP}tbl":
            rows = [[_hwpx_text(tc) for tc in tr.iter(f"{_HP}tc")] for tr in child.iter(f"{_HP}tr")]
            tables.append(rows)
            lines.extend(_row_line(r) for r in rows)
        elif child.tag == f"{_HP}p":
            lines.append("".join(_own_texts(child)))
            _walk_hwpx(child, lines, tables)
        else:
            _walk_hwpx(child, lines, tables)


def _own_texts(paragraph: ElementTree.Element) -> list[str]:
    """Texts of a paragraph's runs, leaving out text inside tables it anchors."""
    return ["".join(t.itertext()) for run in paragraph.findall(f"{_HP}run")
            for t in run.findall(f"{_HP}t")]


def _hwpx_text(cell: ElementTree.Element) -> str:
    return " ".join("".join(t.itertext()) for t in cell.iter(f"{_HP}t")).strip()


# HWP 5 record tags (HWPTAG_BEGIN = 16) and FileHeader property bits.
_PARA_HEADER, _PARA_TEXT, _CTRL_HEADER, _LIST_HEADER = 66, 67, 71, 72
_COMPRESSED, _PASSWORD, _DISTRIBUTION, _DRM = 0x01, 0x02, 0x04, 0x10
_PAGE_BREAK = 0x04
_TABLE_CTRL = b" lbt"  # 'tbl ' stored little-endian
_ONE_WCHAR_CONTROLS = {0, 10, 13, 24, 25, 26, 27, 28, 29, 30, 31}


def plan_hwp_pages(path: Path, *, label: str) -> list[PagePlan]:
    """HWP 5 body text, sections and explicit page breaks as pages, table rows as lines."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            compressed = _hwp_flags(ole, label) & _COMPRESSED
            streams = [_hwp_stream(ole, s, compressed) for s in _hwp_sections(ole)]
    except (OSError, zlib.error, struct.error) as e:
        raise CorruptDocument(f"HWP {label} cannot be read") from e
    pages: list[Page] = []
    for data in streams:
        pages.extend(_HwpSection(_records(data)).pages())
    return _non_empty(pages, label, "HWP 5 text")


def _hwp_flags(ole: olefile.OleFileIO[str], label: str) -> int:
    header = ole.openstream("FileHeader").read()
    flags: int = struct.unpack_from("<I", header, 36)[0]
    if flags & _PASSWORD:
        raise EncryptedDocument(f"HWP {label} needs a password to open")
    if flags & (_DISTRIBUTION | _DRM):
        raise UnsupportedFormat(f"{UNSUPPORTED_MESSAGE} (HWP {label} is a protected document)")
    return flags


def _hwp_sections(ole: olefile.OleFileIO[str]) -> list[list[str]]:
    sections = [e for e in ole.listdir() if len(e) == 2 and e[0] == "BodyText"]
    return sorted(sections, key=lambda e: int(re.sub(r"\D", "", e[1]) or 0))


def _hwp_stream(ole: olefile.OleFileIO[str], entry: list[str], compressed: int) -> bytes:
    data = ole.openstream(entry).read()
    return zlib.decompress(data, -15) if compressed else data


def _records(data: bytes) -> Iterator[Record]:
    """Yield (tag, level, payload) of the records in a decompressed section stream."""
    offset = 0
    while offset + 4 <= len(data):
        header = struct.unpack_from("<I", data, offset)[0]
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        offset += 4
        if size == 0xFFF:
            size = struct.unpack_from("<I", data, offset)[0]
            offset += 4
        yield tag, level, data[offset : offset + size]
        offset += size


def decode_para_text(payload: bytes) -> str:
    """Text of a PARA_TEXT record: UTF-16 with 1- or 8-unit control characters."""
    out, units = [], struct.unpack(f"<{len(payload) // 2}H", payload[: len(payload) // 2 * 2])
    i = 0
    while i < len(units):
        code = units[i]
        if code >= 32:
            out.append(chr(code))
        elif code in (9, 10, 30, 31):
            out.append({9: "\t", 10: "\n", 30: "-", 31: " "}[code])
        i += 1 if code >= 32 or code in _ONE_WCHAR_CONTROLS else 8
    return "".join(out)


@dataclass
class _OpenTable:
    """A table whose records are being read: its nesting level, the texts of each
    (row, column) cell so far, and the cell now being read."""

    level: int
    cells: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    cell: tuple[int, int] | None = None


class _HwpSection:
    """Walks one section's records; tables (possibly nested) become rows of cell texts."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.records = records
        self.out: list[Page] = [([], [])]
        self.tables: list[_OpenTable] = []  # stack of the tables being read, innermost last

    def pages(self) -> list[Page]:
        for tag, level, payload in self.records:
            self._close_tables(level)
            self._handle(tag, level, payload)
        self._close_tables(-1)
        return self.out

    def _handle(self, tag: int, level: int, payload: bytes) -> None:
        if tag == _PARA_HEADER and level == 0 and len(payload) > 11 and payload[11] & _PAGE_BREAK:
            if self.out[-1][0]:
                self.out.append(([], []))
        elif tag == _CTRL_HEADER and payload[:4] == _TABLE_CTRL:
            self.tables.append(_OpenTable(level))
        elif tag == _LIST_HEADER and self.tables and level == self.tables[-1].level + 1:
            col, row = struct.unpack_from("<HH", payload, 8)
            self.tables[-1].cell = (row, col)
        elif tag == _PARA_TEXT:
            self._add_text(decode_para_text(payload).strip())

    def _add_text(self, text: str) -> None:
        if self.tables and (cell := self.tables[-1].cell) is not None:
            self.tables[-1].cells.setdefault(cell, []).append(text)
        elif text:
            self.out[-1][0].append(text)

    def _close_tables(self, level: int) -> None:
        while self.tables and level <= self.tables[-1].level:
            rows = _table_rows(self.tables.pop().cells)
            lines = [_row_line(r) for r in rows]
            if self.tables and (cell := self.tables[-1].cell) is not None:
                self.tables[-1].cells.setdefault(cell, []).extend(lines)
            else:
                self.out[-1][1].append(rows)
                self.out[-1][0].extend(lines)


def _table_rows(cells: dict[tuple[int, int], list[str]]) -> Rows:
    rows: dict[int, list[tuple[int, str]]] = {}
    for (row, col), texts in cells.items():
        rows.setdefault(row, []).append((col, " ".join(t for t in texts if t)))
    return [[text for _, text in sorted(cols)] for _, cols in sorted(rows.items())]
