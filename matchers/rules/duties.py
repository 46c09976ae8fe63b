"""Rules on the duties clause itself: is it specific enough to show the occupation?"""

from __future__ import annotations

import re
import unicodedata

from matchers.records import Finding, Severity
from matchers.rules.context import RuleContext, evidence
from matchers.rules.lexicon import BOILERPLATE_PATTERNS, DUTY_STOPWORDS
from matchers.rules.spec import make_finding, rule

VAGUE_DUTIES = rule(
    "vague_duties", Severity.medium,
    "The duties are too short or only boilerplate ('회사가 지시하는 업무', 'as assigned by the "
    "company'), so they do not show the occupation.",
    "MOJ stay manual 2026.9 pp.213-215 (occupation judged by actual duties); "
    "E-7-4 contract sample p.319 (specific duties must be written)")

# Informative length under which duties say too little: Hangul syllables + Latin letters / 2.5
# (an English word carries about as much as 2-3 syllables).
MIN_INFORMATIVE = 6.0
_WORD = re.compile(r"[0-9a-z&+#.\-]+|[가-힣]+")
_PARTICLE = re.compile(r"(을|를|이|가|은|는|의|에|와|과|로|으로|에서)$")


def informative_size(text: str) -> float:
    """How much of the duties text describes work once boilerplate and filler are gone."""
    rest = unicodedata.normalize("NFKC", text or "").lower()
    for pattern in BOILERPLATE_PATTERNS:
        rest = pattern.sub(" ", rest)
    size = 0.0
    for word in _WORD.findall(rest):
        word = _PARTICLE.sub("", word) if word[0] >= "가" else word
        if word in DUTY_STOPWORDS or len(word) < 2:
            continue
        size += len(word) if word[0] >= "가" else len(word) / 2.5
    return size


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
