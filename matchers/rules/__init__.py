"""Visa rules: turn contract fields and KSCO candidates into findings HR can act on.

    findings = evaluate_rules(extraction.fields, match_occupation(extraction.fields))
"""

from __future__ import annotations

import logging

from extractors.records import ContractFields
from matchers.records import Finding, OccupationMatch, Severity
from matchers.rules import duties, e7, f27, missing, salary, title
from matchers.rules.context import E7Facts, RuleContext, contract_year
from matchers.rules.spec import RuleSpec
from matchers.rules.table import format_rules_table, rules_markdown
from matchers.rules.visa_data import VisaData, load_visa_data

__all__ = ["RULES", "RuleSpec", "evaluate_rules", "format_rules_table", "rules_markdown"]

log = logging.getLogger(__name__)

FAMILIES = (title, duties, e7, salary, missing, f27)
RULES: list[RuleSpec] = [spec for family in FAMILIES for spec in family.SPECS]
CHECKS = [check for family in FAMILIES for check in family.CHECKS]
_SEVERITY_ORDER = {Severity.high: 0, Severity.medium: 1, Severity.low: 2}
_RULE_ORDER = {spec.id: i for i, spec in enumerate(RULES)}


def _default_knowledge() -> E7Facts:
    from matchers.knowledge.load import load_knowledge

    return load_knowledge()


def evaluate_rules(fields: ContractFields, match: OccupationMatch, *, year: int | None = None,
                   knowledge: E7Facts | None = None, visa: VisaData | None = None
                   ) -> list[Finding]:
    """Every rule's findings for one contract, most severe first.

    `year` picks the thresholds (default: the contract start year, else this year).
    """
    ctx = RuleContext(fields=fields, match=match, year=year or contract_year(fields),
                      kb=knowledge or _default_knowledge(), visa=visa or load_visa_data())
    findings = [f for check in CHECKS for f in check(ctx)]
    findings.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], _RULE_ORDER[f.rule]))
    log.debug("rules: %d findings (%s)", len(findings), ",".join(f.rule for f in findings))
    return findings
