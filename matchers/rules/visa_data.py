"""Visa thresholds as package data: E-7 wage floors by year, GNI, wage rules, F-2-7 tables."""

from __future__ import annotations

import json
import logging
import tomllib
from functools import cache
from typing import Any

from pydantic import Field

from extractors.errors import ReferenceDataError
from extractors.records import Record
from matchers.versions import REFERENCE_FILE, THRESHOLDS_FILE, visa_text

log = logging.getLogger(__name__)

class YearThresholds(Record):
    year: int  # calendar year the figures apply to
    floors_krw: dict[str, int]  # annual salary floor by E-7 sub-category ("E-7-1" ...)
    minimum_wage_monthly_krw: int  # statutory minimum wage per month
    floor_notes: dict[str, str] = Field(default_factory=dict)  # relaxations per sub-category
    floor_notes_ko: dict[str, str] = Field(default_factory=dict)  # the same in Korean
    source: str = ""  # where the figures come from
    floor_source: str = ""  # citation of the floors alone, quoted in findings


class GniFigure(Record):
    year: int  # year the GNI per capita measures
    krw: int  # GNI per capita in KRW
    base_year: int  # national-accounts base year of the figure
    status: str  # preliminary | revised
    release: str  # Bank of Korea release the figure was reported from


class OccupationWageRule(Record):
    e7_occupation: str  # occupation name in the MOJ E-7 list
    subcategory: str  # E-7 sub-category of that occupation
    codes: list[str] = Field(default_factory=list)  # codes the manual prints for it
    kind: str  # gni_share | fixed | minimum_wage | manual (cannot be checked from the contract)
    share: float | None = None  # multiple of prior-year GNI per capita (gni_share)
    amount_krw: int | None = None  # fixed annual floor (fixed)
    text: str = ""  # the rule as summarised from the manual
    source: str = ""  # manual pages


class IncomeBand(Record):
    min_krw: int | None  # lower bound (inclusive); None = the minimum wage
    max_krw: int | None  # upper bound (exclusive); None = open
    points: int  # F-2-7 points for the band
    label: str  # band as printed in the table
    min_is_minimum_wage: bool = False  # lower bound is the annual minimum wage


class PayConvention(Record):
    minimum_wage_month_hours: int  # paid hours in a full-time month (incl. 주휴, paid rest)
    weeks_per_month: float  # average weeks in a month
    default_weekly_hours: float  # hours assumed when the contract states none
    days_per_week: int  # working days assumed for a daily wage


class F27Params(Record):
    source: str  # manual pages of the F-2-7 rules
    pass_mark: int  # minimum total points
    fast_track_gni_multiple: float  # track 2 income threshold as a multiple of GNI per capita
    track3_excluded_subcategories: list[str]  # visa history not counted as professional
    track3_income_waiver_krw: int  # income at which track 3's 3-year stay is waived


class VisaData(Record):
    years: dict[int, YearThresholds]  # thresholds by year
    gni: list[GniFigure]  # GNI per capita by year, ascending
    gni_lag_years: int  # contract year minus this = the GNI reference year
    sme_share_relaxation: float  # GNI share SMEs may use instead of 80%
    occupation_wage_rules: list[OccupationWageRule]  # overrides of the sub-category floor
    f27_income_bands: list[IncomeBand]  # F-2-7 income points, highest band first
    f27: F27Params  # F-2-7 parameters
    pay: PayConvention  # annualisation conventions
    promising_codes: frozenset[str]  # KSCO7 units used as the promising-industry proxy

    def thresholds_for(self, year: int) -> YearThresholds:
        """Figures of `year`, else of the closest earlier year, else the earliest."""
        earlier = [y for y in self.years if y <= year]
        return self.years[max(earlier) if earlier else min(self.years)]

    def gni_reference(self, year: int) -> GniFigure | None:
        """GNI per capita used for contract year `year` (prior year, else the latest before)."""
        wanted = year - self.gni_lag_years
        earlier = [g for g in self.gni if g.year <= wanted]
        return earlier[-1] if earlier else None

    def minimum_wage_annual(self, year: int) -> int:
        return self.thresholds_for(year).minimum_wage_monthly_krw * 12

    def wage_rule_for(self, e7_occupation: str) -> OccupationWageRule | None:
        key = _squash(e7_occupation)
        rules = self.occupation_wage_rules
        return next((r for r in rules if _squash(r.e7_occupation) == key), None)


def _squash(text: str) -> str:
    return "".join(text.split())


def _years(raw: dict[str, Any]) -> dict[int, YearThresholds]:
    return {int(y): YearThresholds(year=int(y), **v) for y, v in raw["years"].items()}


def _assemble(raw: dict[str, Any], ref: dict[str, Any]) -> VisaData:
    return VisaData(
        years=_years(raw),
        gni=sorted((GniFigure(**g) for g in ref["gni"]), key=lambda g: g.year),
        gni_lag_years=raw["gni"]["reference_lag_years"],
        sme_share_relaxation=raw["gni"]["sme_share_relaxation"],
        occupation_wage_rules=[OccupationWageRule(**r) for r in ref["occupation_wage_rules"]],
        f27_income_bands=[IncomeBand(**b) for b in ref["f27_income_bands"]],
        f27=F27Params(**raw["f27"]),
        pay=PayConvention(**raw["pay"]),
        promising_codes=frozenset(raw["promising_industry"]["codes"]),
    )


@cache
def load_visa_data() -> VisaData:
    """Read the packaged thresholds once per process."""
    try:
        raw = tomllib.loads(visa_text(THRESHOLDS_FILE))
        ref = json.loads(visa_text(REFERENCE_FILE))
        data = _assemble(raw, ref)
    except (KeyError, TypeError, ValueError) as e:
        raise ReferenceDataError(f"visa package data is inconsistent: {e}") from e
    log.debug("visa data: years %s, %d GNI figures", sorted(data.years), len(data.gni))
    return data
