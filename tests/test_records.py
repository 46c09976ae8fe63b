"""Records are frozen, round-trip through JSON, and never call a problem a success."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from extractors.records import (
    ContractFields,
    DocumentRef,
    Period,
    Problem,
    SalaryField,
    Status,
    TitleField,
)
from matchers.records import Finding, OccupationCandidate, OccupationMatch, Severity
from reports.records import BatchSummary, DocumentResult, SummaryEntry

DOC = DocumentRef(path="a.pdf", sha256="ab" * 32, media_type="application/pdf", page_count=1)


def _result(**kw) -> DocumentResult:
    fields = ContractFields(
        job_title=TitleField(value="사무보조원", value_en="Office Assistant", found=True, page=1,
                             snippet="직위: 사무보조원", confidence=0.95),
        salary=SalaryField(value="월 3,500,000원", found=True, amount_krw=3_500_000,
                           period=Period.monthly, annual_krw=42_000_000, confidence=0.9),
    )
    match = OccupationMatch(candidates=[OccupationCandidate(
        code="2223", name_ko="응용 소프트웨어 개발자", score=0.8, e7_subcategory="E-7-1")],
        needs_review=False)
    finding = Finding(rule="generic_title", severity=Severity.high, message="m")
    return DocumentResult(document=DOC, fields=fields, occupation=match, findings=[finding], **kw)


def test_result_round_trips_through_json():
    result = _result(status=Status.success)
    assert DocumentResult.model_validate_json(result.model_dump_json()) == result


def test_records_are_frozen():
    result = _result(status=Status.success)
    with pytest.raises(ValidationError):
        result.status = Status.failed


def test_a_result_with_problems_is_never_plain_success():
    with pytest.raises(ValidationError, match="cannot have status 'success'"):
        _result(status=Status.success, problems=[Problem(code="ocr_timeout", message="x")])
    assert _result(status=Status.partial, problems=[Problem(code="x", message="y")])


def test_missing_fields_are_explicit():
    fields = ContractFields()
    assert fields.duties.found is False and fields.duties.value is None
    assert fields.salary.annual_krw is None and fields.salary.confidence == 0.0


def test_output_contract_keys_are_present_in_json():
    data = _result(status=Status.success).model_dump(mode="json")
    assert data["fields"]["job_title"]["value_en"] == "Office Assistant"
    assert data["fields"]["salary"]["period"] == "monthly"
    assert {"page", "snippet", "confidence"} <= set(data["fields"]["duties"])
    cand = data["occupation"]["candidates"][0]
    assert {"code", "revision", "name_ko", "score", "e7_subcategory"} <= set(cand)
    assert {"rule", "severity", "message", "recommendation"} <= set(data["findings"][0])


def test_summary_round_trips():
    summary = BatchSummary(documents=[SummaryEntry(source="x.pdf", status=Status.failed)])
    assert BatchSummary.model_validate_json(summary.model_dump_json()) == summary


def test_unknown_keys_are_rejected():
    with pytest.raises(ValidationError):
        Problem(code="x", message="y", surprise=1)
