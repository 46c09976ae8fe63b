"""The contract field registry: one entry per attribute of `ContractFields`, in its order.

An entry says everything the pipeline needs to know about a field: the record type it holds,
the label tables of `extractors/data/labels.toml` it reads, the function that reads it, whether
its state is judged (core fields), whether a filled contract shows it (key fields), how it is
masked as personal data, its Korean and English names in reports, and its description in the
JSON Schema. Extraction (`extractors.fields.extract_fields`), the report tables and crops
(`reports.html`, `reports.crops`), name masking (`reports.pii`) and the schema descriptions
(`ContractFields`' `json_schema_extra`) all iterate `FIELDS`; `tests/test_registry.py` checks
that `FIELDS` and `ContractFields` agree exactly (names, types, order).

Adding a field: its label table in labels.toml, an entry here (a value that follows its label is
read by `labelled(table)`; other fields name their extractor), and the typed attribute on
`ContractFields` (see docs/ARCHITECTURE.md, "Adding a field").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from extractors.records import DocumentKind, FieldValue, Problem, SalaryField, TitleField

from .dates import contract_period
from .document import Doc, evidence, find
from .job import extract_job
from .layout import detect_kind, detect_language
from .parties import (
    extract_birth_date,
    extract_business_reg_no,
    extract_employee,
    extract_employer,
    extract_nationality,
)
from .pay import extract_salary
from .visa import extract_hours, extract_visa, extract_workplace


class Mask(StrEnum):
    """How a field's value is masked in outputs unless `--show-pii`."""

    patterns = "patterns"  # like every string: ID, passport, phone and account numbers inside it
    name = "name"  # a person's name: masked as a name (김**) wherever it appears, crops included


class Reading:
    """One contract being read: its Doc, the readings several fields share, and the problems
    the extractors raised (in the order they were raised)."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.problems: list[Problem] = []

    @cached_property
    def job(self) -> tuple[TitleField, FieldValue]:
        """(title, duties): read together, as a title may lead the duties text."""
        return extract_job(self.doc)

    @cached_property
    def hours(self) -> tuple[FieldValue, float | None]:
        """(working hours as written, contractual hours per week)."""
        return extract_hours(self.doc)

    @cached_property
    def period(self) -> tuple[FieldValue, FieldValue]:
        """(start, end) of the contract period."""
        return contract_period(self.doc)


Extractor = Callable[[Reading], Any]


def on_doc(read: Callable[[Doc], Any]) -> Extractor:
    """An extractor of a field that reads the Doc alone (most fields)."""
    def extract(reading: Reading) -> Any:
        return read(reading.doc)
    extract.__name__ = extract.__qualname__ = read.__name__
    return extract


def labelled(table: str) -> Extractor:
    """An extractor of a field whose value follows one of its own labels (the labels.toml table
    `table`), with its evidence: a field read this way needs no extractor module of its own."""
    def extract(reading: Reading) -> FieldValue:
        hit = find(reading.doc, table)
        return FieldValue(**evidence(reading.doc, hit)) if hit else FieldValue()
    extract.__name__ = extract.__qualname__ = f"labelled_{table}"
    return extract


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the ContractFields attribute
    record: Any  # its type: FieldValue, TitleField, SalaryField, or a plain type
    labels: tuple[str, ...]  # labels.toml [fields] tables it reads; the first is its own
    extract: Extractor  # reads the value from a Reading
    label_ko: str  # name in reports, Korean
    label_en: str  # name in reports, English
    description: str  # description in the JSON Schema
    mask: Mask = Mask.patterns  # how the value is masked as personal data
    # Core field: its state (found / not_stated / unreadable) is judged, and an unreadable value
    # raises a `field_unreadable` problem that names it as `core` says.
    core: str | None = None
    key: bool = False  # a filled contract shows it: a form with at most one key field is blank

    @property
    def is_value(self) -> bool:
        """A value with evidence (a FieldValue): a row of the reports' field table, cropped on scans."""
        return isinstance(self.record, type) and issubclass(self.record, FieldValue)


def _salary(reading: Reading) -> SalaryField:
    salary, problems = extract_salary(reading.doc, reading.hours[1])
    reading.problems.extend(problems)
    return salary


def _title(reading: Reading) -> TitleField:
    return reading.job[0]


def _duties(reading: Reading) -> FieldValue:
    return reading.job[1]


def _start(reading: Reading) -> FieldValue:
    return reading.period[0]


def _end(reading: Reading) -> FieldValue:
    return reading.period[1]


def _working_hours(reading: Reading) -> FieldValue:
    return reading.hours[0]


def _weekly_hours(reading: Reading) -> float | None:
    return reading.hours[1]


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("kind", DocumentKind, (), on_doc(detect_kind), "형식", "kind",
              "Layout family recognised (moel_standard, article, offer_letter, amendment ...)"),
    FieldSpec("language", str, (), on_doc(detect_language), "언어", "language",
              'Language of the contract: "ko", "en" or "ko+en"'),
    FieldSpec("job_title", TitleField, ("title", "rank"), _title, "직위/직종", "Job title",
              "Job title (직위/직종/Position), with the English title and the rank kept apart",
              core="직위/직종 (job title)", key=True),
    FieldSpec("duties", FieldValue, ("duties",), _duties, "업무 내용", "Duties",
              "Duties (업무의 내용/Job description) as written", core="업무의 내용 (duties)", key=True),
    FieldSpec("salary", SalaryField, ("salary",), _salary, "임금", "Salary",
              "Salary (임금/Salary): amount, period, annualised amount and components",
              core="임금 (salary)", key=True),
    FieldSpec("employer", FieldValue, ("employer",), on_doc(extract_employer), "사업체명", "Employer",
              "Employer (사업체명/company)", key=True),
    FieldSpec("business_reg_no", FieldValue, ("business_reg_no",), on_doc(extract_business_reg_no),
              "사업자등록번호", "Business registration no.",
              "Employer's business registration number (사업자등록번호), NNN-NN-NNNNN"),
    FieldSpec("employee_name", FieldValue, ("employee_name",), on_doc(extract_employee), "근로자 성명",
              "Employee", "Employee's name (근로자 성명); masked in outputs unless --show-pii",
              mask=Mask.name, key=True),
    FieldSpec("nationality", FieldValue, ("nationality",), on_doc(extract_nationality), "국적",
              "Nationality", "Employee's nationality (국적) as written"),
    FieldSpec("birth_date", FieldValue, ("birth_date",), on_doc(extract_birth_date), "생년월일",
              "Date of birth", "Employee's date of birth (생년월일), YYYY-MM-DD"),
    FieldSpec("contract_start", FieldValue, ("period", "start"), _start, "계약 시작일", "Contract start",
              "First day of the contract (or of the amendment's effect), YYYY-MM-DD", key=True),
    FieldSpec("contract_end", FieldValue, ("period", "end"), _end, "계약 종료일", "Contract end",
              "Last day of the contract, YYYY-MM-DD; missing when open-ended or not stated"),
    FieldSpec("workplace", FieldValue, ("workplace",), on_doc(extract_workplace), "근무 장소",
              "Workplace", "Place of work (근무장소)"),
    FieldSpec("working_hours", FieldValue, ("working_hours",), _working_hours, "근로 시간",
              "Working hours", "Contractual working hours (소정근로시간), as written"),
    FieldSpec("weekly_hours", float | None, ("working_hours",), _weekly_hours, "주 소정근로시간",
              "weekly hours", "Contractual hours per week when stated or derivable"),
    FieldSpec("stated_visa", FieldValue, ("visa",), on_doc(extract_visa), "기재된 체류자격",
              "Stated visa", 'Visa status the contract states, e.g. "E-7-1"'),
)
# labels.toml tables that no field reads as its own but that end other fields' values.
BOUNDARY_LABELS = ("department",)


def spec(name: str, fields: tuple[FieldSpec, ...] = FIELDS) -> FieldSpec:
    """The entry of field `name`."""
    return next(s for s in fields if s.name == name)


def value_fields(fields: tuple[FieldSpec, ...] = FIELDS) -> tuple[FieldSpec, ...]:
    """The fields holding a value with evidence, in report order."""
    return tuple(s for s in fields if s.is_value)


def read_fields(doc: Doc, fields: tuple[FieldSpec, ...] = FIELDS) -> tuple[dict[str, Any], list[Problem]]:
    """Every field's value read from `doc` (attribute -> value) and the problems raised."""
    reading = Reading(doc)
    values = {s.name: s.extract(reading) for s in fields}
    return values, reading.problems


def describe_schema(schema: dict[str, Any], fields: tuple[FieldSpec, ...] = FIELDS) -> None:
    """Fill the JSON Schema of ContractFields (or a model extending it) with each field's
    description (the model's `json_schema_extra`)."""
    properties = schema.get("properties", {})
    for s in fields:
        if s.name in properties:
            properties[s.name]["description"] = s.description


def disagreements(model: type[BaseModel], fields: tuple[FieldSpec, ...] = FIELDS) -> list[str]:
    """How `model` (ContractFields, or a model extending it) and the registry `fields` differ:
    attribute names, order and types must be the same. Empty when they agree."""
    attributes = list(model.model_fields.items())
    out = []
    if [name for name, _ in attributes] != [s.name for s in fields]:
        out.append(f"attributes {[name for name, _ in attributes]} but registry {[s.name for s in fields]}")
    for (name, info), s in zip(attributes, fields, strict=False):
        if name == s.name and info.annotation != s.record:
            out.append(f"{name}: the model holds {info.annotation}, the registry {s.record}")
    return out
