"""The person record: one person's documents, timeline and F-2-7 outlook (people/<id>.json)."""

from __future__ import annotations

from pydantic import Field

from extractors.records import Record, Status
from matchers.records import Severity
from matchers.rules.person import FastTrackVerdict, Qualification
from reports.records import VerdictKind

PERSON_SCHEMA_VERSION = "1.0"


class ManifestProblem(Record):
    row: int  # spreadsheet row number (the header row is 1; 0: the file as a whole)
    code: str  # unknown_status | bad_date | missing_file | bad_code | no_person | unreadable
    column: str | None = None  # the manifest column concerned (normalised key)
    message: str  # what is wrong; never a person's name or identifier


class Sponsorship(Record):
    """One manifest row: a visa period and what it was sponsored under."""

    row: int  # spreadsheet row number
    status_of_stay: str | None = None  # normalised, e.g. "E-7-1", "D-10", "F-2-7"
    sponsored_as_written: str | None = None  # the cell as HR wrote it
    sponsored_code: str | None = None  # KSCO7 4-digit unit it resolves to
    sponsored_name_ko: str | None = None  # its KSCO7 name
    sponsored_subcategory: str | None = None  # E-7 sub-category of the code (or as written)
    visa_start: str | None = None  # YYYY-MM-DD
    visa_end: str | None = None  # YYYY-MM-DD
    planned_filing_date: str | None = None  # YYYY-MM-DD, planned F-2-7 filing


class PersonDocument(Record):
    source: str  # input path (display form)
    sha256: str | None = None
    result: str | None = None  # per-document JSON, relative to the output folder
    report: str | None = None  # per-document HTML report, relative to the output folder
    addendum: str | None = None  # addendum DOCX, relative to the output folder
    role: str  # contract | amendment | offer_letter | superseded | undated | not_used
    status: Status
    verdict: VerdictKind | None = None  # the document's own verdict
    employer: str | None = None
    effective_date: str | None = None  # YYYY-MM-DD: contract start, or an amendment's 적용일
    end_date: str | None = None  # YYYY-MM-DD as written
    title: str | None = None  # title as written
    code: str | None = None  # the document's duties/recommended KSCO7 code
    note: str = ""  # why the document is not on the timeline, if it is not


class Period(Record):
    index: int  # 1-based, in date order
    start: str  # YYYY-MM-DD
    end: str | None = None  # YYYY-MM-DD; None: open-ended (runs to the as-of date)
    end_assumed: bool = False  # end taken from the next contract (the document states none)
    employer: str | None = None
    title: str | None = None  # title as written (Korean, else English)
    title_en: str | None = None
    code: str | None = None  # duties KSCO7 code (the code to file under)
    code_name_ko: str | None = None
    alternative_codes: list[str] = Field(default_factory=list)  # duties readings as plausible
    e7_subcategory: str | None = None
    annual_krw: int | None = None
    documents: list[str] = Field(default_factory=list)  # sources in force: contract, amendments
    generic_title: bool = False  # title generic/clerical over professional duties, not cured
    qualification: Qualification = Qualification.unknown
    reason_ko: str = ""
    reason_en: str = ""
    days: int = 0  # days of the period up to the as-of date
    sponsored_code: str | None = None  # the manifest's code for the visa covering the period
    sponsored_match: bool | None = None  # None: nothing to compare


class TimelineIssue(Record):
    kind: str  # gap | overlap
    start: str  # first day uncovered / covered twice
    end: str  # last day
    days: int
    periods: list[int] = Field(default_factory=list)  # the two periods' indexes


class PersonFinding(Record):
    rule: str  # matchers.rules.person.PERSON_RULES id
    severity: Severity
    period: int | None = None  # the period concerned
    document: str | None = None  # the document concerned (source)
    codes: list[str] = Field(default_factory=list)  # codes compared (sponsored, actual)
    message_ko: str
    message_en: str
    recommendation_ko: str = ""
    recommendation_en: str = ""


class F27History(Record):
    as_of: str  # date the history is counted to (planned filing date, else the run date)
    required_years: int  # track 3: consecutive years
    qualifying_days: int  # all qualifying days up to as_of (overlaps once)
    qualifying_years: float  # qualifying_days / 365.25, 2 decimals
    consecutive_days: int  # the consecutive run in force at as_of
    consecutive_years: float
    meets_requirement: bool  # consecutive run >= required years on as_of
    earliest_qualifying_date: str | None = None  # when the documents reach it (None: never)
    income_waiver: bool = False  # latest annual income >= the track-3 waiver amount
    qualifying_periods: list[int] = Field(default_factory=list)
    not_qualifying_periods: list[int] = Field(default_factory=list)
    unknown_periods: list[int] = Field(default_factory=list)


class FastTrack(Record):
    verdict: FastTrackVerdict
    period: int | None = None  # the latest period judged
    code: str | None = None
    annual_krw: int | None = None
    threshold_krw: int | None = None  # 1.5 x GNI per capita of the reference year
    gni_year: int | None = None
    missing_ko: list[str] = Field(default_factory=list)
    missing_en: list[str] = Field(default_factory=list)


class FixItem(Record):
    order: int  # 1 = first to do
    severity: Severity
    rule: str
    period: int | None = None
    document: str | None = None
    action_ko: str
    action_en: str
    draft_ko: str | None = None  # addendum text (from the document's draft), when one fixes it
    draft_en: str | None = None
    addendum: str | None = None  # addendum DOCX, relative to the output folder
    deadline: str | None = None  # YYYY-MM-DD: the planned filing date


class PersonVerdict(Record):
    kind: VerdictKind  # action_needed | review | no_action
    label_ko: str
    label_en: str
    next_action_ko: str
    next_action_en: str


class PersonRecord(Record):
    schema_version: str = PERSON_SCHEMA_VERSION
    person_id: str  # folder name or the manifest's employee id / name
    name: str | None = None  # as the manifest or the folder gives it
    employee_id: str | None = None
    nationality: str | None = None
    client: str | None = None
    status_of_stay: str | None = None  # current (the latest manifest row's)
    planned_filing_date: str | None = None
    sponsorships: list[Sponsorship] = Field(default_factory=list)
    documents: list[PersonDocument] = Field(default_factory=list)
    periods: list[Period] = Field(default_factory=list)
    timeline_issues: list[TimelineIssue] = Field(default_factory=list)
    findings: list[PersonFinding] = Field(default_factory=list)  # most severe first
    f27: F27History
    fast_track: FastTrack
    fixes: list[FixItem] = Field(default_factory=list)  # fix before filing, in order
    verdict: PersonVerdict
    manifest_problems: list[ManifestProblem] = Field(default_factory=list)  # this person's rows
    pipeline_version: str = ""
    reference_version: str = ""


class PeopleSummary(Record):
    """people.json: every person of a run and the manifest's row problems."""

    schema_version: str = PERSON_SCHEMA_VERSION
    generated_at: str = ""
    manifest: str | None = None  # the manifest file (display form)
    people: list[str] = Field(default_factory=list)  # person JSON paths relative to the output
    manifest_problems: list[ManifestProblem] = Field(default_factory=list)
