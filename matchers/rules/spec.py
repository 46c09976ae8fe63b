"""The rules table (one RuleSpec per rule) and the builder that turns a rule hit into a Finding."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from string import Template

from extractors.errors import ReferenceDataError
from extractors.records import Record
from matchers.records import Finding, FindingEvidence, Severity
from matchers.rules.korean import resolve_particles

TEXTS_FILE = "findings.toml"
_REGISTRY: dict[str, RuleSpec] = {}


class RuleSpec(Record):
    id: str  # stable rule id, e.g. "generic_title"
    severity: Severity  # severity of every finding the rule raises
    description: str  # what the rule checks, one sentence
    source: str  # where the rule comes from, e.g. "MOJ stay manual 2026.9 p.230"


def rule(rule_id: str, severity: Severity, description: str, source: str) -> RuleSpec:
    """Declare a rule; its row joins the rules table."""
    spec = RuleSpec(id=rule_id, severity=severity, description=description, source=source)
    _REGISTRY[rule_id] = spec
    return spec


@cache
def texts() -> dict[str, dict[str, dict[str, str]]]:
    """Finding texts by rule id and variant, from matchers/rules/templates/findings.toml."""
    try:
        raw = resources.files("matchers.rules").joinpath("templates", TEXTS_FILE).read_text("utf-8")
        return tomllib.loads(raw)
    except (FileNotFoundError, tomllib.TOMLDecodeError) as e:
        raise ReferenceDataError(f"finding texts unreadable: {e}") from e


def _fill(template: str, params: dict[str, object]) -> str:
    return Template(template).substitute(params).strip()


def phrase(key: str, **params: object) -> tuple[str, str]:
    """(English, Korean) wording of a phrase that findings embed, e.g. an annualisation."""
    t = texts()["phrases"][key]
    return _fill(t["en"], params), _fill(t["ko"], params)


def make_finding(spec: RuleSpec, variant: str, evidence: list[FindingEvidence],
                 **params: object) -> Finding:
    """A Finding of `spec` worded by the `variant` texts, filled with `params`; the Korean texts
    with each particle written both ways (`은(는)`) in the form its noun takes, so every output
    (JSON as well as the reports) reads grammatically."""
    t = texts()[spec.id][variant]
    return Finding(
        rule=spec.id,
        severity=spec.severity,
        message=_fill(t["message_en"], params),
        message_ko=resolve_particles(_fill(t["message_ko"], params)),
        recommendation=_fill(t["recommendation_en"], params),
        recommendation_ko=resolve_particles(_fill(t["recommendation_ko"], params)),
        evidence=evidence,
    )
