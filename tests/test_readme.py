"""README promises that must stay true: two set-up commands, CI runs the same, rules table."""

from __future__ import annotations

import re
from pathlib import Path

from matchers.rules.table import with_rules_block

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    setup = README.split("## Set-up: two commands", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", setup, flags=re.MULTILINE)
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert [line for line in ci.splitlines() if line.startswith("make ")] == ["make test"]


def test_rules_table_in_readme_is_current():
    assert README == with_rules_block(README), "run `python -m matchers.rules`"
