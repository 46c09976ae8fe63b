"""The rules table as text for `ksoc-audit rules` and as Markdown for docs/RULES.md."""

from __future__ import annotations

import textwrap
from pathlib import Path

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "RULES.md"


def _rules():
    from matchers.rules import RULES

    return RULES


def format_rules_table(width: int = 100) -> str:
    """Plain-text rules table: id, severity, description and source, wrapped to `width`."""
    rules = _rules()
    id_w = max(len(r.id) for r in rules)
    lines = [f"{'rule':<{id_w}}  {'severity':<8}  description / source", "-" * width]
    body_w = max(20, width - id_w - 12)
    for r in rules:
        text = textwrap.wrap(r.description, body_w) + textwrap.wrap(f"source: {r.source}", body_w)
        lines.append(f"{r.id:<{id_w}}  {r.severity.value:<8}  {text[0]}")
        lines += [f"{'':<{id_w}}  {'':<8}  {t}" for t in text[1:]]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    """docs/RULES.md, generated from RULES (regenerate: python -m matchers.rules)."""
    head = ["# Visa rules", "",
            ("Generated from `matchers.rules.RULES` by `python -m matchers.rules`; "
            "do not edit by hand."), "",
            "| rule | severity | what it checks | source |", "|---|---|---|---|"]
    rows = [f"| `{r.id}` | {r.severity.value} | {_cell(r.description)} | {_cell(r.source)} |"
            for r in _rules()]
    return "\n".join(head + rows) + "\n"


def write_rules_doc(path: Path = DOC_PATH) -> Path:
    path.write_text(rules_markdown(), encoding="utf-8")
    return path
