"""Document kind: contract layouts, amendments, blank templates and documents that are not contracts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ is not an installed package

from test_fields import pdf_pages

from extractors.fields import extract_fields
from extractors.records import ContractFields, DocumentKind
from fixtures import LAYOUTS, expected_for, make_spec, render_pdf

REAL_FORMS = ROOT.parent / "shared" / "real_forms"


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_kind_of_each_layout(layout):
    spec = make_spec(9, scenario="consistent")
    fields, problems = extract_fields(pdf_pages(render_pdf(spec, layout)))
    assert fields.kind.value == expected_for(spec, layout)["kind"]
    if fields.kind == DocumentKind.not_contract:
        assert [p.code for p in problems] == ["not_a_contract"]
        assert fields == ContractFields(kind=DocumentKind.not_contract)


@pytest.mark.parametrize("name", ["yonggukkim-pdf__표준근로계약서.pdf", "foreign_worker_agri_blank.pdf"])
def test_real_blank_forms_are_blank_templates(name):
    path = REAL_FORMS / name
    if not path.exists():
        pytest.skip("shared real_forms not present")
    fields, problems = extract_fields(pdf_pages(path))
    assert fields.kind == DocumentKind.blank_template
    assert [p.code for p in problems] == ["blank_template"]
    assert not any(getattr(fields, f).found for f in ("job_title", "duties", "salary", "employer"))


def test_empty_pages_are_not_contracts():
    fields, problems = extract_fields([])
    assert fields.kind == DocumentKind.not_contract and problems[0].code == "not_a_contract"
