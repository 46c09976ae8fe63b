"""A person's findings: sponsored occupation against the contracts', periods that are not
professional work, gaps and overlaps, unusable or missing documents, and the F-2-7 judgements
(the professional history of track 3, the promising-industry fast track). Pure: no Prefect, no
file writes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from extractors.records import DocumentKind
from matchers.records import Severity
from matchers.rules.context import E7Facts
from matchers.rules.korean import english_date, korean_date, resolve_particles
from matchers.rules.person import (
    TRACK3_YEARS,
    FastTrackVerdict,
    Qualification,
    fast_track,
    qualifying_history,
    same_occupation,
)
from matchers.rules.visa_data import VisaData
from reports.people.manifest import ManifestRow
from reports.people.records import (
    F27History,
    FastTrack,
    Period,
    PersonFinding,
    Sponsorship,
    TimelineIssue,
)
from reports.people.timeline import Doc, iso


def _label_ko(p: Period) -> str:
    end = korean_date(p.end) if p.end else "현재"
    return f"{korean_date(p.start)}~{end} {p.employer or '사업체 미상'}"


def _label_en(p: Period) -> str:
    end = english_date(p.end) if p.end else "now"
    return f"{english_date(p.start)} - {end}, {p.employer or 'employer unknown'}"


def _covering(sponsorships: list[Sponsorship], p: Period) -> Sponsorship | None:
    start, end = p.start, p.end or "9999-12-31"
    rows = [s for s in sponsorships if (s.sponsored_code or s.sponsored_subcategory)
            and (s.visa_start or "0000") <= end and (s.visa_end or "9999") >= start]
    return rows[-1] if rows else None


def compare_sponsored(periods: list[Period], sponsorships: list[Sponsorship], kb: E7Facts,
                       findings: list[PersonFinding]) -> None:
    for i, p in enumerate(periods):
        row = _covering(sponsorships, p)
        if row is None or p.code is None:
            continue
        if row.sponsored_code:
            match = same_occupation(row.sponsored_code, p.code, kb, tuple(p.alternative_codes))
        else:
            match = p.e7_subcategory == row.sponsored_subcategory
        periods[i] = p.model_copy(update={"sponsored_code": row.sponsored_code,
                                          "sponsored_match": match})
        if match:
            continue
        ours = f"KSCO {p.code} {p.code_name_ko or ''}".strip() + f" ({p.e7_subcategory or 'E-7 외'})"
        ours_en = f"KSCO {p.code} ({p.e7_subcategory or 'not E-7'})"
        if row.sponsored_code:
            theirs = (f"KSCO {row.sponsored_code} {row.sponsored_name_ko or ''}".strip()
                      + f" ({row.sponsored_subcategory or 'E-7 외'})")
            theirs_en = f"KSCO {row.sponsored_code} ({row.sponsored_subcategory or 'not E-7'})"
        else:
            theirs, theirs_en = row.sponsored_subcategory or "", row.sponsored_subcategory or ""
        same_sub = p.e7_subcategory == row.sponsored_subcategory
        findings.append(PersonFinding(
            rule="person_sponsored_mismatch", severity=Severity.high, period=p.index,
            codes=[c for c in (row.sponsored_code, p.code) if c],
            message_ko=resolve_particles(
                f"{_label_ko(p)}: 초청(신청) 직종 {theirs}과(와) 계약서 업무의 직종 {ours}이(가) "
                f"다름" + (" (세부 자격은 같음)" if same_sub else " (세부 자격도 다름)")),
            message_en=f"{_label_en(p)}: the visa was sponsored as {theirs_en}, the contract's "
                       f"duties read as {ours_en}"
                       + (" (same sub-category)" if same_sub else " (different sub-category)"),
            recommendation_ko="실제 업무가 계약서와 같다면 근무처·직종 변경 허가(신고) 여부를 확인하고, "
                              "계약서 기재가 실제와 다르면 업무 내용을 정정하는 부속합의서를 작성하십시오.",
            recommendation_en="If the contract describes the real work, check that the change of "
                              "occupation was permitted or reported; if it misstates the work, "
                              "correct the duties by an addendum."))


def period_findings(periods: list[Period], docs: list[Doc]) -> list[PersonFinding]:
    out = []
    for p in periods:
        if p.qualification is not Qualification.not_qualifying:
            continue
        if p.generic_title:
            out.append(PersonFinding(
                rule="person_generic_title_period", severity=Severity.high, period=p.index,
                document=p.documents[0] if p.documents else None,
                codes=[p.code] if p.code else [],
                message_ko=resolve_particles(
                    f"{_label_ko(p)}: 직위 '{p.title or ''}'은(는) 업무 내용"
                    f"(KSCO {p.code} {p.code_name_ko or ''})과 맞지 않아 이 기간이 전문직 경력으로 "
                    "인정되지 않을 수 있음"),
                message_en=f"{_label_en(p)}: the title '{p.title_en or p.title or ''}' does not "
                           f"describe the duties (KSCO {p.code}); the period may not count as "
                           "professional history",
                recommendation_ko="실제 직위와 업무를 적은 직위 정정 부속합의서를 작성해 서명하십시오.",
                recommendation_en="Have the parties sign an addendum stating the real title and "
                                  "duties."))
        else:
            out.append(PersonFinding(
                rule="person_period_not_professional", severity=Severity.low, period=p.index,
                codes=[p.code] if p.code else [],
                message_ko=f"{_label_ko(p)}: {p.reason_ko}",
                message_en=f"{_label_en(p)}: {p.reason_en}",
                recommendation_ko="이 기간은 F-2-7 전문직 경력에 포함하지 마십시오.",
                recommendation_en="Leave this period out of the F-2-7 professional history."))
    return out


ISSUE_TEXT = {  # kind: message (ko, en) of its span, recommendation (ko, en)
    "gap": ("{ko} 동안 근무를 보여 주는 서류가 없음", "no document covers {en}",
            "해당 기간의 근로계약서나 경력증명서를 확보하거나 공백 사유를 확인하십시오.",
            ("Obtain the contract or a certificate of employment for the gap, or record why "
             "there is one.")),
    "overlap": ("{ko} 동안 두 계약이 겹침", "two contracts cover {en}",
                "앞 계약의 실제 종료일(퇴직일)을 확인하고 이중 고용이 아니었음을 확인하십시오.",
                ("Confirm the earlier contract's real end date and that there was no double "
                 "employment.")),
}


def issue_findings(issues: list[TimelineIssue]) -> list[PersonFinding]:
    out = []
    for issue in issues:
        kind = "gap" if issue.kind == "gap" else "overlap"
        message_ko, message_en, recommendation_ko, recommendation_en = ISSUE_TEXT[kind]
        span_ko = f"{korean_date(issue.start)}~{korean_date(issue.end)}({issue.days}일)"
        span_en = f"{english_date(issue.start)} - {english_date(issue.end)} ({issue.days} days)"
        out.append(PersonFinding(
            rule=f"person_timeline_{kind}", severity=Severity.medium, period=issue.periods[1],
            message_ko=message_ko.format(ko=span_ko), message_en=message_en.format(en=span_en),
            recommendation_ko=recommendation_ko, recommendation_en=recommendation_en))
    return out


def document_findings(docs: list[Doc], rows: list[ManifestRow]) -> list[PersonFinding]:
    out = []
    if not docs:
        out.append(PersonFinding(
            rule="person_document_missing", severity=Severity.high,
            message_ko="이 사람의 근로계약서가 하나도 없음",
            message_en="no employment contract of this person was found",
            recommendation_ko="근로계약서와 변경계약서를 사람별 폴더에 넣거나 명단의 서류 열에 적으십시오.",
            recommendation_en="Put the contracts and amendments in the person's folder or list "
                              "them in the manifest's documents column."))
    for d in docs:
        if d.role in ("not_used", "undated"):
            reason = ("적용일(계약 시작일)이 없음", "it states no effective date") if d.role == "undated" \
                else ("감사할 수 없음", "it could not be audited")
            if d.result is not None and d.result.fields.kind is DocumentKind.not_contract:
                reason = ("근로계약서가 아님", "it is not an employment contract")
            out.append(PersonFinding(
                rule="person_document_unusable", severity=Severity.medium, document=d.entry.source,
                message_ko=resolve_particles(f"서류 '{Path(d.entry.source).name}'은(는) {reason[0]}"),
                message_en=f"the document '{Path(d.entry.source).name}': {reason[1]}",
                recommendation_ko="판독 가능한 사본이나 적용일이 적힌 서류로 바꾸십시오.",
                recommendation_en="Replace it with a readable copy that states its effective date."))
    for row in rows:
        for _ in range(row.missing_files):
            out.append(PersonFinding(
                rule="person_document_missing", severity=Severity.high,
                message_ko=f"명단 {row.row}행에 적힌 서류 파일이 없음",
                message_en=f"a document listed in manifest row {row.row} does not exist",
                recommendation_ko="빠진 서류를 폴더에 넣거나 명단의 파일명을 고치십시오.",
                recommendation_en="Add the missing document or correct the file name in the "
                                  "manifest."))
    return out


def f27_history(periods: list[Period], as_of: date, visa: VisaData) -> F27History:
    intervals = [(date.fromisoformat(p.start), iso(p.end)) for p in periods
                 if p.qualification is Qualification.qualifying]
    history = qualifying_history(intervals, as_of)
    latest = _latest(periods, as_of)
    waiver = bool(latest and latest.annual_krw and latest.qualification is Qualification.qualifying
                  and latest.annual_krw >= visa.f27.track3_income_waiver_krw)
    by = {q: [p.index for p in periods if p.qualification is q] for q in Qualification}
    return F27History(
        as_of=as_of.isoformat(), required_years=TRACK3_YEARS,
        qualifying_days=history.qualifying_days,
        qualifying_years=round(history.qualifying_days / 365.25, 2),
        consecutive_days=history.run_days, consecutive_years=round(history.run_days / 365.25, 2),
        meets_requirement=history.meets,
        earliest_qualifying_date=history.earliest.isoformat() if history.earliest else None,
        income_waiver=waiver, qualifying_periods=by[Qualification.qualifying],
        not_qualifying_periods=by[Qualification.not_qualifying],
        unknown_periods=by[Qualification.unknown])


def _latest(periods: list[Period], as_of: date) -> Period | None:
    started = [p for p in periods if p.start <= as_of.isoformat()]
    current = [p for p in started if p.end is None or p.end >= as_of.isoformat()]
    pool = current or started or periods
    return pool[-1] if pool else None


def history_short(f27: F27History, as_of: date) -> PersonFinding:
    if f27.earliest_qualifying_date:
        when_ko = resolve_particles(
            f"서류상 {korean_date(f27.earliest_qualifying_date)}부터 요건을 충족함")
        when_en = f"the documents reach it on {english_date(f27.earliest_qualifying_date)}"
        fix_ko = f"F-2-7 신청일을 {korean_date(f27.earliest_qualifying_date)} 이후로 잡으십시오."
        fix_en = f"Plan the F-2-7 filing on or after {english_date(f27.earliest_qualifying_date)}."
    else:
        when_ko, when_en = "현재 서류로는 요건에 이르지 못함", "the documents do not reach it"
        fix_ko = "전문직 경력을 보여 주는 서류를 보완하거나 다른 신청 유형을 검토하십시오."
        fix_en = "Add documents showing professional work, or consider another F-2-7 track."
    if f27.income_waiver:  # track 3's stay requirement is waived at this income: a note only
        when_ko += "; 다만 연간 소득 4천만 원 이상으로 3년 체류 요건이 면제될 수 있음"
        when_en += "; the 3-year stay is waived at an annual income of KRW 40M or more"
        fix_ko = "소득금액증명으로 소득 요건(4천만 원 이상)을 입증하십시오."
        fix_en = "Prove the income (KRW 40M or more) with the tax office's income certificate."
    return PersonFinding(
        rule="person_history_short", severity=Severity.low if f27.income_waiver else Severity.medium,
        message_ko=f"{korean_date(as_of)} 기준 연속 전문직 경력 {f27.consecutive_years:.2f}년"
                   f"(요건 {f27.required_years}년); {when_ko}",
        message_en=f"consecutive professional history on {english_date(as_of.isoformat())}: "
                   f"{f27.consecutive_years:.2f} years (required {f27.required_years}); {when_en}",
        recommendation_ko=fix_ko, recommendation_en=fix_en)


def latest_fast_track(periods: list[Period], as_of: date, visa: VisaData) -> FastTrack:
    latest = _latest(periods, as_of)
    if latest is None:
        return FastTrack(verdict=FastTrackVerdict.unknown, missing_ko=["계약서 없음"],
                         missing_en=["no contract"])
    judged = fast_track(latest.code, latest.annual_krw, as_of.year, visa)
    return FastTrack(verdict=judged.verdict, period=latest.index, code=latest.code,
                     annual_krw=latest.annual_krw, threshold_krw=judged.threshold_krw,
                     gni_year=judged.gni_year, missing_ko=list(judged.missing_ko),
                     missing_en=list(judged.missing_en))


FAST_TRACK_TEXT = {
    FastTrackVerdict.supported: ("유망산업분야 요건 충족 가능", "fast track supported"),
    FastTrackVerdict.income_short: ("유망산업 직종이나 소득 부족", "promising field, income short"),
    FastTrackVerdict.not_promising: ("유망산업분야 직종 아님", "not a promising-industry occupation"),
    FastTrackVerdict.no_salary: ("유망산업 직종이나 연봉 기재 없음", "promising field, no salary stated"),
    FastTrackVerdict.unknown: ("판단 불가", "cannot tell"),
}


def fast_track_finding(fast: FastTrack) -> PersonFinding:
    ko, en = FAST_TRACK_TEXT[fast.verdict]
    missing_ko = "; ".join(fast.missing_ko)
    missing_en = "; ".join(fast.missing_en)
    return PersonFinding(
        rule="person_fast_track", severity=Severity.low, period=fast.period,
        codes=[fast.code] if fast.code else [],
        message_ko=f"F-2-7 유망산업분야(최근 기간): {ko}" + (f" — {missing_ko}" if missing_ko else ""),
        message_en=f"F-2-7 promising-industry track (latest period): {en}"
                   + (f" — {missing_en}" if missing_en else ""))
