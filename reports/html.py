"""Per-document HTML report: view model built from a DocumentResult, rendered with jinja2."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import PurePosixPath

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from extractors.fields.registry import FIELDS, FieldSpec, value_fields
from extractors.records import FieldValue, SalaryField, Status, TitleField
from matchers.records import Finding, FindingEvidence, OccupationCandidate, Severity
from reports.records import DocumentResult, Verdict
from reports.verdict import is_informational, rule_name, verdict_line

log = logging.getLogger(__name__)

TOP_CANDIDATES = 5
SEVERITY_RANK = {Severity.high: 0, Severity.medium: 1, Severity.low: 2}
SEVERITY_LABELS = {Severity.high: "높음 / High", Severity.medium: "보통 / Medium", Severity.low: "낮음 / Low"}
STATUS_LABELS = {Status.success: "성공 / Success", Status.partial: "부분 / Partial",
                 Status.failed: "실패 / Failed"}
PERIOD_KO = {"monthly": "월", "annual": "연", "hourly": "시급", "daily": "일급", "weekly": "주급"}


@dataclass(frozen=True)
class Crop:
    """A picture of the page region holding a scanned value, ready to inline in HTML."""

    data_uri: str  # data:image/png;base64,...
    page: int  # 1-based page the crop comes from
    redacted: int = 0  # words blacked out because they held identifiers


@dataclass(frozen=True)
class FieldRow:
    key: str
    label_ko: str
    label_en: str
    found: bool
    value: str
    details: list[str]
    page: int | None
    route: str | None
    confidence: str
    snippet: str | None
    crop: Crop | None = None


@dataclass(frozen=True)
class FindingView:
    """A finding as the report shows it: human names first, the rule id in small print."""

    rule: str
    name_ko: str
    name_en: str
    severity: Severity
    message_ko: str
    message_en: str
    recommendation_ko: str
    recommendation_en: str
    evidence: list[FindingEvidence]


@dataclass(frozen=True)
class DocumentView:
    result: DocumentResult
    file_name: str
    status_label: str
    verdict: Verdict
    verdict_line: str
    fields: list[FieldRow]
    candidates: list[OccupationCandidate]
    findings: list[FindingView]  # findings that need action or review, most severe first
    notes: list[FindingView]  # informational F-2-7 notes, shown together in one low section
    generated_at: str
    severity_labels: dict[Severity, str] = field(default_factory=lambda: dict(SEVERITY_LABELS))
    # "Korean / English" name of every registry field, for the fields shown outside the table
    captions: dict[str, str] = field(default_factory=dict)


@cache
def environment() -> Environment:
    """The jinja2 environment; autoescape is on for every template, whatever its suffix."""
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["krw"] = format_krw
    env.globals["csp_hash"] = csp_hash
    return env


def render_document_html(
    result: DocumentResult, *, crops: dict[str, Crop] | None = None, extra_css: str = "",
    generated_at: str | None = None, registry: tuple[FieldSpec, ...] = FIELDS,
) -> str:
    """Return the full HTML report of one document (the PDF renders this same HTML)."""
    view = document_view(result, crops=crops or {}, generated_at=generated_at, registry=registry)
    template = environment().get_template("document.html.j2")
    return template.render(v=view, r=result, extra_css=extra_css, css=stylesheet())


def document_view(
    result: DocumentResult, *, crops: dict[str, Crop], generated_at: str | None = None,
    registry: tuple[FieldSpec, ...] = FIELDS,
) -> DocumentView:
    """The report's view of `result`; its field table holds the registry's value fields, in the
    registry's order."""
    verdict = result.verdict or _judged(result).verdict
    assert verdict is not None  # with_verdict fills it in
    ordered = [finding_view(f) for f in sort_findings(result.findings)]
    return DocumentView(
        result=result,
        file_name=display_name(result.document.path),
        status_label=STATUS_LABELS[result.status],
        verdict=verdict,
        verdict_line=verdict_line(verdict),
        fields=[field_row(result, s.name, s.label_ko, s.label_en, crops.get(s.name))
                for s in value_fields(registry)],
        candidates=result.occupation.candidates[:TOP_CANDIDATES],
        findings=[f for f in ordered if not is_informational(f.rule)],
        notes=[f for f in ordered if is_informational(f.rule)],
        generated_at=generated_at or now_iso(),
        captions={s.name: f"{s.label_ko} / {s.label_en}" for s in registry},
    )


def _judged(result: DocumentResult) -> DocumentResult:
    from reports.audit import with_verdict

    return with_verdict(result)


def finding_view(finding: Finding) -> FindingView:
    name = rule_name(finding.rule)
    return FindingView(
        rule=finding.rule, name_ko=name.ko, name_en=name.en, severity=finding.severity,
        message_ko=finding.message_ko or finding.message,  # particles resolved by make_finding
        message_en=finding.message,
        recommendation_ko=finding.recommendation_ko,
        recommendation_en=finding.recommendation, evidence=list(finding.evidence),
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first; the rules' own order is kept within one severity."""
    return sorted(findings, key=lambda f: SEVERITY_RANK[f.severity])


def field_row(result: DocumentResult, key: str, ko: str, en: str, crop: Crop | None) -> FieldRow:
    value: FieldValue = getattr(result.fields, key)
    return FieldRow(
        key=key, label_ko=ko, label_en=en, found=value.found,
        value=display_value(value), details=value_details(value),
        page=value.page, route=value.route.value if value.route else None,
        confidence=f"{value.confidence:.0%}" if value.found else "",
        snippet=value.snippet, crop=crop,
    )


def display_value(value: FieldValue) -> str:
    if not value.found or value.value is None:
        return "기재 없음 / not stated"
    if isinstance(value, TitleField) and value.value_en and value.value_en not in value.value:
        return f"{value.value} / {value.value_en}"
    return value.value


def value_details(value: FieldValue) -> list[str]:
    if isinstance(value, TitleField) and value.rank:
        return [f"직급 / rank: {value.rank}"]
    if isinstance(value, SalaryField):
        return salary_details(value)
    return []


def salary_details(salary: SalaryField) -> list[str]:
    out = []
    if salary.amount_krw is not None and salary.period:
        out.append(f"{PERIOD_KO[salary.period.value]} {format_krw(salary.amount_krw)} ({salary.period.value})")
    if salary.annual_krw is not None:
        note = f" — {salary.assumption}" if salary.assumption else ""
        out.append(f"연봉 환산 / annual: {format_krw(salary.annual_krw)}{note}")
    out += [f"{c.name}: {format_krw(c.amount_krw)} ({c.period.value})" for c in salary.components]
    if salary.inclusive_wage:
        out.append("포괄임금 조항 있음 / inclusive-wage clause")
    return out


def format_krw(amount: int | None) -> str:
    return "" if amount is None else f"{amount:,}원"


def display_name(path: str) -> str:
    """The input's base name for headings (the full path may hold folders of other people)."""
    return PurePosixPath(path.replace("\\", "/")).name or path


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def csp_hash(script: str) -> str:
    """Content-Security-Policy source for one inline script, so no other script can run."""
    import base64

    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@cache
def stylesheet() -> str:
    """The shared screen stylesheet, inlined so reports open offline as single files."""
    return environment().loader.get_source(environment(), "report.css")[0]  # type: ignore[union-attr]
