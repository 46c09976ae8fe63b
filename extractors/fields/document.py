"""Pages as searchable lines and table rows, and the evidence every found value carries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from extractors.records import FieldValue, PageText, Route
from extractors.text import join_ocr_syllables, normalise, spaced, squash, strip_ocr_edges

from .labels import (
    LABELS,
    CellLabel,
    any_label_line,
    cell_label,
    fuzzy_cell_field,
    inline_label,
    is_blank_value,
    is_label_cell,
    label_of,
    line_pattern,
)

_STOP = re.compile(r"^(?:※|\d{1,2}\.\s*\S|제\s*\d+\s*조|[①-⑳]|\(?[@©®]\)?\s|\((?:사업주|근로자|갑|을)\)|\d{4}\s*년\s*\d)")
_SNIPPET_CHARS = 300

# Which labelled values to pass over: called with the row's or line's text and the label found
# (a table cell's CellLabel or a line's match).
Skip = Callable[[str, "CellLabel | re.Match[str]"], bool]


@dataclass(frozen=True)
class Line:
    page: int  # 1-based page
    index: int  # position in its stream (the page lines, or one table cell's lines)
    text: str  # normalised line text
    block: tuple[int, ...] = ()  # () for page lines; (table, row, column) for the lines inside one cell


@dataclass(frozen=True)
class Row:
    page: int  # 1-based page
    cells: tuple[str, ...]  # normalised cell texts, empty cells dropped
    header: tuple[str, ...] = ()  # the table's first row (for 변경 전/변경 후 columns)
    table: int = 0  # which table of the document the row belongs to
    cols: tuple[int, ...] = ()  # original column index of each cell
    header_cols: tuple[int, ...] = ()  # original column index of each header cell


@dataclass(frozen=True)
class Hit:
    """A value found under a label, with where it was read."""

    value: str  # as written (multi-line values joined by newlines)
    page: int  # page of the evidence
    snippet: str  # the line(s) around the value
    label: str  # label as printed
    strength: float  # 0..1 trust in the pattern itself, before the route factor


@dataclass
class Doc:
    """A contract's lines and table rows across all pages; route quality per page."""

    lines: list[Line] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    routes: dict[int, tuple[Route, float | None]] = field(default_factory=dict)
    # Lines inside table cells, one stream per cell: a two-column KO | EN table flattens into
    # interleaved page lines, while each cell still reads 'label: value' top to bottom.
    cell_lines: dict[tuple[int, ...], list[Line]] = field(default_factory=dict)

    def stream(self, line: Line) -> list[Line]:
        """The lines `line` continues into: its own cell's, or the page lines."""
        return self.cell_lines[line.block] if line.block else self.lines

    def kv_lines(self) -> list[Line]:
        """Every line a 'label: value' may sit on: cell lines first (they keep columns apart)."""
        return [line for lines in self.cell_lines.values() for line in lines] + self.lines

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @cached_property
    def prose(self) -> str:
        """The page lines run together: prose whose sentences wrap across lines."""
        return " ".join(line.text for line in self.lines)


def build_doc(pages: list[PageText]) -> Doc:
    doc = Doc()
    for page in pages:
        doc.routes[page.page] = (page.route, page.confidence)
        text = normalise(page.text)
        if page.route == Route.ocr:
            text = "\n".join(strip_ocr_edges(join_ocr_syllables(line)) for line in text.splitlines())
        for raw in text.splitlines():
            if raw:
                doc.lines.append(Line(page.page, len(doc.lines), raw))
        for table in page.tables:
            table_id = len(doc.rows)
            doc.rows.extend(_rows(page.page, table, table_id, ocr=page.route == Route.ocr))
            _add_cell_lines(doc, page.page, table, table_id, ocr=page.route == Route.ocr)
    return doc


def _add_cell_lines(doc: Doc, page: int, table: list[list[str]], table_id: int, *, ocr: bool) -> None:
    """Cells that hold 'label: value' text of their own become separate line streams."""
    for r, row in enumerate(table):
        for c, cell in enumerate(row):
            text = _cell(cell, ocr)
            if ":" not in text:
                continue
            block = (table_id, r, c)
            lines = [raw.strip() for raw in text.splitlines() if raw.strip()]
            doc.cell_lines[block] = [Line(page, i, raw, block) for i, raw in enumerate(lines)]


def _cell(text: str, ocr: bool) -> str:
    text = normalise(text or "")
    return "\n".join(join_ocr_syllables(line) for line in text.splitlines()) if ocr else text


def _rows(page: int, table: list[list[str]], table_id: int, *, ocr: bool = False) -> list[Row]:
    clean = [tuple(_cell(c, ocr) for c in row) for row in table]
    header = tuple(c for c in clean[0] if c) if clean else ()
    header_cols = tuple(i for i, c in enumerate(clean[0]) if c) if clean else ()
    return [Row(page, tuple(c for c in row if c), header, table_id,
                tuple(i for i, c in enumerate(row) if c), header_cols) for row in clean if any(row)]


def route_factor(doc: Doc, page: int) -> float:
    """1.0 for a text layer; OCR pages scale with Tesseract's mean confidence."""
    route, conf = doc.routes.get(page, (Route.text_layer, None))
    if route == Route.text_layer:
        return 1.0
    return 0.9 * (0.55 + 0.45 * (conf if conf is not None else 0.6))


def evidence(doc: Doc, hit: Hit | None, value: str | None = None, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for a FieldValue (or subclass) built from `hit`."""
    if hit is None:
        return {}
    route = doc.routes.get(hit.page, (Route.text_layer, None))[0]
    return {"value": value if value is not None else hit.value, "found": True, "state": "found", "page": hit.page,
            "snippet": hit.snippet[:_SNIPPET_CHARS], "label": hit.label, "route": route,
            "confidence": round(min(1.0, hit.strength * route_factor(doc, hit.page)), 3), **extra}


def field_value(doc: Doc, hit: Hit | None, value: str | None = None) -> FieldValue:
    return FieldValue(**evidence(doc, hit, value))


def cut_at_label(value: str) -> tuple[str, bool]:
    """A value ends where the next numbered or labelled item starts on the same line
    ('일반직 사원 3. Job Title: Office Assistant' -> '일반직 사원'); (value, cut?)."""
    m = inline_label().search(value)
    if m and m.start() > 0:
        return re.sub(r"[\s|/,;]*[(\[]?[\s|/,;]*$", "", value[: m.start()]), True  # '회사 (' + '사업자등록번호 : ...)' 
    return value, False


def is_stop(text: str) -> bool:
    """A line that starts a new item, article, party block or labelled field."""
    return bool(_STOP.match(text) or any_label_line().match(text))


def continuation(doc: Doc, line: Line, max_lines: int = 8) -> list[Line]:
    """Lines that continue a multi-line value after `line`, on the same page."""
    out: list[Line] = []
    for nxt in doc.stream(line)[line.index + 1: line.index + 1 + max_lines]:
        if nxt.page != line.page:
            break
        if any_label_line().match(nxt.text) or (is_stop(nxt.text) and not _numbered_sequel(out, line, nxt)):
            break
        out.append(nxt)
    return out


def _numbered_sequel(out: list[Line], first: Line, nxt: Line) -> bool:
    """'2. ...' continues a value whose own first item (after the label's colon) was '1. ...';
    a list starting at '1.' right below the value's first line belongs to it."""
    numbered = [x for x in out if re.match(r"\d\.\s", x.text)]
    if not numbered and re.match(r"1\.\s", nxt.text) and not re.search(r":\s*\d\.\s", first.text):
        return True
    m_prev = re.match(r"(\d)\.\s", numbered[-1].text) if numbered else re.search(r":\s*(\d)\.\s", first.text)
    m_next = re.match(r"(\d)\.\s", nxt.text)
    return bool(m_prev and m_next and int(m_next.group(1)) == int(m_prev.group(1)) + 1)


def find_line(doc: Doc, field_name: str, *, multiline: bool = False, skip: Skip | None = None) -> Hit | None:
    """First line 'label : value' for `field_name` with a non-empty value."""
    return next(line_hits(doc, field_name, multiline=multiline, skip=skip, fuzzy=False), None)


def find_cell(doc: Doc, field_name: str, *, skip: Skip | None = None) -> Hit | None:
    """First table value for `field_name` (see cell_hits)."""
    return next(cell_hits(doc, field_name, skip=skip), None)


def cell_hits(doc: Doc, field_name: str, *, skip: Skip | None = None) -> Iterator[Hit]:
    """Values of `field_name` in tables, in reading order.

    A label cell's value is the next cell that is not itself a label: a label followed by
    other labels is a group heading ('직무 | 소속 | 크리에이티브팀'). A row made of labels only
    is a header row: each label's value sits below it, in the same column of the next row.
    """
    for n, row in enumerate(doc.rows):
        for i, cell in enumerate(row.cells):
            found = cell_label(field_name, cell)
            if not found or (skip and skip(" ".join(row.cells), found)) or _holds_own_value(cell, field_name):
                continue
            if hit := _beside(doc, n, row, i, found, field_name):
                yield hit
                break
            if hit := _below(doc, n, row, i, found):
                yield hit  # a header row may name the field twice ('직 위 | 직 무')


def _holds_own_value(cell: str, field_name: str) -> bool:
    """'3. 직위: 데이터 분석가' is a whole 'label: value' in one cell (read as a line stream)."""
    m = line_pattern(field_name).match(cell.split("\n")[0])
    return bool(m and m.group("value").strip() and not is_blank_value(m.group("value")))


def _beside(doc: Doc, n: int, row: Row, i: int, found: CellLabel, field_name: str) -> Hit | None:
    """The next cell; over further labels of the same field ('임금 | 급여 | ...'), never over
    another field's label: '직무 | 소속 | 플랫폼팀' is a group heading over 소속's value."""
    j = i + 1
    while j < len(row.cells) and is_label_cell(row.cells[j]):
        if not cell_label(field_name, row.cells[j]):
            return None
        j += 1
    if j >= len(row.cells):
        return None
    more = _merged_rows(doc.rows[n + 1:], row, j - 1)
    value = "\n".join([after_change(row, j - 1), *more])
    if is_blank_value(value):
        return None
    snippet = " | ".join(row.cells) + "".join(f"\n{x}" for x in more)
    return Hit(value, row.page, snippet, found.label, 0.95 * found.trust)


def _below(doc: Doc, n: int, row: Row, i: int, found: CellLabel) -> Hit | None:
    """Header row of labels: the value is in the next row of the same table, same column."""
    if n + 1 >= len(doc.rows):
        return None
    nxt = doc.rows[n + 1]
    # only a row of labels (a header row, or a label alone above its value); its first cell may
    # be a group heading over the rows below ('채용조건 | 근무부서 | 직종(직무)')
    group = not is_label_cell(row.cells[0]) and row.cols[0] not in nxt.cols
    if not all(map(is_label_cell, row.cells[1:] if group else row.cells)):
        return None
    if nxt.table != row.table or row.cols[i] not in nxt.cols or any(map(is_label_cell, nxt.cells)):
        return None
    value = nxt.cells[nxt.cols.index(row.cols[i])]
    if is_blank_value(value):
        return None
    return Hit(value, row.page, " | ".join(row.cells) + "\n" + " | ".join(nxt.cells), found.label,
               0.9 * found.trust)


def _merged_rows(rows: list[Row], first: Row, label_index: int) -> list[str]:
    """Values continued in the following rows of a vertically merged label cell."""
    value_col = first.cols[label_index + 1] if len(first.cols) > label_index + 1 else None
    out = []
    for row in rows:
        if row.table != first.table or value_col is None or row.cols[:1] != (value_col,):
            break
        out.append(" ".join(row.cells))
    return out


_SAME = re.compile(r"^\s*(?:좌\s*동|동\s*일|변경\s*없음|상\s*동|same(?:\s+as\s+before)?|unchanged|no\s+change)\s*\.?$",
                   re.IGNORECASE)


def after_change(row: Row, label_index: int) -> str:
    """The value cell: the '변경 후 / After' column in amendment tables, else the next cell.

    An after-value that says 'unchanged' (좌동, 동일, 변경 없음) keeps the before-value.
    """
    after = after_column(row)
    if after is None:
        return row.cells[label_index + 1]
    before = [i for i, h in enumerate(row.header) if re.search(r"변경전|before|current|old", squash(h), re.IGNORECASE)]
    value = row.cells[after]
    return row.cells[before[0]] if _SAME.match(value) and before else value


def after_column(row: Row) -> int | None:
    """The '변경 후 / After' column of an amendment table's row (all cells present), else None."""
    if len(row.cells) != len(row.header):
        return None
    return next((i for i, h in enumerate(row.header)
                 if re.search(r"변경후|after|new|revised", squash(h), re.IGNORECASE)), None)


def find(doc: Doc, field_name: str, *, multiline: bool = False, skip: Skip | None = None) -> Hit | None:
    """A table cell wins over a text line (table text in the text layer is interleaved)."""
    return (find_cell(doc, field_name, skip=skip)
            or find_line(doc, field_name, multiline=multiline, skip=skip)
            or find_article(doc, field_name))


def find_article(doc: Doc, field_name: str) -> Hit | None:
    """'제5조 (근로시간) 09시 ...': an article heading with its value on the same line."""
    alts = "|".join(spaced(label) for label in LABELS[field_name] if re.search(r"[가-힣]", label))
    pattern = re.compile(rf"^제\s*\d+\s*조\s*\(\s*(?P<label>{alts})\s*\)\s*(?P<value>\S.*)$")
    for line in doc.lines:
        if m := pattern.match(line.text):
            value = re.sub(rf"^(?:{alts})\s*(?:은|는)\s*", "", m.group("value"))
            value = re.sub(r"\s*(?:으로|로)?\s*(?:한다|정한다)\.?$", "", value)
            if not is_blank_value(value):
                return Hit(value, line.page, line.text, m.group("label"), 0.85)
    return None


def find_all(doc: Doc, field_name: str, *, multiline: bool = False) -> list[Hit]:
    """Every labelled value for `field_name`: table cells first, then text lines."""
    return [*cell_hits(doc, field_name), *line_hits(doc, field_name, multiline=multiline)]


_FUZZY_LINE = re.compile(r"^(?:[-·•*]\s*|\d{1,2}[.)]\s*)?(?P<label>[가-힣](?:\s?[가-힣]){2,7})\s*(?:/[^:\n]{0,40})?:\s*(?P<value>.*)$")


def _line_match(doc: Doc, pattern: re.Pattern[str], field_name: str, line: Line, fuzzy: bool
                ) -> re.Match[str] | None:
    """'label: value' on a line; with `fuzzy`, on OCR lines also a Korean label one misread
    syllable away ('적무내용 / Job description: ...' for 직무내용)."""
    if m := pattern.match(line.text):
        return m
    ocr = doc.routes.get(line.page, (Route.text_layer, None))[0] == Route.ocr
    if not fuzzy or not ocr or line.block or not (m := _FUZZY_LINE.match(line.text)):
        return None
    found = fuzzy_cell_field(m.group("label"))
    return m if found and found[0] == field_name else None


def line_hits(doc: Doc, field_name: str, *, multiline: bool = False, skip: Skip | None = None,
              fuzzy: bool = True) -> Iterator[Hit]:
    """Values of 'label: value' lines for `field_name` (cell lines first), each ending at the
    next inline label; `multiline`: continued by the lines below it."""
    pattern = line_pattern(field_name)
    for line in doc.kv_lines():
        m = _line_match(doc, pattern, field_name, line, fuzzy)
        if not m or (skip and skip(line.text, m)):
            continue
        head, cut = cut_at_label(m.group("value"))
        extra = continuation(doc, line) if multiline and not cut else []
        value = "\n".join(p for p in [head.strip(), *(x.text for x in extra)] if p)
        if not is_blank_value(value):
            snippet = "\n".join([line.text, *(x.text for x in extra)])
            yield Hit(value, line.page, snippet, label_of(m), 0.95)


def find_sentence(doc: Doc, labels: tuple[str, ...]) -> Hit | None:
    """Article prose: '(근무장소) 근무장소는 X로 한다.' -> X."""
    alts = "|".join(spaced(label) for label in labels)
    pattern = re.compile(rf"(?P<label>{alts})\s*(?:은|는)\s*(?P<value>.+?)\s*(?:으로|로)?\s*"
                         r"(?:한다|정한다|임명한다)?\s*\.?$")
    for line in doc.lines:
        if m := pattern.search(line.text):
            value = m.group("value").strip()
            if value:
                return Hit(value, line.page, line.text, m.group("label"), 0.85)
    return None


def search(doc: Doc, pattern: re.Pattern[str], strength: float, label: str | None = None) -> Hit | None:
    """First regex match anywhere (group 'v' or the whole match) as weaker evidence."""
    for line in doc.lines:
        if m := pattern.search(line.text):
            value = m.groupdict().get("v") or m.group(0)
            return Hit(value.strip(), line.page, line.text, label or "", strength)
    return None
