"""The result of one document's audit: an extraction matched, judged by the visa rules and
assembled with its verdict (`analyse_extraction`), or a failed result for a file that could not
be audited (`failed_result`). The one module running a document is flows.documents."""

from __future__ import annotations

import hashlib
import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from extractors.records import DocumentRef, Extraction, PageText, Problem, Status
from matchers.records import AddendumDraft, Finding, OccupationMatch, Severity
from reports.records import DocumentResult, PageSummary

log = logging.getLogger(__name__)

# Problems that mean there is nothing to audit, even though the file itself was readable.
FATAL_PROBLEM_CODES = frozenset({"not_a_contract", "blank_template"})
_SEVERITY_ORDER = {Severity.high: 0, Severity.medium: 1, Severity.low: 2}


def pipeline_version() -> str:
    """Installed ksoc-audit version (part of every cache key)."""
    try:
        return version("ksoc-audit")
    except PackageNotFoundError:
        return "0+unknown"


def reference_version() -> str:
    """Version of the packaged reference data: KSCO tables and E-7 list, plus visa thresholds
    (from their manifest and files: the knowledge itself is not loaded)."""
    from matchers.versions import knowledge_version, visa_data_version

    return f"{knowledge_version()}+{visa_data_version()}"


def analyse_extraction(extraction: Extraction, *, client: str | None = None) -> DocumentResult:
    """Match, apply the rules and assemble the result for an extraction."""
    problems = list(extraction.problems)
    if any(p.fatal or p.code in FATAL_PROBLEM_CODES for p in problems):
        return _result(extraction, Status.failed, problems, client=client)
    match, findings, addendum = _judge(extraction)
    status = Status.partial if problems else Status.success
    return _result(
        extraction, status, problems, client=client,
        match=match, findings=findings, addendum=addendum,
    )


def failed_result(
    path: Path, code: str, message: str, *, client: str | None = None, page: int | None = None,
    sha256: str | None = None,
) -> DocumentResult:
    """A failed result for a file that could not be audited at all (`sha256`: its hash when
    the caller has it; else the file is hashed here)."""
    doc = DocumentRef(
        path=str(path), sha256=file_sha256(path) if sha256 is None else sha256,
        media_type="unknown",
        size_bytes=path.stat().st_size if path.exists() else 0,
    )
    problem = Problem(code=code, message=message, page=page, fatal=True)
    return with_verdict(DocumentResult(
        status=Status.failed, document=doc, problems=[problem], client=client,
        pipeline_version=pipeline_version(), reference_version=reference_version(),
    ))


def file_sha256(path: Path) -> str:
    """Content hash of a file, streamed; empty string when the file is unreadable."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def summarise_page(page: PageText) -> PageSummary:
    """Page metadata for the result; the text itself stays out of outputs."""
    return PageSummary(
        page=page.page, route=page.route, reason=page.reason,
        confidence=page.confidence, chars=len(page.text), seconds=round(page.seconds, 3),
        layout=page.layout,
    )


def _judge(extraction: Extraction
           ) -> tuple[OccupationMatch, list[Finding], AddendumDraft | None]:
    from matchers.occupation.match import match_occupation
    from matchers.rules import evaluate_rules
    from matchers.rules.addendum import draft_addendum

    fields = extraction.fields
    match = match_occupation(fields)
    findings = sorted(evaluate_rules(fields, match), key=lambda f: _SEVERITY_ORDER[f.severity])
    return match, findings, draft_addendum(fields, match, findings)


def _result(
    extraction: Extraction,
    status: Status,
    problems: list[Problem],
    *,
    client: str | None,
    match: OccupationMatch | None = None,
    findings: list[Finding] | None = None,
    addendum: AddendumDraft | None = None,
) -> DocumentResult:
    return with_verdict(DocumentResult(
        status=status,
        document=extraction.document,
        pages=[summarise_page(p) for p in extraction.pages],
        fields=extraction.fields,
        occupation=match or OccupationMatch(),
        findings=findings or [],
        addendum=addendum,
        problems=problems,
        client=client,
        pipeline_version=pipeline_version(),
        reference_version=reference_version(),
    ))


def with_verdict(result: DocumentResult) -> DocumentResult:
    """`result` with its verdict, worst severity and recommended code filled in (results read
    from an older cache get them too)."""
    from reports.verdict import judge, recommend_code, worst_severity

    if result.status is Status.failed:
        occupation = result.occupation
    else:
        occupation = recommend_code(result.occupation, result.findings, result.addendum)
    verdict = judge(result.status, result.findings, occupation, result.addendum)
    return result.model_copy(update={"occupation": occupation, "verdict": verdict,
                                     "worst_severity": worst_severity(result.findings)})
