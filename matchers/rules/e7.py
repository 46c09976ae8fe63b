"""Rules against the MOJ E-7 occupation list: eligibility, sub-category, excluded examples."""

from __future__ import annotations

import re

from matchers.knowledge.lexicon import normalise
from matchers.knowledge.records import E7Occupation
from matchers.occupation.e7_judge import expand
from matchers.records import Finding, Severity
from matchers.rules.context import E7_WORK_SUBCATEGORIES, RuleContext, evidence, group2, krw
from matchers.rules.spec import make_finding, rule

NOT_E7_ELIGIBLE = rule(
    "not_e7_eligible", Severity.high,
    "The work's KSCO code is not on the E-7 list of permitted occupations: the matcher's decided "
    "code (the title's reading when the duties back it, else the duties'; the title's when the "
    "duties are boilerplate), with no E-7 reading of the duties left open.",
    "MOJ stay manual 2026.9 pp.232-234 (E-7 occupation list)")
WRONG_SUBCATEGORY = rule(
    "wrong_subcategory", Severity.high,
    "The contract states an E-7 sub-category the duties' occupation does not belong to.",
    "MOJ stay manual 2026.9 pp.213-214, 232-234 (E-7-1..E-7-4 lists)")
E7_CONDITIONS_UNVERIFIED = rule(
    "e7_conditions_unverified", Severity.medium,
    "The work is an E-7 occupation whose conditions the contract cannot show (a setting or cuisine "
    "the text does not name: medium; a licence, certificate, skill test or the E-7-4 change of "
    "status: low).",
    "MOJ stay manual 2026.9 pp.213-278 (occupation requirements); matchers/knowledge/data/e7_conditions.csv")
EXCLUDED_EXAMPLE = rule(
    "excluded_example", Severity.high,
    "The title or duties match a job the ministry lists as excluded for that occupation "
    "(e.g. 영업소장 for 1511, 간호조무사 for nurses).",
    "MOJ stay manual 2026.9 pp.235-278 (도입 불가/제외 examples per occupation)")

_PAREN = re.compile(r"\(([^)]*)\)")
_CODE = re.compile(r"(?<!\d)(\d{4,5})(?!\d)")
_HANGUL = re.compile(r"[가-힣]")


def excluded_terms(occ: E7Occupation) -> tuple[set[str], set[str]]:
    """(normalised excluded job names, KSCO codes printed with them) of an E-7 occupation."""
    names: set[str] = set()
    codes: set[str] = set()
    for item in occ.excluded_examples:
        codes |= set(_CODE.findall(item))
        inner = [part for m in _PAREN.findall(item) for part in m.split(",")]
        for term in [_PAREN.sub(" ", item).strip(), *inner]:
            term = _CODE.sub("", term).strip(" -")
            names |= {normalise(v) for v in expand(term) if _HANGUL.search(v)}
    return {n for n in names if len(n) >= 3}, codes


def _occupations(ctx: RuleContext) -> list[E7Occupation]:
    return [o for o in ctx.kb.e7_occupations
            if o.excluded_examples and o.subcategory in E7_WORK_SUBCATEGORIES]


def _code_hit(ctx: RuleContext, codes: set[str]) -> str | None:
    """The field whose confident code is one the list prints with an excluded example."""
    for field, cand in (("duties", ctx.duties_best), ("job_title", ctx.title_best)):
        if cand and {cand.code, cand.detail_code} & codes:
            return field
    return None


def _text_hit(ctx: RuleContext, occ: E7Occupation, names: set[str]) -> tuple[str, str] | None:
    title = normalise(f"{ctx.fields.job_title.value or ''} {ctx.fields.job_title.value_en or ''}")
    duties = normalise(ctx.duties_text)
    duties_is_occ = ctx.duties_best is not None and ctx.duties_best.code in occ.ksco7_codes
    for name in sorted(names, key=len, reverse=True):
        if name in title:
            return "job_title", name
        if name in duties and not duties_is_occ:
            return "duties", name
    return None


def _excluded_hit(ctx: RuleContext, occ: E7Occupation) -> tuple[str, str] | None:
    names, codes = excluded_terms(occ)
    field = _code_hit(ctx, codes)
    return (field, "; ".join(occ.excluded_examples)) if field else _text_hit(ctx, occ, names)


def first_excluded(ctx: RuleContext) -> tuple[E7Occupation, str, str] | None:
    """(occupation, field, excluded term) of the first excluded example the contract matches."""
    for occ in _occupations(ctx):
        hit = _excluded_hit(ctx, occ)
        if hit is not None:
            return occ, *hit
    return None


def excluded_example(ctx: RuleContext) -> list[Finding]:
    hit = first_excluded(ctx)
    if hit is None:
        return []
    occ, field, term = hit
    value = ctx.fields.job_title if field == "job_title" else ctx.fields.duties
    finding = make_finding(
        EXCLUDED_EXAMPLE, "default", [evidence(field, value)], term=term,
        occupation=occ.name_ko, subcategory=occ.subcategory,
        excluded="; ".join(occ.excluded_examples))
    if not_e7_eligible(ctx):  # the high finding is not_e7_eligible; this one says which listed job it is not
        return [finding.model_copy(update={"severity": Severity.medium})]
    return [finding]


def _e7s1_possible(ctx: RuleContext, code: str) -> bool:
    """E-7-S1 (income >= 3 x GNI, any occupation but clerical/elementary) is open."""
    annual = ctx.fields.salary.annual_krw
    gni = ctx.visa.gni_reference(ctx.year)
    return bool(annual and gni and code[:1] not in "39" and annual >= 3 * gni.krw)


def _e7_plausible(ctx: RuleContext) -> bool:
    """An E-7 reading stays open: an E-7 title the duties back, or an E-7 duty candidate as
    strong as the best that a specific non-E-7 title of another group does not contradict."""
    t = ctx.title_top
    if t and ctx.e7_work(t.code) and ctx.corroborated(t.code):
        return True
    title_other = t is not None and ctx.title_generic_kind is None and not ctx.e7_work(t.code)
    title_group = group2(t.code) if t is not None else None
    return any(ctx.e7_work(c.code) and not (title_other and group2(c.code) != title_group)
               for c in ctx.close_to_best())


def _judged_e7(ctx: RuleContext) -> bool:
    """The matcher's E-7 judgement puts the work on the list: an occupation with conditions
    (they get e7_conditions_unverified, never not_e7_eligible), or one the duties back."""
    j = ctx.match.e7
    return bool(j and j.code and (j.decision == "conditions" or (
        j.decision == "eligible" and ctx.corroborated(j.code))))


def _off_list(ctx: RuleContext) -> str | None:
    """The code of the work when it is off the E-7 list and no E-7 reading stays open.

    The matcher's decision when it is certain: a title the duties back, or a clear duty reading
    (for boilerplate duties, the title). Otherwise the duties' confident reading, with every
    reading as plausible as it (`readings.close_to_best`) off the list too."""
    dec = ctx.match.decision
    if dec.certain and dec.code and (dec.basis != "duties" or ctx.duties_best is not None):
        code = dec.code
        if dec.basis == "duties" and _e7_plausible(ctx):
            return None
    else:
        d = ctx.duties_best
        if d is None or _e7_plausible(ctx):
            return None
        code = d.code
    return None if ctx.e7_work(code) or _judged_e7(ctx) else code


def not_e7_eligible(ctx: RuleContext) -> list[Finding]:
    """The work's code is off the list and no E-7 reading the duties back stays open."""
    code = _off_list(ctx)
    if code is None:
        return []
    variant = "e7s1_possible" if _e7s1_possible(ctx, code) else "default"
    gni = ctx.visa.gni_reference(ctx.year)
    field = "duties" if ctx.match.decision.basis != "title" else "job_title"
    value = ctx.fields.duties if field == "duties" else ctx.fields.job_title
    return [make_finding(
        NOT_E7_ELIGIBLE, variant, [evidence(field, value)], code=code,
        name_ko=ctx.unit_name(code), name_en=ctx.unit_name_en(code),
        threshold=krw(3 * gni.krw) if gni else "")]


def wrong_subcategory(ctx: RuleContext) -> list[Finding]:
    """The stated sub-category does not admit the work's code: the duties' best reading, or the
    title's when the duties back it (the matcher's decision: 여관 관리자 read as 1521 with duties
    that read best as reception stays 1521)."""
    d, stated, dec = ctx.duties_best, ctx.stated, ctx.match.decision
    if d is None or stated is None:
        return []
    code = dec.code if dec.agree and dec.certain and dec.code else d.code
    subs = ctx.subcategories(code)
    j = ctx.match.e7
    judged = {j.subcategory} if j and j.subcategory and j.decision in ("eligible", "conditions") else set()
    if not subs or stated in subs | judged:
        return []  # the stated sub-category fits the duties' code or the judged E-7 occupation
    ev = [evidence("stated_visa", ctx.fields.stated_visa), evidence("duties", ctx.fields.duties)]
    occ = ctx.primary_e7(code)
    return [make_finding(
        WRONG_SUBCATEGORY, "default", ev, stated=stated, code=code,
        name_ko=ctx.unit_name(code), occupation=occ.name_ko if occ else ctx.unit_name(code),
        subcategories="/".join(sorted(subs)))]


def e7_conditions_unverified(ctx: RuleContext) -> list[Finding]:
    j = ctx.match.e7
    if j is None or j.decision != "conditions" or first_excluded(ctx):
        return []
    open_ = [c for c in j.conditions if not c.shown]
    setting = any(c.kind in ("setting", "cuisine") for c in open_)
    finding = make_finding(
        E7_CONDITIONS_UNVERIFIED, "default",
        [evidence("job_title", ctx.fields.job_title), evidence("duties", ctx.fields.duties)],
        code=j.code, occupation=j.occupation, subcategory=j.subcategory,
        conditions="; ".join(c.text for c in open_),
        conditions_ko="; ".join(c.text_ko for c in open_))
    return [finding if setting else finding.model_copy(update={"severity": Severity.low})]


SPECS = [NOT_E7_ELIGIBLE, WRONG_SUBCATEGORY, EXCLUDED_EXAMPLE, E7_CONDITIONS_UNVERIFIED]
CHECKS = [not_e7_eligible, wrong_subcategory, excluded_example, e7_conditions_unverified]
