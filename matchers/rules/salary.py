"""Salary rules: the annualised contract salary against the E-7 floor of the year."""

from __future__ import annotations

from typing import NamedTuple

from extractors.records import Period
from matchers.records import Finding, Severity
from matchers.rules.context import RuleContext, evidence, krw, states_e7
from matchers.rules.spec import make_finding, phrase, rule

SALARY_BELOW_FLOOR = rule(
    "salary_below_floor", Severity.high,
    "The annualised salary is under the E-7 floor for the contract's year and sub-category "
    "(or the occupation's own rule: GNI share, fixed amount, minimum wage); only when something "
    "puts the work on the E-7 list (its reading, the E-7 judgement, or an E-7 visa stated).",
    "MOJ stay manual 2026.9 pp.230-231 (wage floors), occupation sections pp.235-309")
SALARY_FLOOR_UNVERIFIABLE = rule(
    "salary_floor_unverifiable", Severity.low,
    "The occupation's wage rule compares with figures the contract does not hold (e.g. the "
    "average pay of Korean staff in the same job); HR must check it with the employer.",
    "MOJ stay manual 2026.9 pp.257-273 (occupation-specific wage rules)")


class Annual(NamedTuple):
    amount: int  # annual KRW
    assumption_en: str  # how it was annualised
    assumption_ko: str


class Floor(NamedTuple):
    amount: int  # annual KRW floor
    basis_en: str  # which rule and year
    basis_ko: str
    note_en: str  # relaxations or caveats HR should know
    note_ko: str


def _hours(ctx: RuleContext) -> tuple[float, str]:
    hours = ctx.fields.weekly_hours
    if hours:
        return hours, "stated"
    return ctx.visa.pay.default_weekly_hours, "assumed"


def _paid_weekly_hours(hours: float) -> float:
    """Weekly hours plus paid weekly rest (주휴), due from 15 h a week, pro rata up to 8 h."""
    return hours + min(8.0, hours / 5) if hours >= 15 else hours


def _per_period(ctx: RuleContext, amount: int, period: Period) -> Annual:
    hours, source = _hours(ctx)
    weeks = ctx.visa.pay.weeks_per_month
    if period is Period.hourly:
        factor = _paid_weekly_hours(hours) * weeks * 12
    elif period is Period.daily:
        factor = (ctx.visa.pay.days_per_week + (1 if hours >= 15 else 0)) * weeks * 12
    else:
        factor = weeks * 12
    en, ko = phrase(f"annualise_{period.value}_{source}", amount=krw(amount), hours=f"{hours:g}",
                    paid=f"{_paid_weekly_hours(hours):g}", weeks=f"{weeks:g}",
                    days=ctx.visa.pay.days_per_week)
    return Annual(round(amount * factor), en, ko)


def annual_salary(ctx: RuleContext) -> Annual | None:
    """The contract salary per year, with the assumption used to get there."""
    s = ctx.fields.salary
    if s.state == "unreadable":
        return None  # an implausible or badly read figure is no fact to build findings on
    if s.amount_krw is not None and s.period in (Period.hourly, Period.daily, Period.weekly):
        return _per_period(ctx, s.amount_krw, s.period)
    if s.annual_krw is not None:
        key = "as_extracted" if s.assumption else "stated_annual"
        en, ko = phrase(key, assumption=s.assumption or "")
        return Annual(s.annual_krw, en, ko)
    if s.amount_krw is not None and s.period is Period.monthly:
        en, ko = phrase("annualise_monthly", amount=krw(s.amount_krw))
        return Annual(s.amount_krw * 12, en, ko)
    if s.amount_krw is not None and s.period is Period.annual:
        return Annual(s.amount_krw, *phrase("stated_annual", assumption=""))
    return None


def _year_note(ctx: RuleContext, used: int) -> tuple[str, str]:
    if used == ctx.year:
        return "", ""
    return phrase("year_fallback", year=ctx.year, used=used)


def _occupation_floor(ctx: RuleContext, occ_name: str) -> Floor | str | None:
    """Floor from the occupation's own wage rule; 'manual' when the contract cannot show it."""
    rule_ = ctx.visa.wage_rule_for(occ_name)
    if rule_ is None:
        return None
    if rule_.kind == "manual":
        return "manual"
    if rule_.kind == "fixed":
        en, ko = phrase("basis_fixed", occupation=occ_name, text=rule_.text)
        assert rule_.amount_krw is not None  # visa data: a fixed rule states its amount
        return Floor(rule_.amount_krw, en, ko, "", "")
    if rule_.kind == "minimum_wage":
        used = ctx.visa.thresholds_for(ctx.year).year
        en, ko = phrase("basis_minimum_wage", occupation=occ_name, year=used)
        return Floor(ctx.visa.minimum_wage_annual(ctx.year), en, ko, *_year_note(ctx, used))
    assert rule_.share is not None  # visa data: a gni_share rule states its share
    return _gni_floor(ctx, occ_name, rule_.share, rule_.text)


def _gni_floor(ctx: RuleContext, occ_name: str, share: float, text: str) -> Floor | None:
    gni = ctx.visa.gni_reference(ctx.year)
    if gni is None:
        return None
    en, ko = phrase("basis_gni", occupation=occ_name, share=f"{share * 100:g}", gni=krw(gni.krw),
                    gni_year=gni.year, text=text)
    note = ("", "")
    if share > ctx.visa.sme_share_relaxation:
        note = phrase("note_sme_gni", share=f"{ctx.visa.sme_share_relaxation * 100:g}",
                      amount=krw(gni.krw * ctx.visa.sme_share_relaxation))
    return Floor(round(gni.krw * share), en, ko, *note)


def _subcategory_floor(ctx: RuleContext, sub: str | None) -> Floor | None:
    t = ctx.visa.thresholds_for(ctx.year)
    year_en, year_ko = _year_note(ctx, t.year)
    if sub is None:
        lowest = min(t.floors_krw.values())
        en, ko = phrase("basis_lowest", year=t.year)
        return Floor(lowest, en, ko, year_en, year_ko)
    if sub not in t.floors_krw:
        return None
    en, ko = phrase("basis_subcategory", subcategory=sub, year=t.year,
                    source=t.floor_source or t.source)
    note_en = " ".join(x for x in (t.floor_notes.get(sub, ""), year_en) if x)
    note_ko = " ".join(x for x in (t.floor_notes_ko.get(sub, ""), year_ko) if x)
    return Floor(t.floors_krw[sub], en, ko, note_en, note_ko)


def _judged_on_list(ctx: RuleContext) -> bool:
    j = ctx.match.e7
    return bool(j and j.decision in ("eligible", "conditions"))


def wage_floor(ctx: RuleContext) -> Floor | str | None:
    """The floor that applies: the occupation's own rule, else its sub-category's floor."""
    occ = ctx.duties_e7
    if occ is not None:
        own = _occupation_floor(ctx, occ.name_ko)
        if own is not None:
            return own
    return _subcategory_floor(ctx, occ.subcategory if occ else ctx.stated)


def _off_list(ctx: RuleContext) -> bool:
    """The work is read as off the E-7 list: no E-7 wage floor (not_e7_eligible says why)."""
    if _judged_on_list(ctx):
        return False
    dec = ctx.match.decision
    if dec.certain and dec.code and not ctx.e7_work(dec.code):
        return True
    return ctx.duties_best is not None and ctx.duties_e7 is None


def salary_below_floor(ctx: RuleContext) -> list[Finding]:
    if _off_list(ctx):
        return []
    if ctx.duties_e7 is None and not states_e7(ctx.fields.stated_visa.value) \
            and not _judged_on_list(ctx):
        return []  # nothing puts the work on the E-7 list (no reading, no E-7 visa stated)
    annual, floor = annual_salary(ctx), wage_floor(ctx)
    if annual is None or not isinstance(floor, Floor) or annual.amount >= floor.amount:
        return []
    return [make_finding(
        SALARY_BELOW_FLOOR, "default", [evidence("salary", ctx.fields.salary)],
        annual=krw(annual.amount), floor=krw(floor.amount),
        shortfall=krw(floor.amount - annual.amount),
        assumption_en=annual.assumption_en, assumption_ko=annual.assumption_ko,
        basis_en=floor.basis_en, basis_ko=floor.basis_ko,
        note_en=floor.note_en, note_ko=floor.note_ko)]


def salary_floor_unverifiable(ctx: RuleContext) -> list[Finding]:
    occ = ctx.duties_e7
    if occ is None or annual_salary(ctx) is None or wage_floor(ctx) != "manual":
        return []
    rule_ = ctx.visa.wage_rule_for(occ.name_ko)
    assert rule_ is not None  # a "manual" floor comes from the occupation's own rule
    return [make_finding(SALARY_FLOOR_UNVERIFIABLE, "default",
                         [evidence("salary", ctx.fields.salary)],
                         occupation=occ.name_ko, text=rule_.text, source=rule_.source)]


SPECS = [SALARY_BELOW_FLOOR, SALARY_FLOOR_UNVERIFIABLE]
CHECKS = [salary_below_floor, salary_floor_unverifiable]
