"""The machine-readable output contract: per-document result and batch summary."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from extractors.records import (
    ContractFields,
    DocumentRef,
    PageLayout,
    Problem,
    Record,
    Route,
    Status,
)
from matchers.records import AddendumDraft, Finding, OccupationMatch, Severity

SCHEMA_VERSION = "1.0"


class VerdictKind(StrEnum):
    action_needed = "action_needed"  # 조치 필요: a high or medium finding
    review = "review"  # 검토 필요: a person has to look, nothing to fix yet
    no_action = "no_action"  # 문제 없음 (F-2-7 notes may be present)
    not_audited = "not_audited"  # 감사 불가: the document could not be audited


class Verdict(Record):
    kind: VerdictKind  # what HR has to do about the contract
    label_ko: str  # 조치 필요 | 검토 필요 | 문제 없음 | 감사 불가
    label_en: str  # Action needed | Review | No action | Not audited
    action_ko: str = ""  # the action, e.g. 직위 정정 부속합의서 권고
    action_en: str = ""  # the same in English, e.g. addendum correcting the title
    worst_severity: Severity | None = None  # most severe finding; None without findings
    rules: list[str] = Field(default_factory=list)  # the findings the verdict rests on


class PageSummary(Record):
    page: int  # 1-based page number
    route: Route  # text layer or OCR
    reason: str  # why that route
    confidence: float | None = None  # OCR confidence 0..1
    chars: int = 0  # characters of text read (the text itself is not stored)
    seconds: float = 0.0  # time spent on the page
    # OCR pages: the image read (kept in the document's work folder) and its word boxes, for the
    # report crops; in memory only, never in the JSON (the boxes hold the page text)
    layout: PageLayout | None = Field(default=None, exclude=True)


class DocumentResult(Record):
    schema_version: str = SCHEMA_VERSION  # version of this JSON layout
    status: Status  # success | partial | failed
    document: DocumentRef  # the input file
    pages: list[PageSummary] = Field(default_factory=list)  # how each page was read
    fields: ContractFields = Field(default_factory=ContractFields)  # extracted values + evidence
    occupation: OccupationMatch = Field(default_factory=OccupationMatch)  # KSCO candidates
    findings: list[Finding] = Field(default_factory=list)  # visa findings, most severe first
    addendum: AddendumDraft | None = None  # recommended addendum when a fix is possible
    verdict: Verdict | None = None  # what HR has to do (separate from the processing status)
    worst_severity: Severity | None = None  # most severe finding; None without findings
    problems: list[Problem] = Field(default_factory=list)  # what went wrong while auditing
    client: str | None = None  # relocation-firm client the document belongs to
    pipeline_version: str = ""  # ksoc-audit version that produced the result
    reference_version: str = ""  # hash of the reference data used
    reused: bool = False  # True when taken from the cache instead of recomputed

    @model_validator(mode="after")
    def _problems_are_never_success(self) -> DocumentResult:
        if self.problems and self.status is Status.success:
            raise ValueError("a result with problems cannot have status 'success'")
        return self


class SummaryProblem(Record):
    code: str  # problem code
    message: str  # advice-style message


class SummaryEntry(Record):
    source: str  # input path as given
    sha256: str | None = None  # content hash (None when the file could not be read)
    status: Status  # success | partial | failed
    result: str | None = None  # per-document JSON path relative to the output dir
    problems: list[SummaryProblem] = Field(default_factory=list)  # problems of the document
    client: str | None = None  # client folder, for relocation firms
    findings: list[str] = Field(default_factory=list)  # rule ids raised, most severe first
    worst_severity: Severity | None = None  # most severe finding; None when there is none
    best_code: str | None = None  # best KSCO7 candidate code
    verdict: VerdictKind | None = None  # action_needed | review | no_action | not_audited
    verdict_text: str = ""  # the verdict line, Korean / English
    recommended_code: str | None = None  # KSCO7 code to file under (occupation.recommended_code)
    recommended_name_ko: str | None = None  # its Korean KSCO name
    recommended_e7_subcategory: str | None = None  # its E-7 sub-category
    needs_review: bool | None = None  # the code needs a person's choice
    reused: bool = False  # result taken from cache


class SkippedEntry(Record):
    source: str  # path found under an input folder (display form)
    code: str  # special_file | dangling_symlink | symlinked_folder | symlink_outside | unreadable_folder
    reason: str  # what it is and why it was not audited


class BatchSummary(Record):
    schema_version: str = SCHEMA_VERSION  # version of this JSON layout
    generated_at: str = ""  # ISO timestamp of the run
    pipeline_version: str = ""  # ksoc-audit version
    reference_version: str = ""  # hash of the reference data
    documents: list[SummaryEntry] = Field(default_factory=list)  # one entry per input file
    skipped: list[SkippedEntry] = Field(default_factory=list)  # found but not audited, with the reason
