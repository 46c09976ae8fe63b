"""Records produced by matching and by the visa rules."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from extractors.records import Record


class Severity(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class OccupationCandidate(Record):
    code: str  # 4-digit KSCO7 unit code (the revision E-7 and the job dictionary use)
    revision: str = "KSCO7"  # classification revision of `code`
    name_ko: str  # KSCO7 Korean unit name
    name_en: str | None = None  # English unit name (KSCO8 linkage where KSCO7 has none)
    score: float  # 0..1 match strength, comparable within one query
    detail_code: str | None = None  # 5-digit detail code when confident
    ksco8_code: str | None = None  # equivalent KSCO8 unit via the crosswalk
    e7_subcategory: str | None = None  # "E-7-1".."E-7-4" when the code is on the E-7 list
    e7_occupation: str | None = None  # the E-7 list's occupation name for this code
    evidence: list[str] = Field(default_factory=list)  # titles, aliases, keywords that matched


class E7Condition(Record):
    kind: str  # setting | cuisine | licence | status (from matchers/knowledge/data/e7_conditions.csv)
    text: str  # the condition in English
    text_ko: str = ""  # the same in Korean
    shown: bool = False  # the title or duties show it (settings, cuisines); licences never


class E7Judgement(Record):
    decision: str  # eligible | conditions | not_eligible | unknown
    code: str | None = None  # KSCO7 code judged (the combined best after E-7 naming)
    occupation: str | None = None  # the E-7 list's occupation name
    seq: str | None = None  # its row in the MOJ list, e.g. "S09"
    subcategory: str | None = None  # "E-7-1".."E-7-4"
    basis: str = ""  # why this code: the text names the occupation, or the best candidate
    conditions: list[E7Condition] = Field(default_factory=list)  # the occupation's conditions


class OccupationDecision(Record):
    """Which occupation the work is, decided once from the title and duty readings.

    The rules build findings on this, not on raw scores: the title's reading counts when the
    duties back it (its code, or its 3-digit group, among the duties' best readings, or a duty
    score near theirs); otherwise the duties' reading decides, and the title when the duties are
    boilerplate or absent."""

    code: str | None = None  # KSCO7 code of the work; None when nothing could be read
    basis: str = "none"  # title_and_duties | duties | title | none
    title_code: str | None = None  # the title's reading (Korean, else English); None when generic
    duties_code: str | None = None  # the duties' best reading; None when boilerplate or absent
    agree: bool | None = None  # the duties back the title's reading; None when one is missing
    certain: bool = False  # strong enough to build findings on


class OccupationMatch(Record):
    candidates: list[OccupationCandidate] = Field(default_factory=list)  # combined, best first
    title_candidates: list[OccupationCandidate] = Field(default_factory=list)  # from title only
    duties_candidates: list[OccupationCandidate] = Field(default_factory=list)  # from duties only
    title_en_candidates: list[OccupationCandidate] = Field(default_factory=list)  # English title
    needs_review: bool = True  # best candidate weak or too close to the runner-up
    review_reason: str | None = None  # why review is needed
    generic_title: bool = False  # title is generic/clerical (사무원, 직원, Staff ...), not a profession
    reference_version: str = ""  # content hash of the reference data used for matching
    e7: E7Judgement | None = None  # E-7 occupation, sub-category and conditions of the best code
    decision: OccupationDecision = Field(default_factory=OccupationDecision)  # the work's code
    # The code HR should file under (set by the audit once findings and addendum are known):
    recommended_code: str | None = None  # KSCO7 code: the addendum's, else the duties' or best
    recommended_name_ko: str | None = None  # its Korean KSCO name
    recommended_name_en: str | None = None  # its English name
    recommended_e7_subcategory: str | None = None  # "E-7-1".."E-7-4" when on the E-7 list
    recommended_basis: str | None = None  # addendum | duties | best_match


class FindingEvidence(Record):
    field: str  # contract field the finding rests on, e.g. "job_title"
    page: int | None = None  # 1-based page
    snippet: str | None = None  # text that shows it


class Finding(Record):
    rule: str  # rule id from the rules table, e.g. "generic_title"
    severity: Severity  # high | medium | low
    message: str  # plain-language explanation (English)
    message_ko: str = ""  # the same in Korean
    recommendation: str = ""  # what HR should do (English)
    recommendation_ko: str = ""  # the same in Korean
    evidence: list[FindingEvidence] = Field(default_factory=list)  # where it shows


class AddendumDraft(Record):
    code: str  # KSCO7 code the duties support
    title_ko: str  # recognised Korean title for that code
    title_en: str | None = None  # English title
    text_ko: str  # addendum body in Korean
    text_en: str  # addendum body in English
    hr_checklist: list[str] = Field(default_factory=list)  # what HR must verify with the employer
    change_sponsorship: bool = False  # True when the fix is the visa route, not the contract
