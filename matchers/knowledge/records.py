"""Records of the packaged reference data: KSCO units and E-7 occupations."""

from __future__ import annotations

from pydantic import Field

from extractors.records import Record


class Unit(Record):
    code: str  # 4-digit KSCO7 unit code
    name_ko: str  # KSCO7 Korean unit name
    name_en: str | None = None  # English name (KSCO7, else the linked KSCO8 unit's)
    ksco8_code: str | None = None  # equivalent KSCO8 unit via the crosswalk
    ksco8_name_ko: str | None = None  # KSCO8 Korean name of that unit
    crosswalk: str = "unresolved"  # how the KSCO8 link was made: same_code, by_title, e7, ...
    collision: str | None = None  # note when the same number names another job in KSCO8


class E7Occupation(Record):
    seq: str  # row id in the MOJ list, e.g. "P10"
    code: str  # code as printed in the manual's summary table (may be KSCO8, 5-digit or S-code)
    name_ko: str  # occupation name in the MOJ list
    subcategory: str  # "E-7-1".."E-7-4" or "E-7-S1", "E-7-Y" ...
    ksco7_codes: list[str] = Field(default_factory=list)  # resolved KSCO7 4-digit units
    ksco8_codes: list[str] = Field(default_factory=list)  # resolved KSCO8 4-digit units
    ksco7_detail: str | None = None  # KSCO7 5-digit detail code when the list names one
    scope: str = "unit"  # unit | detail | group (minor/middle group) | none
    resolution: str = ""  # how the codes were resolved, or why they could not be
    included_examples: list[str] = Field(default_factory=list)  # 도입 가능 직업 예시
    excluded_examples: list[str] = Field(default_factory=list)  # 도입 불가/제외 items
    wage_rule: str = ""  # wage floor rule as summarised from the manual
    requirements: str = ""  # qualification requirements (English summary)
    employer_requirements: str = ""  # conditions on the employer (English summary)

    @property
    def resolved(self) -> bool:
        return bool(self.ksco7_codes)


class TitleEntry(Record):
    code: str  # KSCO7 4-digit unit the title belongs to
    title: str  # job title as written in the dictionary
    kind: str  # primary | alias | related | e7_example
