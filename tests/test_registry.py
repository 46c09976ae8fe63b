"""The field registry drives extraction, the records, the reports, masking and the schema.

The last tests add a field to a copy of the registry, as docs/ARCHITECTURE.md ("Adding a field")
describes, and see it extracted, reported and described in the schema.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from pydantic import ConfigDict, Field
from test_reports_samples import ok_result

from extractors.fields import extract_fields
from extractors.fields.labels import LABELS
from extractors.fields.registry import (
    BOUNDARY_LABELS,
    FIELDS,
    FieldSpec,
    Mask,
    describe_schema,
    disagreements,
    labelled,
    spec,
    value_fields,
)
from extractors.records import ContractFields, FieldValue, PageText, Route
from reports.html import document_view, render_document_html
from reports.pii import person_names

ROOT = Path(__file__).resolve().parents[1]


def test_registry_and_contract_fields_agree_exactly() -> None:
    assert disagreements(ContractFields) == []
    assert [s.name for s in FIELDS] == list(ContractFields.model_fields)
    for s in FIELDS:
        assert ContractFields.model_fields[s.name].annotation == s.record, s.name


def test_a_field_the_registry_lacks_or_misplaces_is_a_disagreement() -> None:
    assert disagreements(ContractFields, FIELDS[:-1])
    assert disagreements(ContractFields, (FIELDS[1], FIELDS[0], *FIELDS[2:]))
    wrong = FieldSpec("kind", FieldValue, (), FIELDS[0].extract, "형식", "kind", "x")
    assert disagreements(ContractFields, (wrong, *FIELDS[1:])) == [
        f"kind: the model holds {ContractFields.model_fields['kind'].annotation}, the registry {FieldValue}"]


def test_every_label_table_is_read_by_a_field_or_ends_values() -> None:
    read = {table for s in FIELDS for table in s.labels}
    assert read <= set(LABELS), read - set(LABELS)
    assert set(LABELS) == read | set(BOUNDARY_LABELS)
    for s in FIELDS:
        if s.core:
            assert s.labels, f"{s.name}: a core field's state is judged from its own label table"


def test_entries_are_complete() -> None:
    for s in FIELDS:
        assert s.label_ko and s.label_en and s.description, s.name
        assert callable(s.extract), s.name
    assert [s.name for s in FIELDS if s.core] == ["job_title", "duties", "salary"]
    assert [s.name for s in FIELDS if s.mask is Mask.name] == ["employee_name"]


def test_report_table_is_the_registry_value_fields_in_order() -> None:
    view = document_view(ok_result(), crops={})
    assert [row.key for row in view.fields] == [s.name for s in value_fields()]
    assert [(row.label_ko, row.label_en) for row in view.fields] == [
        (s.label_ko, s.label_en) for s in value_fields()]
    assert "weekly_hours" not in [row.key for row in view.fields]  # a number, not a value with evidence
    assert view.captions["kind"] == "형식 / kind"  # fields shown outside the table are named by it too


def test_name_masking_follows_the_registry() -> None:
    fields = ok_result().fields
    assert person_names(fields) == (fields.employee_name.value,)
    unmasked = tuple(s if s.name != "employee_name" else FieldSpec(**{**s.__dict__, "mask": Mask.patterns})
                     for s in FIELDS)
    assert person_names(fields, unmasked) == ()


def test_schema_descriptions_come_from_the_registry() -> None:
    properties = ContractFields.model_json_schema()["properties"]
    assert {name: p.get("description") for name, p in properties.items()} == {
        s.name: s.description for s in FIELDS}
    spec_ = importlib.util.spec_from_file_location("gen_schemas", ROOT / "scripts" / "gen_schemas.py")
    gen = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(gen)
    result = json.loads(gen.render_schemas()["result.schema.json"])
    described = result["$defs"]["ContractFields"]["properties"]
    assert described["employee_name"]["description"] == spec("employee_name").description


# --- adding a field: its label table, the registry entry, the typed attribute (three files) ---

# `department = ["소속", "부서", ...]` is already a labels.toml table (until now it only ended
# other fields' values); its value follows the label, so `labelled` reads it.
DEPARTMENT = FieldSpec("department", FieldValue, ("department",), labelled("department"),
                       "부서", "Department", "Department the employee joins (소속/부서)")
WITH_DEPARTMENT = (*FIELDS, DEPARTMENT)


class FieldsWithDepartment(ContractFields):
    model_config = ConfigDict(json_schema_extra=lambda schema: describe_schema(schema, WITH_DEPARTMENT))

    department: FieldValue = Field(default_factory=FieldValue)


CONTRACT = """표준근로계약서
1. 근로계약기간 : 2026년 3월 2일부터 2028년 3월 1일까지
2. 근무장소 : 서울특별시 구로구 디지털로 300
3. 업무의 내용 : 웹 개발자 – 자사 쇼핑몰 개발
4. 부서 : 플랫폼개발팀
5. 임금 : 월 3,500,000원
(사업주) 사업체명 : 주식회사 가람클라우드
(근로자) 성명 : 홍길동
"""


def _extract(registry, model):
    page = PageText(page=1, route=Route.text_layer, reason="test", text=CONTRACT)
    return extract_fields([page], registry=registry, model=model)


def test_an_added_field_agrees_with_its_model() -> None:
    assert disagreements(FieldsWithDepartment, WITH_DEPARTMENT) == []
    assert disagreements(FieldsWithDepartment) != []  # the pipeline's registry lacks it


def test_an_added_field_is_extracted() -> None:
    fields, _ = _extract(WITH_DEPARTMENT, FieldsWithDepartment)
    assert isinstance(fields, FieldsWithDepartment)
    assert fields.department.value == "플랫폼개발팀"
    assert fields.department.found and fields.department.label == "부서"
    plain, _ = _extract(FIELDS, ContractFields)
    assert fields.model_dump(exclude={"department"}) == plain.model_dump()  # the others as before


def test_an_added_field_is_reported() -> None:
    fields, _ = _extract(WITH_DEPARTMENT, FieldsWithDepartment)
    result = ok_result().model_copy(update={"fields": fields})
    rows = {row.key: row for row in document_view(result, crops={}, registry=WITH_DEPARTMENT).fields}
    assert list(rows)[-1] == "department"
    assert (rows["department"].label_ko, rows["department"].value) == ("부서", "플랫폼개발팀")
    html = render_document_html(result, registry=WITH_DEPARTMENT)
    assert 'id="field-department"' in html and "플랫폼개발팀" in html


def test_an_added_field_is_in_the_schema() -> None:
    properties = FieldsWithDepartment.model_json_schema()["properties"]
    assert properties["department"]["description"] == DEPARTMENT.description
    assert properties["employer"]["description"] == spec("employer").description
