"""F-2-7 (points-based residence) outlook: what this contract means for a later application."""

from __future__ import annotations

from matchers.records import Finding, Severity
from matchers.rules.context import RuleContext, evidence, krw
from matchers.rules.salary import annual_salary
from matchers.rules.spec import make_finding, rule
from matchers.rules.visa_data import IncomeBand

F27_SOURCE = "MOJ stay manual 2026.9 pp.365-379 (F-2-7)"
F27_PROFESSIONAL_HISTORY = rule(
    "f27_professional_history", Severity.low,
    "Time on E-7-2/E-7-3/E-7-4 does not count as professional history for F-2-7 track 3.",
    f"{F27_SOURCE}, applicant tracks (전문직 종사자)")
F27_FAST_TRACK = rule(
    "f27_fast_track", Severity.low,
    "Whether the contract supports F-2-7 track 2 (promising-industry occupation and income of "
    "at least 1.5 x GNI per capita of the reference year), and why not.",
    f"{F27_SOURCE}, track 2 (유망산업분야); fields per p.216/p.226")
F27_INCOME_POINTS = rule(
    "f27_income_points", Severity.low,
    "F-2-7 points the contract salary would earn in the annual-income item (max 60).",
    f"{F27_SOURCE}, 연간 소득 table")


def f27_professional_history(ctx: RuleContext) -> list[Finding]:
    sub = ctx.duties_e7.subcategory if ctx.duties_e7 else ctx.stated
    if sub not in ctx.visa.f27.track3_excluded_subcategories:
        return []
    field, value = ("duties", ctx.fields.duties) if ctx.duties_e7 else (
        "stated_visa", ctx.fields.stated_visa)
    return [make_finding(F27_PROFESSIONAL_HISTORY, "default", [evidence(field, value)],
                         subcategory=sub)]


def _fast_track_variant(ctx: RuleContext, code: str, annual: int | None, need: int) -> str | None:
    in_field = code in ctx.visa.promising_codes
    if in_field:
        if annual is None:
            return "no_salary"
        return "supported" if annual >= need else "income_short"
    if annual is not None and annual >= need and ctx.is_professional(code):
        return "field_unclear"
    return None


def f27_fast_track(ctx: RuleContext) -> list[Finding]:
    d, gni = ctx.duties_best, ctx.visa.gni_reference(ctx.year)
    if d is None or gni is None:
        return []
    annual = annual_salary(ctx)
    need = round(gni.krw * ctx.visa.f27.fast_track_gni_multiple)
    amount = annual.amount if annual else None
    variant = _fast_track_variant(ctx, d.code, amount, need)
    if variant is None:
        return []
    ev = [evidence("duties", ctx.fields.duties)] + (
        [evidence("salary", ctx.fields.salary)] if annual else [])
    return [make_finding(
        F27_FAST_TRACK, variant, ev, code=d.code, name_ko=ctx.unit_name(d.code),
        annual=krw(amount or 0), need=krw(need), gni=krw(gni.krw), gni_year=gni.year,
        multiple=f"{ctx.visa.f27.fast_track_gni_multiple:g}",
        shortfall=krw(max(0, need - (amount or 0))))]


def income_band(ctx: RuleContext, annual: int) -> IncomeBand | None:
    """The F-2-7 income band of an annual amount; None under the minimum wage."""
    for band in ctx.visa.f27_income_bands:
        low = ctx.visa.minimum_wage_annual(ctx.year) if band.min_is_minimum_wage else band.min_krw
        assert low is not None  # visa data: a band without min_krw starts at the minimum wage
        if annual >= low and (band.max_krw is None or annual < band.max_krw):
            return band
    return None


def f27_income_points(ctx: RuleContext) -> list[Finding]:
    annual = annual_salary(ctx)
    if annual is None:
        return []
    band = income_band(ctx, annual.amount)
    ev = [evidence("salary", ctx.fields.salary)]
    params = {"annual": krw(annual.amount), "pass_mark": ctx.visa.f27.pass_mark}
    if band is None:
        return [make_finding(F27_INCOME_POINTS, "below_minimum", ev, **params)]
    return [make_finding(F27_INCOME_POINTS, "default", ev, band=band.label, points=band.points,
                         **params)]


SPECS = [F27_PROFESSIONAL_HISTORY, F27_FAST_TRACK, F27_INCOME_POINTS]
CHECKS = [f27_professional_history, f27_fast_track, f27_income_points]
