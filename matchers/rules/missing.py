"""Rules for contract items the audit needs but the contract does not state."""

from __future__ import annotations

from extractors.records import FieldState
from matchers.records import Finding, FindingEvidence, Severity
from matchers.rules.context import RuleContext, evidence, krw
from matchers.rules.salary import annual_salary
from matchers.rules.spec import make_finding, rule
from matchers.rules.title import is_generic_title

MANUAL_E7 = "MOJ stay manual 2026.9 pp.213-231 (E-7 occupation, duties and wage review)"

MISSING_TITLE = rule(
    "missing_title", Severity.medium,
    "The contract states no job title (직위/직종/Position).", MANUAL_E7)
MISSING_DUTIES = rule(
    "missing_duties", Severity.high,
    "The contract states no duties (업무의 내용/Job description).",
    "MOJ stay manual 2026.9 pp.213-231; E-7-4 contract sample p.319 (item 3, 직무내용)")
MISSING_SALARY = rule(
    "missing_salary", Severity.high,
    "The contract states no salary (or an amount without its period), so the E-7 wage floor "
    "cannot be checked.",
    "MOJ stay manual 2026.9 p.230 (wage floors)")


def _absent(field: str) -> list[FindingEvidence]:
    return [FindingEvidence(field=field)]


def missing_title(ctx: RuleContext) -> list[Finding]:
    title = ctx.fields.job_title
    if title.state is FieldState.unreadable:
        return []  # a label without a readable value: the document is partial, not silent
    if (title.value or "").strip() or (title.value_en or "").strip() or is_generic_title(ctx):
        return []  # a rank stated alone on a professional's contract is a generic title
    return [make_finding(MISSING_TITLE, "default", _absent("job_title"))]


def missing_duties(ctx: RuleContext) -> list[Finding]:
    if ctx.duties_text.strip() or ctx.fields.duties.state is FieldState.unreadable:
        return []
    return [make_finding(MISSING_DUTIES, "default", _absent("duties"))]


def missing_salary(ctx: RuleContext) -> list[Finding]:
    salary = ctx.fields.salary
    if salary.state is FieldState.unreadable:
        return []  # read badly or implausible: a problem on the document says so
    if annual_salary(ctx) is not None:
        return []
    if salary.amount_krw is None:
        return [make_finding(MISSING_SALARY, "default", _absent("salary"))]
    ev = [evidence("salary", salary)]  # an amount whose period we cannot tell
    return [make_finding(MISSING_SALARY, "unclear", ev, amount=krw(salary.amount_krw))]


SPECS = [MISSING_TITLE, MISSING_DUTIES, MISSING_SALARY]
CHECKS = [missing_title, missing_duties, missing_salary]
