"""Shared vocabulary of the pipeline: documents, pages, problems and extracted contract fields."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    """Base of every record: immutable, strict about unknown keys, JSON round-trip safe."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    success = "success"
    partial = "partial"
    failed = "failed"


class Route(StrEnum):
    text_layer = "text_layer"
    ocr = "ocr"


class Period(StrEnum):
    monthly = "monthly"
    annual = "annual"
    hourly = "hourly"
    daily = "daily"
    weekly = "weekly"


class Problem(Record):
    code: str  # stable machine code, e.g. "encrypted_pdf", "ocr_timeout"
    message: str  # advice-style text naming file hash/page, never personal data
    page: int | None = None  # 1-based page the problem concerns, if any
    fatal: bool = False  # True when the document could not be audited at all


class DocumentRef(Record):
    path: str  # path of the input file as given by the user
    sha256: str  # content hash; identifies the document in logs and caches
    media_type: str  # detected from content, e.g. "application/pdf"
    page_count: int = 0  # pages (or frames) read; 0 when unreadable
    size_bytes: int = 0  # file size on disk


class PageWord(Record):
    """A word OCR read (or a whole ruled-table cell) and its box on the page image OCR read."""

    text: str  # the word (or the cell's text, lines joined by spaces), NFC
    left: int  # box in pixels of the image described by PageLayout
    top: int
    width: int
    height: int
    line: str  # words of one line share it: "block.paragraph.line", or "t<table>.r<row>" for cells


class PageLayout(Record):
    """What a report needs to cut the page image OCR read around a value: that image, kept by
    extraction in the document's work folder, and the word boxes in its pixels."""

    image: str | None = None  # PNG of the image OCR read (None: not kept, no crops)
    width: int  # size in pixels of the image OCR read
    height: int
    words: list[PageWord] = Field(default_factory=list)  # reading order not guaranteed


class PageText(Record):
    page: int  # 1-based page number
    route: Route  # where the text came from
    reason: str  # why this route was chosen, e.g. "text layer has (cid:) runs"
    text: str  # page text, normalised to NFC; never written to logs
    confidence: float | None = None  # OCR mean word confidence 0..1; None for text layers
    seconds: float = 0.0  # wall time spent reading this page
    tables: list[list[list[str]]] = Field(default_factory=list)  # tables found: rows of cell texts
    # OCR pages: the page image and word boxes for the crops in reports. Kept in memory only
    # (not serialised): the boxes hold the page text again.
    layout: PageLayout | None = Field(default=None, exclude=True)


class FieldState(StrEnum):
    found = "found"  # read, with evidence
    not_stated = "not_stated"  # no label and no value: the contract does not state it
    unreadable = "unreadable"  # a label is there but its value could not be read with confidence


class FieldValue(Record):
    """One extracted value with its evidence; a missing value is explicit, never guessed."""

    value: str | None = None  # normalised value as written in the contract; None when missing
    found: bool = False  # True when a value was read (see `state` for how far to trust it)
    state: FieldState = FieldState.not_stated  # found | not_stated | unreadable
    page: int | None = None  # 1-based page holding the evidence
    snippet: str | None = None  # the text around the value, as read
    confidence: float = 0.0  # 0..1 trust in value (route quality x pattern strength)
    route: Route | None = None  # text layer or OCR for the evidence page
    label: str | None = None  # the contract label that introduced the value, e.g. "업무의 내용"


class TitleField(FieldValue):
    value_en: str | None = None  # English title where the contract has one
    rank: str | None = None  # rank/grade (사원, 대리, 과장 ...), kept apart from the occupation title


class SalaryComponent(Record):
    name: str  # label as written: 기본급, 직무수당, 식대 ...
    amount_krw: int  # amount per period in KRW
    period: Period  # period of this component


class SalaryField(FieldValue):
    amount_krw: int | None = None  # stated amount in KRW for `period`
    period: Period | None = None  # how the amount is stated
    annual_krw: int | None = None  # annualised amount in KRW
    components: list[SalaryComponent] = Field(default_factory=list)  # base pay and allowances
    inclusive_wage: bool = False  # 포괄임금 (inclusive wage) clause present
    assumption: str | None = None  # how a non-annual amount was annualised
    cross_checked: bool = False  # another line or the Hangul amount confirms the figure


class DocumentKind(StrEnum):
    moel_standard = "moel_standard"  # Ministry of Employment and Labor standard contract
    foreign_worker_standard = "foreign_worker_standard"  # EPS / E-7-4 bilingual standard form
    article = "article"  # company contract with 제N조 articles
    table_form = "table_form"  # company form laid out as a table
    offer_letter = "offer_letter"  # English offer letter
    amendment = "amendment"  # 변경계약서 / addendum
    contract = "contract"  # a contract of no recognised layout
    not_contract = "not_contract"  # invoice, résumé, certificate ...
    blank_template = "blank_template"  # a form with its blanks unfilled


def _describe_fields(schema: dict[str, Any]) -> None:
    """The JSON Schema descriptions of ContractFields, from the field registry (imported here,
    not at the top: the registry imports the extractors, which import this module)."""
    from extractors.fields.registry import describe_schema

    describe_schema(schema)


class ContractFields(Record):
    """The fields of one contract, each value with its evidence."""

    # Every attribute is an entry of `extractors.fields.registry.FIELDS` (same name, type and
    # order: tests/test_registry.py), which reads it, names it in reports, masks it and
    # describes it in the JSON Schema.
    model_config = ConfigDict(json_schema_extra=_describe_fields)

    kind: DocumentKind = DocumentKind.contract  # layout family recognised
    language: str = "ko"  # "ko", "en" or "ko+en"
    job_title: TitleField = Field(default_factory=TitleField)  # 직위/직종/Position
    duties: FieldValue = Field(default_factory=FieldValue)  # 업무의 내용 / Job description
    salary: SalaryField = Field(default_factory=SalaryField)  # 임금 / Salary
    employer: FieldValue = Field(default_factory=FieldValue)  # 사업체명 / company
    business_reg_no: FieldValue = Field(default_factory=FieldValue)  # 사업자등록번호
    employee_name: FieldValue = Field(default_factory=FieldValue)  # 근로자 성명
    nationality: FieldValue = Field(default_factory=FieldValue)  # 국적
    birth_date: FieldValue = Field(default_factory=FieldValue)  # YYYY-MM-DD
    contract_start: FieldValue = Field(default_factory=FieldValue)  # YYYY-MM-DD
    contract_end: FieldValue = Field(default_factory=FieldValue)  # YYYY-MM-DD or missing
    workplace: FieldValue = Field(default_factory=FieldValue)  # 근무장소
    working_hours: FieldValue = Field(default_factory=FieldValue)  # 소정근로시간, as written
    weekly_hours: float | None = None  # contractual hours per week when derivable
    stated_visa: FieldValue = Field(default_factory=FieldValue)  # e.g. "E-7-1"


class Extraction(Record):
    """What the extraction stage hands on: the document, its pages and the fields."""

    document: DocumentRef  # the input file
    pages: list[PageText] = Field(default_factory=list)  # per-page text and route
    fields: ContractFields = Field(default_factory=ContractFields)  # extracted values
    problems: list[Problem] = Field(default_factory=list)  # per-document problems found
