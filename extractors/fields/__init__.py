"""Contract fields from page text: `extract_fields(pages) -> (ContractFields, problems)`.

Which fields there are, and how each is read, is `extractors.fields.registry.FIELDS`.
"""

from __future__ import annotations

import logging

from extractors.records import ContractFields, DocumentKind, PageText, Problem

from .document import build_doc
from .layout import is_blank, is_contract
from .registry import FIELDS, FieldSpec, read_fields
from .states import judge_states

__all__ = ["extract_fields"]

log = logging.getLogger(__name__)


def extract_fields(
    pages: list[PageText], *, registry: tuple[FieldSpec, ...] = FIELDS,
    model: type[ContractFields] = ContractFields,
) -> tuple[ContractFields, list[Problem]]:
    """Every contract field with its evidence; not-a-contract and blank forms yield no fields.

    `registry` and `model` default to the pipeline's fields; a model extending ContractFields
    with a registry naming its extra fields reads those too (tests/test_registry.py)."""
    doc = build_doc(pages)
    if not is_contract(doc):
        log.info("no contract markers in %d page(s)", len(pages))
        return model(kind=DocumentKind.not_contract), [_problem(
            "not_a_contract", "this document does not look like an employment contract "
            "(no contract heading or clauses); nothing was extracted")]
    values, problems = read_fields(doc, registry)
    fields, problems = judge_states(doc, model(**values), problems, registry)
    if is_blank(fields, doc, tuple(s.name for s in registry if s.key)):
        return model(kind=DocumentKind.blank_template, language=fields.language), [_problem(
            "blank_template", "the contract form is blank (labels without values); "
            "drop the filled and signed contract")]
    return fields, problems


def _problem(code: str, message: str) -> Problem:
    return Problem(code=code, message=message)
