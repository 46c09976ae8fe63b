"""Contract fields from page text: `extract_fields(pages) -> (ContractFields, problems)`."""

from __future__ import annotations

import logging

from extractors.records import ContractFields, DocumentKind, PageText, Problem

from .dates import contract_period
from .document import Doc, build_doc
from .job import extract_job
from .layout import detect_kind, detect_language, is_blank, is_contract
from .parties import (
    extract_birth_date,
    extract_business_reg_no,
    extract_employee,
    extract_employer,
    extract_nationality,
)
from .pay import extract_salary
from .states import judge_states
from .visa import extract_hours, extract_visa, extract_workplace

__all__ = ["extract_fields"]

log = logging.getLogger(__name__)


def extract_fields(pages: list[PageText]) -> tuple[ContractFields, list[Problem]]:
    """Every contract field with its evidence; not-a-contract and blank forms yield no fields."""
    doc = build_doc(pages)
    if not is_contract(doc):
        log.info("no contract markers in %d page(s)", len(pages))
        return ContractFields(kind=DocumentKind.not_contract), [_problem(
            "not_a_contract", "this document does not look like an employment contract "
            "(no contract heading or clauses); nothing was extracted")]
    fields, problems = _fields(doc)
    if is_blank(fields, doc):
        return ContractFields(kind=DocumentKind.blank_template, language=fields.language), [_problem(
            "blank_template", "the contract form is blank (labels without values); "
            "drop the filled and signed contract")]
    return fields, problems


def _fields(doc: Doc) -> tuple[ContractFields, list[Problem]]:
    hours, weekly = extract_hours(doc)
    salary, problems = extract_salary(doc, weekly)
    start, end = contract_period(doc)
    title, duties = extract_job(doc)
    fields = ContractFields(
        kind=detect_kind(doc), language=detect_language(doc), job_title=title,
        duties=duties, salary=salary, employer=extract_employer(doc),
        business_reg_no=extract_business_reg_no(doc), employee_name=extract_employee(doc),
        nationality=extract_nationality(doc), birth_date=extract_birth_date(doc),
        contract_start=start, contract_end=end, workplace=extract_workplace(doc),
        working_hours=hours, weekly_hours=weekly, stated_visa=extract_visa(doc),
    )
    return judge_states(doc, fields, problems)


def _problem(code: str, message: str) -> Problem:
    return Problem(code=code, message=message)
