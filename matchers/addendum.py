"""Addendum drafts (부속합의서) that align a contract's title and duties with the real work."""

from __future__ import annotations

import logging
import re
import tomllib
from functools import cache
from importlib import resources
from string import Template

import jinja2

from extractors.records import ContractFields
from matchers.knowledge_records import E7Occupation
from matchers.records import AddendumDraft, Finding, OccupationMatch
from matchers.rules.context import E7Facts, RuleContext, contract_year
from matchers.rules.e7 import first_excluded
from matchers.rules.lexicon import normalise
from matchers.rules.salary import Floor, wage_floor
from matchers.visa_data import VisaData, load_visa_data

log = logging.getLogger(__name__)

# Findings an addendum (or a change of sponsorship) answers.
TITLE_FIXES = {"generic_title", "title_duties_conflict", "missing_title", "missing_korean_title",
               "title_language_disagreement"}
SPONSORSHIP_FIXES = {"wrong_subcategory", "not_e7_eligible", "excluded_example"}
_BULLET = re.compile(r"^\s*(?:[-•·*]|\d+[.)]|[①-⑳])\s*")
_LINES = re.compile(r"[\n;]+")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("matchers", "templates"), autoescape=False,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@cache
def wording() -> dict:
    raw = resources.files("matchers").joinpath("templates", "addendum.toml").read_text("utf-8")
    return tomllib.loads(raw)


def _say(key: str, **params: object) -> str:
    return Template(wording()["checklist"][key]).substitute(params)


def duty_lines(text: str) -> list[str]:
    """Duties split into clean lines (bullets and numbering dropped)."""
    lines = (_BULLET.sub("", line).strip() for line in _LINES.split(text or ""))
    return [line for line in lines if line]


def requirement_texts(occ: E7Occupation | None) -> tuple[str, str]:
    """(Korean, English) qualification reference for an E-7 occupation."""
    req = wording()["requirements"]
    if occ is None or not occ.requirements:
        return req["unknown_ko"], req["unknown_en"]
    if occ.requirements.startswith(req["general_prefix"]):
        return req["general_ko"], req["general_en"]
    return Template(req["other_ko"]).substitute(requirements=occ.requirements), occ.requirements


def _change_sponsorship(rules: set[str], ctx: RuleContext, code: str) -> bool:
    subs = ctx.subcategories(code)
    wrong_claim = bool(ctx.stated and ctx.stated not in subs)
    return bool(rules & SPONSORSHIP_FIXES) or not subs or wrong_claim


def _values(ctx: RuleContext, code: str) -> dict:
    f, blank = ctx.fields, wording()["requirements"]["placeholder"]
    occ = ctx.duties_e7
    req_ko, req_en = requirement_texts(occ)
    unit = ctx.kb.unit(code)
    lines = duty_lines(ctx.duties_text)
    return {
        "employer": f.employer.value or blank, "employee": f.employee_name.value or blank,
        "contract_date": f.contract_start.value or blank, "old_title": ctx.title_text or blank,
        "code": code, "title_ko": unit.name_ko if unit else code,
        "title_changes": normalise(ctx.title_text) != normalise(unit.name_ko if unit else code),
        "title_en": unit.name_en if unit else None, "duties": lines, "duties_en": lines,
        "e7_occupation": occ.name_ko if occ else None,
        "subcategory": occ.subcategory if occ else None,
        "requirements_ko": req_ko, "requirements_en": req_en,
    }


def _sponsorship_items(ctx: RuleContext, findings: list[Finding], code: str) -> list[str]:
    rules = {f.rule for f in findings}
    subs = "/".join(sorted(ctx.subcategories(code)))
    excluded = first_excluded(ctx) if "excluded_example" in rules else None
    if excluded:
        return [_say("excluded", term=excluded[2])]
    if not subs:
        return [_say("not_eligible", code=code, name_ko=ctx.unit_name(code))]
    if ctx.stated and ctx.stated not in ctx.subcategories(code):
        return [_say("change_subcategory", stated=ctx.stated, subcategories=subs)]
    return []


def hr_checklist(ctx: RuleContext, findings: list[Finding], values: dict) -> list[str]:
    """What HR must verify with the employer before the addendum is signed and filed."""
    items = _sponsorship_items(ctx, findings, values["code"])
    items.append(_say("duties"))
    others = [c for c in ctx.close_to_best() if c.code != values["code"]]
    if others:
        names = ", ".join(f"{c.code} {ctx.unit_name(c.code)}" for c in others)
        items.append(_say("alternatives", alternatives=names))
    items.append(_say("qualifications", requirements=values["requirements_ko"],
                      requirements_en=values["requirements_en"]))
    occ = ctx.duties_e7
    if occ and occ.employer_requirements:
        items.append(_say("employer", employer_requirements=occ.employer_requirements))
    items += _salary_item(ctx, findings)
    if ctx.fields.job_title.value_en and not ctx.fields.job_title.value:
        items.append(_say("korean_title", title_ko=values["title_ko"]))
    items.append(_say("sign"))
    return items


def _salary_item(ctx: RuleContext, findings: list[Finding]) -> list[str]:
    floor = wage_floor(ctx)
    if not any(f.rule == "salary_below_floor" for f in findings) or not isinstance(floor, Floor):
        return []
    return [_say("salary", floor=f"{floor.amount:,}")]


def draft_addendum(fields: ContractFields, match: OccupationMatch, findings: list[Finding], *,
                   year: int | None = None, knowledge: E7Facts | None = None,
                   visa: VisaData | None = None) -> AddendumDraft | None:
    """An addendum aligning title and duties with the duties' own KSCO code, or None.

    Only the duties' code is ever proposed (no title inflation), and only when the duties match
    is confident; `change_sponsorship` is set when the visa route, not the wording, must change.
    """
    rules = {f.rule for f in findings}
    if not rules & (TITLE_FIXES | SPONSORSHIP_FIXES):
        return None
    ctx = _context(fields, match, year, knowledge, visa)
    code = ctx.supported_code
    if code is None or not duty_lines(ctx.duties_text):
        log.debug("addendum: no confident duties reading, no draft")
        return None
    values = _values(ctx, code)
    env = _environment()
    return AddendumDraft(
        code=code, title_ko=values["title_ko"], title_en=values["title_en"],
        text_ko=env.get_template("addendum_ko.txt.j2").render(values).strip(),
        text_en=env.get_template("addendum_en.txt.j2").render(values).strip(),
        hr_checklist=hr_checklist(ctx, findings, values),
        change_sponsorship=_change_sponsorship(rules, ctx, code))


def _context(fields, match, year, knowledge, visa) -> RuleContext:
    if knowledge is None:
        from matchers.knowledge import load_knowledge

        knowledge = load_knowledge()
    return RuleContext(fields=fields, match=match, year=year or contract_year(fields),
                       kb=knowledge, visa=visa or load_visa_data())
