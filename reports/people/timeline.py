"""A person's documents on a timeline: each document classified (contract, offer letter,
amendment, unusable), offers superseded by their contract, and the periods in date order with
the occupation, title and salary in force in each (an amendment splits its contract's period),
with the gaps and overlaps between contracts. Pure: no Prefect, no file writes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from extractors.records import ContractFields, DocumentKind, Status
from matchers.occupation.readings import near_best
from matchers.records import Severity
from matchers.rules.context import E7Facts
from matchers.rules.korean import english_date, korean_date, resolve_particles
from matchers.rules.person import TITLE_RULES, e7_subcategory, period_qualification
from matchers.rules.visa_data import VisaData

if TYPE_CHECKING:
    from matchers.knowledge.load import Knowledge
from reports.people.records import Period, PersonFinding, TimelineIssue
from reports.records import DocumentResult, SummaryEntry

# An offer letter this close to a contract with the same employer is that contract's offer.
OFFER_WINDOW_DAYS = 45


_COMPANY_NOISE = re.compile(r"주식회사|\(주\)|㈜|유한회사|\(유\)|co\.?,?\s*ltd\.?|inc\.?|corp\.?|"
                            r"corporation|company|limited|[\s.,()]", re.IGNORECASE)


@dataclass
class Doc:
    entry: SummaryEntry
    result: DocumentResult | None
    role: str
    start: date | None
    end: date | None
    employer_key: str
    note: str = ""

    @property
    def fields(self) -> ContractFields | None:
        return self.result.fields if self.result else None


@dataclass
class _State:
    employer: str | None
    title: str | None
    title_en: str | None
    code: str | None
    alternatives: tuple[str, ...]
    subcategory: str | None
    annual: int | None
    generic: bool
    audited: bool
    title_doc: Doc  # the document the title comes from (its addendum fixes it)
    sources: list[str]


def knowledge() -> Knowledge:
    from matchers.knowledge.load import load_knowledge

    return load_knowledge()


def employer_key(name: str | None) -> str:
    return _COMPANY_NOISE.sub("", unicodedata.normalize("NFKC", name or "")).casefold()


def iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def classify(entry: SummaryEntry, result: DocumentResult | None) -> Doc:
    if result is None or result.status is Status.failed or result.fields.kind in (
            DocumentKind.not_contract, DocumentKind.blank_template):
        why = "감사 불가 / not audited"
        if result is not None and result.fields.kind is DocumentKind.not_contract:
            why = "계약서 아님 / not a contract"
        return Doc(entry, result, "not_used", None, None, "", why)
    fields = result.fields
    start = iso(fields.contract_start.value) if fields.contract_start.found else None
    end = iso(fields.contract_end.value) if fields.contract_end.found else None
    role = {DocumentKind.amendment: "amendment",
            DocumentKind.offer_letter: "offer_letter"}.get(fields.kind, "contract")
    doc = Doc(entry, result, role, start, end, employer_key(fields.employer.value))
    if start is None:
        doc.role, doc.note = "undated", "적용일 없음 / no effective date"
    return doc


def supersede_offers(docs: list[Doc]) -> None:
    contracts = [d for d in docs if d.role == "contract"]
    for offer in (d for d in docs if d.role == "offer_letter"):
        if any(c.employer_key == offer.employer_key and c.start and offer.start
               and abs((c.start - offer.start).days) <= OFFER_WINDOW_DAYS for c in contracts):
            offer.role, offer.note = "superseded", "계약서로 대체됨 / superseded by the contract"


def code_of(result: DocumentResult) -> tuple[str | None, tuple[str, ...], str | None]:
    occ = result.occupation
    code = occ.recommended_code or (occ.candidates[0].code if occ.candidates else None)
    alternatives: tuple[str, ...] = ()
    for cands in (occ.duties_candidates, occ.candidates):
        alternatives += tuple(near_best(cands))  # readings as plausible as the best one
    sub = occ.recommended_e7_subcategory if occ.recommended_code else None
    return code, alternatives, sub


def _generic(result: DocumentResult) -> bool:
    return any(f.rule in TITLE_RULES and f.severity is Severity.high for f in result.findings)


def _base_state(doc: Doc, kb: E7Facts) -> _State:
    result = doc.result
    assert result is not None
    code, alternatives, sub = code_of(result)
    title = result.fields.job_title
    return _State(
        employer=result.fields.employer.value if result.fields.employer.found else None,
        title=(title.value or title.value_en) if title.found else None,
        title_en=title.value_en if title.found else None,
        code=code, alternatives=alternatives, subcategory=sub or e7_subcategory(code, kb),
        annual=result.fields.salary.annual_krw if result.fields.salary.found else None,
        generic=_generic(result), audited=result.status is not Status.failed,
        title_doc=doc, sources=[doc.entry.source])


def _apply(state: _State, amendment: Doc, kb: E7Facts) -> _State:
    result = amendment.result
    assert result is not None
    fields = result.fields
    new = _State(**{**state.__dict__, "sources": [*state.sources, amendment.entry.source]})
    if fields.job_title.found or fields.duties.found:
        code, alternatives, sub = code_of(result)
        if code:
            new.code, new.alternatives = code, alternatives
            new.subcategory = sub or e7_subcategory(code, kb)
    if fields.job_title.found:
        new.title = fields.job_title.value or fields.job_title.value_en
        new.title_en = fields.job_title.value_en
        new.generic, new.title_doc = _generic(result), amendment
    if fields.salary.found and fields.salary.annual_krw:
        new.annual = fields.salary.annual_krw
    if fields.employer.found and not new.employer:
        new.employer = fields.employer.value
    return new


def _start(doc: Doc) -> date:
    """The start of a contract, offer letter or amendment (`classify` makes a document without
    one "undated")."""
    assert doc.start is not None
    return doc.start


def build_periods(docs: list[Doc], as_of: date, kb: E7Facts,
             visa: VisaData) -> tuple[list[Period], list[tuple[date, date | None, bool, int]],
                                      list[PersonFinding]]:
    """Periods in date order, the contracts' spans (start, end, end assumed, first period
    index) for gaps and overlaps, and findings on amendments without their contract."""
    findings: list[PersonFinding] = []
    bases = sorted((d for d in docs if d.role in ("contract", "offer_letter")),
                   key=lambda d: (d.start, d.entry.source))
    attached: dict[int, list[Doc]] = {id(b): [] for b in bases}
    for amendment in sorted((d for d in docs if d.role == "amendment"),
                            key=lambda d: (d.start, d.entry.source)):
        base = _base_for(amendment, bases)
        if base is None:
            findings.append(PersonFinding(
                rule="person_document_missing", severity=Severity.high,
                document=amendment.entry.source,
                message_ko=resolve_particles(
                    f"{korean_date(_start(amendment))}자 변경계약서가 변경하는 원래 계약서가 없음"),
                message_en=f"the contract amended on {english_date(_start(amendment).isoformat())} "
                           "is not among the documents",
                recommendation_ko="원래 근로계약서를 서류에 추가하십시오.",
                recommendation_en="Add the original employment contract to the documents."))
            amendment.role = "contract"
            bases.append(amendment)
            bases.sort(key=lambda d: (d.start, d.entry.source))
            attached[id(amendment)] = []
        else:
            attached[id(base)].append(amendment)
    periods: list[Period] = []
    spans: list[tuple[date, date | None, bool, int]] = []
    previous: dict[str, _State] = {}
    for i, base in enumerate(bases):
        end, assumed = base.end, False
        if end is None and i + 1 < len(bases):
            end, assumed = _start(bases[i + 1]) - timedelta(days=1), True
        if end is not None and end < _start(base):
            end = _start(base)
        state = _base_state(base, kb)
        if state.title is None and state.code is None and base.employer_key in previous:
            before = previous[base.employer_key]  # a salary agreement: keeps title and duties
            state = _State(**{**before.__dict__, "annual": state.annual or before.annual,
                              "sources": state.sources, "audited": state.audited})
        cuts = sorted(attached[id(base)], key=_start)
        start = _start(base)
        first_index = len(periods) + 1
        for amendment in cuts:
            eff = max(_start(amendment), _start(base))
            if end is not None and eff > end:
                state = _apply(state, amendment, kb)  # after the contract ended: shown, no period
                continue
            if eff > start:
                periods.append(_period(len(periods) + 1, start, eff - timedelta(days=1), True,
                                       state, as_of, visa))
                start = eff
            state = _apply(state, amendment, kb)
        periods.append(_period(len(periods) + 1, start, end, assumed, state, as_of, visa))
        spans.append((_start(base), end, assumed, first_index))
        previous[base.employer_key] = state
    return periods, spans, findings


def _base_for(amendment: Doc, bases: list[Doc]) -> Doc | None:
    earlier = [b for b in bases if _start(b) <= _start(amendment)]
    same = [b for b in earlier if b.employer_key and b.employer_key == amendment.employer_key]
    if same:
        return same[-1]
    unknown = [b for b in earlier if not b.employer_key or not amendment.employer_key]
    return unknown[-1] if unknown else None


def _period(index: int, start: date, end: date | None, assumed: bool, state: _State,
            as_of: date, visa: VisaData) -> Period:
    judged = period_qualification(state.code, state.subcategory, generic_title=state.generic,
                                  audited=state.audited, visa=visa)
    last = min(end, as_of) if end else as_of
    return Period(
        index=index, start=start.isoformat(), end=end.isoformat() if end else None,
        end_assumed=assumed and end is not None, employer=state.employer, title=state.title,
        title_en=state.title_en, code=state.code, code_name_ko=_unit_name(state.code),
        alternative_codes=[c for c in state.alternatives if c != state.code],
        e7_subcategory=state.subcategory, annual_krw=state.annual, documents=state.sources,
        generic_title=state.generic, qualification=judged.qualification,
        reason_ko=resolve_particles(judged.reason_ko), reason_en=judged.reason_en,
        days=max(0, (last - start).days + 1), sponsored_code=None, sponsored_match=None)


def _unit_name(code: str | None) -> str | None:
    if not code:
        return None
    name: str | None = knowledge().name(code)
    return name


def timeline_issues(spans: list[tuple[date, date | None, bool, int]]) -> list[TimelineIssue]:
    issues = []
    for (_s1, e1, _, i1), (s2, _e2, _, i2) in pairwise(spans):
        if e1 is None:
            continue
        if s2 > e1 + timedelta(days=1):
            first, last = e1 + timedelta(days=1), s2 - timedelta(days=1)
            issues.append(TimelineIssue(kind="gap", start=first.isoformat(), end=last.isoformat(),
                                        days=(last - first).days + 1, periods=[i1, i2]))
        elif s2 <= e1:
            issues.append(TimelineIssue(kind="overlap", start=s2.isoformat(), end=e1.isoformat(),
                                        days=(e1 - s2).days + 1, periods=[i1, i2]))
    return issues
