"""One person's employment history from their audited documents and manifest rows.

    record = build_person(PersonInput(...), as_of=date(2027, 3, 1))

Documents are ordered by effective date (a contract's start, an amendment's 적용일); each
contract opens a period that lasts to its written end (else to the next contract); an amendment
(변경계약서) overrides the title, duties and salary of the contract it amends from its effective
date, which splits that contract's period; a salary agreement that states no title or duties
keeps those of the previous period with the same employer (reports.people.timeline); the
findings and F-2-7 judgements on those periods come from reports.people.findings; here, the
person's fixes and verdict. Pure: no Prefect, no file writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from matchers.records import Severity
from matchers.rules.context import E7Facts
from matchers.rules.korean import resolve_particles
from matchers.rules.person import Qualification
from matchers.rules.visa_data import VisaData
from reports.paths import document_base
from reports.people.findings import (
    compare_sponsored,
    document_findings,
    f27_history,
    fast_track_finding,
    history_short,
    issue_findings,
    latest_fast_track,
    period_findings,
)
from reports.people.manifest import ManifestRow
from reports.people.records import (
    F27History,
    FixItem,
    Period,
    PersonDocument,
    PersonFinding,
    PersonRecord,
    PersonVerdict,
    Sponsorship,
)
from reports.people.timeline import (
    Doc,
    build_periods,
    classify,
    code_of,
    knowledge,
    supersede_offers,
    timeline_issues,
)
from reports.records import DocumentResult, SummaryEntry, VerdictKind

SEVERITY_ORDER = {Severity.high: 0, Severity.medium: 1, Severity.low: 2}


@dataclass
class PersonInput:
    person_id: str  # folder name, or the manifest's employee id / name
    name: str | None = None
    client: str | None = None
    employee_id: str | None = None
    nationality: str | None = None
    documents: list[tuple[SummaryEntry, DocumentResult | None]] = field(default_factory=list)
    rows: list[ManifestRow] = field(default_factory=list)


def build_person(person: PersonInput, *, as_of: date | None = None,
                 kb: E7Facts | None = None, visa: VisaData | None = None,
                 pipeline_version: str = "", reference_version: str = "") -> PersonRecord:
    """The person record; `as_of` defaults to the planned filing date, else today."""
    kb = kb or knowledge()
    visa = visa or _visa()
    sponsorships = [r.sponsorship for r in person.rows if r.sponsorship is not None]
    filing = _planned_filing(sponsorships)
    as_of = as_of or (date.fromisoformat(filing) if filing else date.today())
    findings: list[PersonFinding] = []
    docs = [classify(entry, result) for entry, result in person.documents]
    supersede_offers(docs)
    periods, bases, orphan_findings = build_periods(docs, as_of, kb, visa)
    findings += orphan_findings
    issues = timeline_issues(bases)
    compare_sponsored(periods, sponsorships, kb, findings)
    findings += period_findings(periods, docs)
    findings += issue_findings(issues)
    findings += document_findings(docs, person.rows)
    f27 = f27_history(periods, as_of, visa)
    if not f27.meets_requirement and periods:
        findings.append(history_short(f27, as_of))
    fast = latest_fast_track(periods, as_of, visa)
    findings.append(fast_track_finding(fast))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.period or 0))
    fixes = _fixes(findings, docs, filing)
    latest = sponsorships[-1] if sponsorships else None
    return PersonRecord(
        person_id=person.person_id, name=person.name, employee_id=person.employee_id,
        nationality=person.nationality, client=person.client,
        status_of_stay=next((s.status_of_stay for s in reversed(sponsorships)
                             if s.status_of_stay), None) if latest else None,
        planned_filing_date=filing, sponsorships=sponsorships,
        documents=[_document_record(d, periods) for d in docs], periods=periods,
        timeline_issues=issues, findings=findings, f27=f27, fast_track=fast, fixes=fixes,
        verdict=_verdict(findings, periods, fixes, f27),
        manifest_problems=[p for r in person.rows for p in r.problems],
        pipeline_version=pipeline_version, reference_version=reference_version)


def _visa() -> VisaData:
    from matchers.rules.visa_data import load_visa_data

    return load_visa_data()


def _planned_filing(sponsorships: list[Sponsorship]) -> str | None:
    dates = [s.planned_filing_date for s in sponsorships if s.planned_filing_date]
    return dates[-1] if dates else None


def _fixes(findings: list[PersonFinding], docs: list[Doc], deadline: str | None) -> list[FixItem]:
    by_source = {d.entry.source: d for d in docs}
    items: list[FixItem] = []
    for f in findings:
        if f.severity is Severity.low:
            continue
        doc = by_source.get(f.document) if f.document else None
        draft = doc.result.addendum if doc and doc.result and doc.result.addendum else None
        addendum = None
        if draft is not None and doc is not None:
            addendum = (Path(document_base(doc.entry.source, doc.entry.sha256, doc.entry.client))
                        .as_posix() + ".addendum.docx")
        action_ko = f"{f.message_ko} — {f.recommendation_ko}" if f.recommendation_ko else f.message_ko
        action_en = f"{f.message_en} — {f.recommendation_en}" if f.recommendation_en else f.message_en
        if f.rule == "person_generic_title_period" and draft is not None:
            action_ko += resolve_particles(f" (초안: 직위를 '{draft.title_ko}'(으)로 정정)")
            action_en += f" (draft: retitle as '{draft.title_en or draft.title_ko}')"
        items.append(FixItem(
            order=len(items) + 1, severity=f.severity, rule=f.rule, period=f.period,
            document=f.document, action_ko=action_ko, action_en=action_en,
            draft_ko=draft.text_ko if draft else None, draft_en=draft.text_en if draft else None,
            addendum=addendum, deadline=deadline))
    return items


def _verdict(findings: list[PersonFinding], periods: list[Period], fixes: list[FixItem],
             f27: F27History) -> PersonVerdict:
    if fixes:
        first = fixes[0]
        n = len(fixes)
        return PersonVerdict(
            kind=VerdictKind.action_needed, label_ko="조치 필요", label_en="Action needed",
            next_action_ko=f"신청 전 정정 {n}건: {first.action_ko}",
            next_action_en=f"{n} fix(es) before filing: {first.action_en}")
    if not periods or any(p.qualification is Qualification.unknown for p in periods):
        return PersonVerdict(
            kind=VerdictKind.review, label_ko="검토 필요", label_en="Review",
            next_action_ko="판단할 수 없는 기간의 직종을 확인하십시오.",
            next_action_en="Confirm the occupation of the periods that could not be judged.")
    ready_ko = "F-2-7 전문직 경력 요건 충족: 정정할 사항 없음"
    ready_en = "F-2-7 professional history met: nothing to fix"
    if f27.income_waiver and not f27.meets_requirement:
        ready_ko = "소득 요건으로 3년 체류 요건 면제 가능: 정정할 사항 없음"
        ready_en = "3-year stay waived by income: nothing to fix"
    return PersonVerdict(kind=VerdictKind.no_action, label_ko="문제 없음", label_en="No action",
                         next_action_ko=ready_ko, next_action_en=ready_en)


def _document_record(doc: Doc, periods: list[Period]) -> PersonDocument:
    result = doc.result
    entry = doc.entry
    report = str(Path(entry.result).with_suffix(".html").as_posix()) if entry.result else None
    addendum = None
    if result is not None and result.addendum is not None:
        addendum = Path(document_base(entry.source, entry.sha256, entry.client)).as_posix() \
            + ".addendum.docx"
    code = None
    title = None
    if result is not None:
        code = code_of(result)[0]
        t = result.fields.job_title
        title = (t.value or t.value_en) if t.found else None
    return PersonDocument(
        source=entry.source, sha256=entry.sha256, result=entry.result, report=report,
        addendum=addendum, role=doc.role, status=entry.status,
        verdict=result.verdict.kind if result is not None and result.verdict else entry.verdict,
        employer=result.fields.employer.value if result and result.fields.employer.found else None,
        effective_date=doc.start.isoformat() if doc.start else None,
        end_date=doc.end.isoformat() if doc.end else None, title=title, code=code, note=doc.note)
