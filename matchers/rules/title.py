"""Rules on the job title: generic titles, titles the duties contradict, language mismatches."""

from __future__ import annotations

from matchers.knowledge.lexicon import generic_kind, has_management_cue
from matchers.occupation.readings import TOP, as_plausible, not_weak, plausible, strong, unambiguous
from matchers.records import Finding, OccupationCandidate, Severity
from matchers.rules.context import RuleContext, evidence, group2
from matchers.rules.spec import make_finding, rule

MANUAL_E7 = "MOJ stay manual 2026.9 pp.213-215, 232-234 (E-7 occupations judged by KSCO code)"
GENERIC_TITLE = rule(
    "generic_title", Severity.high,
    "The title is generic or clerical (사무보조원, 직원, Staff, Office Assistant ...) while the "
    "duties describe a professional occupation (KSCO major 1/2 or E-7-1).", MANUAL_E7)
TITLE_DUTIES_CONFLICT = rule(
    "title_duties_conflict", Severity.high,
    "The title's best KSCO code and the duties' best code (or, when no single code stands out, "
    "their leading 2-digit group) differ in 2-digit group or in E-7 sub-category/eligibility, "
    "and at least one of the two is E-7 work; or the duties give no reading and none of their "
    "readings is the title's E-7 code or sub-category.", MANUAL_E7)
TITLE_DUTIES_REVIEW = rule(
    "title_duties_review", Severity.low,
    "The duties read closer to another occupation than the title's, but the difference does not "
    "decide the E-7 outcome (neither code is E-7 work) or the duties also read as the title's "
    "occupation; HR should confirm the duties describe the titled job.", MANUAL_E7)
MISSING_KOREAN_TITLE = rule(
    "missing_korean_title", Severity.medium,
    "The contract gives the title only in English; the occupation report needs the Korean title.",
    "MOJ stay manual 2026.9 pp.9-11 (외국인 직업 신고서: occupation in Korean KSCO terms)")
TITLE_LANGUAGE_DISAGREEMENT = rule(
    "title_language_disagreement", Severity.medium,
    "The Korean and English titles point to different KSCO 2-digit groups.", MANUAL_E7)



def _exempt(kind: str, code: str, ctx: RuleContext) -> bool:
    """A manager who manages, or a researcher doing science research, is not generic."""
    if kind == "manager":
        return code[:1] == "1" or has_management_cue(ctx.duties_text)
    return kind == "researcher" and code[:2] == "21"


def is_generic_title(ctx: RuleContext) -> bool:
    kind, professional = ctx.title_generic_kind, ctx.duties_professional
    if kind is None or professional is None:
        return False
    return not _exempt(kind, professional.code, ctx)


def generic_title(ctx: RuleContext) -> list[Finding]:
    if not is_generic_title(ctx):
        return []
    d, fix = ctx.duties_professional, ctx.supported_code
    if d is None:  # is_generic_title needs the duties' reading
        return []
    ev = [evidence("job_title", ctx.fields.job_title), evidence("duties", ctx.fields.duties)]
    return [make_finding(GENERIC_TITLE, "default" if fix else "no_code", ev, title=ctx.title_text,
                         code=d.code, name_ko=ctx.unit_name(d.code),
                         name_en=ctx.unit_name_en(d.code), fix_code=fix or "",
                         fix_name=ctx.unit_name(fix) if fix else "")]


def _unsupported(ctx: RuleContext, t: OccupationCandidate) -> OccupationCandidate | None:
    """The duties' first reading when the duties give no reading (`_reading` is None for want
    of one) and none of their readings backs the title's E-7 work: the title names an E-7
    occupation (a generic title such as 'Researcher' names none), and no duty reading is its code or a code of its E-7 sub-category. The title
    then claims E-7 work the duties do not describe, whatever they do describe."""
    subs = ctx.subcategories(t.code)
    cands = ctx.duty_candidates[:TOP]
    if not subs or not cands or ctx.title_generic_kind is not None:
        return None
    if ctx.duties_best is not None or ctx.duties_group is not None:
        return None
    if any(c.code == t.code or ctx.subcategories(c.code) & subs for c in cands):
        return None
    return cands[0]


def _matters(ctx: RuleContext, a: str, b: str) -> bool:
    return group2(a) != group2(b) or ctx.subcategories(a) != ctx.subcategories(b)


def _reading(ctx: RuleContext, t: OccupationCandidate) -> OccupationCandidate | None:
    """The duties' reading to compare with the title's code `t`: their confident best code,
    else the best code of their leading 2-digit group when that group stands out."""
    d = ctx.duties_best
    if d is not None:
        return d
    group = ctx.duties_group
    if group and group[0] != group2(t.code):
        return group[1]
    # no code or group stands out, but the matcher found the duties do not back the title and
    # none of their best readings is in the title's 2-digit group: they describe other work
    dec, cands = ctx.match.decision, ctx.duty_candidates
    if (dec.agree is False and dec.title_code == t.code and not_weak(cands) is not None
            and all(group2(c.code) != group2(t.code) for c in cands[:3])):
        return cands[0]
    return None


def differing_codes(ctx: RuleContext) -> tuple[str, str] | None:
    """(title code, duties code) when the duties read as another occupation than the title,
    different in a way that matters (2-digit group, E-7 sub-category or eligibility).

    A title code the duties also read as (among their best three), or a duty code the title also
    reads as, is one job seen twice: duty readings confuse neighbours (간호사 read as 간호조무사,
    호텔프런트사무원 filed under two codes). Inside one 2-digit group only a strong duty reading
    overrules the title. This is tolerant on purpose: an honest contract must not get a high
    finding. The addendum is strict instead: it never proposes a title code outweighed by a
    stronger duty reading of other E-7 eligibility.
    """
    t = ctx.title_best
    d = (_reading(ctx, t) or _unsupported(ctx, t)) if t else None
    if not t or not d or t.code == d.code or not _matters(ctx, t.code, d.code):
        return None
    if as_plausible(d.code, ctx.match.title_candidates):
        return None
    if group2(t.code) == group2(d.code) and not strong(d):
        return None
    return t.code, d.code


def conflicting_codes(ctx: RuleContext) -> tuple[str, str] | None:
    """Differing codes that decide the E-7 outcome: the duties do not also read as the title's
    occupation, the title names one occupation (`unambiguous`: a title read as several is no
    evidence of a second job), and at least one of the two codes is E-7 work (two non-E-7
    readings fail the same way; not_e7_eligible and excluded_example say so)."""
    codes = differing_codes(ctx)
    if codes is None or ctx.corroborated(codes[0]) or not unambiguous(ctx.match.title_candidates):
        return None
    if not ctx.e7_claim(codes[0]) and not ctx.e7_claim(codes[1]):
        return None  # neither is E-7 work here (a duty-free sales code without a duty-free shop)
    return codes


def _e7_label(ctx: RuleContext, code: str) -> str:
    subs = sorted(ctx.subcategories(code))
    return "/".join(subs) if subs else "not E-7"


def title_duties_conflict(ctx: RuleContext) -> list[Finding]:
    codes = conflicting_codes(ctx)
    if codes is None or is_generic_title(ctx):
        return []
    t, d = codes
    fix = ctx.supported_code
    ev = [evidence("job_title", ctx.fields.job_title), evidence("duties", ctx.fields.duties)]
    return [make_finding(
        TITLE_DUTIES_CONFLICT, "default" if fix else "no_code", ev, title=ctx.title_text,
        fix_name=ctx.unit_name(fix) if fix else "",
        title_code=t, title_name=ctx.unit_name(t), title_e7=_e7_label(ctx, t),
        duties_code=d, duties_name=ctx.unit_name(d), duties_e7=_e7_label(ctx, d))]


def title_duties_review(ctx: RuleContext) -> list[Finding]:
    codes = differing_codes(ctx)
    if codes is None or conflicting_codes(ctx) is not None or is_generic_title(ctx):
        return []
    t, d = codes
    ev = [evidence("job_title", ctx.fields.job_title), evidence("duties", ctx.fields.duties)]
    variant = ("also_title" if ctx.corroborated(t)
               else "not_e7" if unambiguous(ctx.match.title_candidates) else "ambiguous_title")
    return [make_finding(
        TITLE_DUTIES_REVIEW, variant, ev, title=ctx.title_text,
        title_code=t, title_name=ctx.unit_name(t), title_e7=_e7_label(ctx, t),
        duties_code=d, duties_name=ctx.unit_name(d), duties_e7=_e7_label(ctx, d))]


def missing_korean_title(ctx: RuleContext) -> list[Finding]:
    en = ctx.english_title
    if ctx.korean_title or not en:
        return []
    ev = [evidence("job_title", ctx.fields.job_title, snippet=ctx.fields.job_title.snippet or en)]
    d = ctx.duties_best
    if d is None:
        return [make_finding(MISSING_KOREAN_TITLE, "no_code", ev, title_en=en)]
    return [make_finding(MISSING_KOREAN_TITLE, "with_code", ev, title_en=en, code=d.code,
                         name_ko=ctx.unit_name(d.code))]


def title_language_disagreement(ctx: RuleContext) -> list[Finding]:
    ko, en = ctx.title_best, ctx.title_en_best
    if not ko or not en or group2(ko.code) == group2(en.code):
        return []
    m = ctx.match
    if plausible(en.code, m.title_candidates) or plausible(ko.code, m.title_en_candidates):
        return []  # each title also reads as the other's occupation
    ko_text, en_text = ctx.korean_title, ctx.english_title
    if not ko_text or not en_text or generic_kind(ko_text) or generic_kind(en_text):
        return []
    ev = [evidence("job_title", ctx.fields.job_title)]
    return [make_finding(
        TITLE_LANGUAGE_DISAGREEMENT, "default", ev, title_ko=ko_text, title_en=en_text,
        ko_code=ko.code, ko_name=ctx.unit_name(ko.code),
        en_code=en.code, en_name=ctx.unit_name(en.code))]


SPECS = [GENERIC_TITLE, TITLE_DUTIES_CONFLICT, TITLE_DUTIES_REVIEW, MISSING_KOREAN_TITLE,
         TITLE_LANGUAGE_DISAGREEMENT]
CHECKS = [generic_title, title_duties_conflict, title_duties_review, missing_korean_title,
          title_language_disagreement]
