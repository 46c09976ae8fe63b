"""Rules on the duties clause itself: is it specific enough to show the occupation?"""

from __future__ import annotations

from matchers.knowledge.lexicon import MIN_INFORMATIVE, informative_size
from matchers.records import Finding, Severity
from matchers.rules.context import RuleContext, evidence
from matchers.rules.spec import make_finding, rule

VAGUE_DUTIES = rule(
    "vague_duties", Severity.medium,
    "The duties are too short or only boilerplate ('회사가 지시하는 업무', 'as assigned by the "
    "company'), so they do not show the occupation.",
    "MOJ stay manual 2026.9 pp.213-215 (occupation judged by actual duties); "
    "E-7-4 contract sample p.319 (specific duties must be written)")

def vague_duties(ctx: RuleContext) -> list[Finding]:
    text = ctx.duties_text.strip()
    if not text:
        return []  # missing_duties
    size = informative_size(text)
    if size >= MIN_INFORMATIVE:
        return []
    return [make_finding(VAGUE_DUTIES, "default", [evidence("duties", ctx.fields.duties)],
                         duties=text[:120])]


SPECS = [VAGUE_DUTIES]
CHECKS = [vague_duties]
