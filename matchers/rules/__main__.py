"""Regenerate docs/RULES.md from the rules table: `python -m matchers.rules`."""

from matchers.rules.table import write_rules_doc

print(f"wrote {write_rules_doc()}")
