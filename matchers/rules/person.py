"""Visa rules about a person's employment history (not one contract): which periods count as
F-2-7 professional history, the promising-industry fast track on the latest period, and whether
the occupation an E-7 visa was sponsored under is the one the contracts describe.

Pure functions of codes, dates and the packaged reference data; reports.people assembles the
periods and calls them. The rule ids are listed in PERSON_RULES (docs/PEOPLE.md has the table).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from matchers.records import Severity
from matchers.rules.context import E7_WORK_SUBCATEGORIES, E7Facts
from matchers.rules.spec import RuleSpec
from matchers.rules.visa_data import VisaData

F27_SOURCE = "MOJ stay manual 2026.9 pp.365-379 (F-2-7)"
E7_SOURCE = "MOJ stay manual 2026.9 pp.213-215, 232-234 (E-7 occupations judged by KSCO code)"
# Track 3 (전문직 종사자): registered E-1 ... E-7-1 (or D-5 ... D-9) for >= 3 consecutive years.
TRACK3_YEARS = 3
# A change of employer within this many days keeps the history consecutive (the status of stay
# runs on while the change is reported); a longer gap starts a new run.
CONTINUITY_GAP_DAYS = 31
# Titles that read as clerical or generic: the officer reads the title as written.
TITLE_RULES = frozenset({"generic_title", "title_duties_conflict"})


def _spec(rule_id: str, severity: Severity, description: str, source: str) -> RuleSpec:
    return RuleSpec(id=rule_id, severity=severity, description=description, source=source)


PERSON_RULES: list[RuleSpec] = [
    _spec("person_sponsored_mismatch", Severity.high,
          "A period's duties code is neither the KSCO unit nor the E-7 occupation the visa was "
          "sponsored under (manifest); names the period, both codes and their sub-categories.",
          E7_SOURCE),
    _spec("person_generic_title_period", Severity.high,
          "A period's contract titles the person generically or clerically (사무보조원, 직원 ...) "
          "over professional duties and no amendment cures it: the period does not read as "
          "professional history.", f"{F27_SOURCE}; {E7_SOURCE}"),
    _spec("person_period_not_professional", Severity.low,
          "A period's work is E-7-2/E-7-3/E-7-4 or a clerical/service code: it does not count as "
          "F-2-7 professional history.", f"{F27_SOURCE}, applicant tracks (전문직 종사자)"),
    _spec("person_history_short", Severity.medium,
          "The consecutive qualifying history is shorter than the F-2-7 track 3 requirement "
          "(3 years) on the planned filing date; gives the earliest date it would be met.",
          f"{F27_SOURCE}, applicant tracks (전문직 종사자)"),
    _spec("person_timeline_gap", Severity.medium,
          "Two consecutive periods leave days uncovered by any document.", F27_SOURCE),
    _spec("person_timeline_overlap", Severity.medium,
          "Two contracts (not an amendment and its contract) cover the same days.", F27_SOURCE),
    _spec("person_document_missing", Severity.high,
          "A document the manifest lists does not exist, or an amendment's contract is missing.",
          F27_SOURCE),
    _spec("person_document_unusable", Severity.medium,
          "A document of the person could not be audited or states no effective date, so its "
          "period is not on the timeline.", F27_SOURCE),
    _spec("person_fast_track", Severity.low,
          "F-2-7 track 2 on the latest period: promising-industry occupation (IT, BT, NT, new "
          "materials ...) and income of at least 1.5 x GNI per capita of the reference year.",
          f"{F27_SOURCE}, track 2 (유망산업분야)"),
]


class Qualification(StrEnum):
    qualifying = "qualifying"  # counts as professional history
    not_qualifying = "not_qualifying"  # does not count
    unknown = "unknown"  # cannot tell from the documents


@dataclass(frozen=True)
class Judged:
    qualification: Qualification
    reason_ko: str
    reason_en: str


def period_qualification(code: str | None, subcategory: str | None, *, generic_title: bool,
                         audited: bool, visa: VisaData) -> Judged:
    """Whether a period counts as F-2-7 professional history (track 3): E-7-1 work does;
    E-7-2/3/4 work, clerical and service codes, and a generic title not cured by an
    amendment do not; anything else is unknown."""
    if not audited:
        return Judged(Qualification.unknown, "계약서를 감사하지 못함",
                      "the contract could not be audited")
    if code is None:
        return Judged(Qualification.unknown, "업무 내용으로 직업 코드를 정할 수 없음",
                      "the duties give no occupation code")
    if generic_title:
        return Judged(Qualification.not_qualifying,
                      "직위가 포괄적이거나 사무직으로 기재됨(부속합의서로 정정되지 않음)",
                      "the title is generic or clerical (not cured by an amendment)")
    if subcategory in visa.f27.track3_excluded_subcategories:
        return Judged(Qualification.not_qualifying,
                      f"{subcategory} 직종은 전문직 경력에 포함되지 않음",
                      f"{subcategory} work does not count as professional history")
    if subcategory == "E-7-1":
        return Judged(Qualification.qualifying, "E-7-1 전문 직종", "E-7-1 professional occupation")
    if code[:1] not in "12":
        return Judged(Qualification.not_qualifying,
                      f"KSCO {code}은(는) 전문 직종이 아님(사무·서비스·판매 등)",
                      f"KSCO {code} is not a professional occupation (clerical, service, sales ...)")
    return Judged(Qualification.unknown, f"KSCO {code}은(는) E-7-1 목록에 없는 전문 직종",
                  f"KSCO {code} is professional work not on the E-7-1 list")


def e7_subcategory(code: str | None, kb: E7Facts) -> str | None:
    """The E-7 work sub-category (E-7-1 first) a KSCO7 code falls under, if any."""
    if not code:
        return None
    subs = sorted({o.subcategory for o in kb.e7_for_code(code)
                   if o.subcategory in E7_WORK_SUBCATEGORIES})
    return subs[0] if subs else None


def same_occupation(sponsored: str, actual: str, kb: E7Facts,
                    alternatives: tuple[str, ...] = ()) -> bool:
    """True when the duties' code is the sponsored unit, falls under the same E-7 occupation,
    or the sponsored unit is one of the duties' readings as plausible as the best."""
    if sponsored == actual or sponsored in alternatives:
        return True
    ours = {o.seq for o in kb.e7_for_code(actual) if o.scope == "unit"}
    theirs = {o.seq for o in kb.e7_for_code(sponsored) if o.scope == "unit"}
    return bool(ours & theirs)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class History:
    qualifying_days: int  # qualifying days up to `as_of` (overlaps counted once)
    run_days: int  # qualifying days of the consecutive run in force at `as_of` (or the last one)
    run_start: date | None  # first day of that run
    meets: bool  # run_days reach TRACK3_YEARS on `as_of`
    earliest: date | None  # first day the requirement is met, if the documents reach it


def qualifying_history(intervals: list[tuple[date, date | None]], as_of: date) -> History:
    """Qualifying days and the consecutive run from qualifying (start, end) intervals; an open
    end runs on (to `as_of` for the count, indefinitely for the earliest date)."""
    far = date.max - timedelta(days=1)
    spans = sorted((s, e or far) for s, e in intervals if e is None or e >= s)
    merged: list[list[date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    total = sum(_days(s, min(e, as_of)) for s, e in merged)
    runs: list[list[list[date]]] = []
    for span in merged:
        if runs and (span[0] - runs[-1][-1][1]).days - 1 <= CONTINUITY_GAP_DAYS:
            runs[-1].append(span)
        else:
            runs.append([span])
    need = _days(date(2000, 1, 1), add_years(date(2000, 1, 1), TRACK3_YEARS) - timedelta(days=1))
    earliest = None
    for run in runs:
        earliest = _reached(run, need)
        if earliest is not None:
            break
    current = [r for r in runs if r[0][0] <= as_of]
    run = current[-1] if current else []
    run_days = sum(_days(s, min(e, as_of)) for s, e in run)
    return History(qualifying_days=total, run_days=run_days,
                   run_start=run[0][0] if run else None,
                   meets=earliest is not None and earliest <= as_of, earliest=earliest)


def _reached(run: list[list[date]], need: int) -> date | None:
    done = 0
    for start, end in run:
        days = _days(start, end)
        if done + days >= need:
            return start + timedelta(days=need - done - 1)
        done += days
    return None


def _days(start: date, end: date) -> int:
    return max(0, (end - start).days + 1)


class FastTrackVerdict(StrEnum):
    supported = "supported"  # promising field and income at least the threshold
    income_short = "income_short"  # promising field, income under the threshold
    not_promising = "not_promising"  # the occupation is not a promising-industry field
    no_salary = "no_salary"  # promising field, the salary is not stated
    unknown = "unknown"  # no occupation code (or no GNI figure)


@dataclass(frozen=True)
class FastTrackJudged:
    verdict: FastTrackVerdict
    threshold_krw: int | None
    gni_year: int | None
    missing_ko: tuple[str, ...]
    missing_en: tuple[str, ...]


def fast_track(code: str | None, annual_krw: int | None, year: int,
               visa: VisaData) -> FastTrackJudged:
    """F-2-7 track 2 on one period: the field (KSCO proxy) and income >= 1.5 x GNI."""
    gni = visa.gni_reference(year)
    need = round(gni.krw * visa.f27.fast_track_gni_multiple) if gni else None
    gni_year = gni.year if gni else None
    multiple = f"{visa.f27.fast_track_gni_multiple:g}"
    if code is None or need is None:
        return FastTrackJudged(FastTrackVerdict.unknown, need, gni_year,
                               ("최근 계약의 직업 코드 확인",), ("the latest period's occupation code",))
    missing_ko: list[str] = []
    missing_en: list[str] = []
    promising = code in visa.promising_codes
    if not promising:
        missing_ko.append(f"유망산업분야(IT·BT·NT·신소재 등) 직종이 아님(KSCO {code})")
        missing_en.append(f"not a promising-industry occupation (IT, BT, NT, new materials ...; "
                          f"KSCO {code})")
    if annual_krw is None:
        missing_ko.append("연봉 기재 없음")
        missing_en.append("no salary stated")
    elif annual_krw < need:
        short = need - annual_krw
        missing_ko.append(f"소득이 {gni_year}년 1인당 GNI의 {multiple}배({need:,}원)에 "
                          f"{short:,}원 부족")
        missing_en.append(f"income KRW {short:,} short of {multiple} x GNI per capita "
                          f"{gni_year} (KRW {need:,})")
    if promising:
        missing_ko.append("고용 기업의 업종(첨단기술 분야) 확인")
        missing_en.append("confirm the employer's industry (high-tech field)")
    if not promising:
        verdict = FastTrackVerdict.not_promising
    elif annual_krw is None:
        verdict = FastTrackVerdict.no_salary
    elif annual_krw < need:
        verdict = FastTrackVerdict.income_short
    else:
        verdict = FastTrackVerdict.supported
    return FastTrackJudged(verdict, need, gni_year, tuple(missing_ko), tuple(missing_en))
