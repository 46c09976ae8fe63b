"""The visa rules on the devset's true fields: ground truth -> match -> rules, extraction removed.

`../shared/devset/ground_truth.jsonl` holds every contract's printed title, duties, pay, dates and
stated visa, and the findings its README's mechanical rules expect. Feeding those values straight
into the matcher and the rules measures the occupation judgement and the rules alone, per rule
(TP/FP/FN), and counts consistent contracts carrying a high-severity finding they should not.

This file imports only the product's public API (records, `match_occupation`, `evaluate_rules`),
so `bench.rules` runs it on the current tree in-process and on the baseline build's tree in a
subprocess (`python bench/rules_devset.py CODE_DIR` prints JSON).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "devset"
RULES = ("generic_title", "title_duties_conflict", "vague_duties", "not_e7_eligible",
         "wrong_subcategory", "salary_below_floor", "missing_salary", "missing_title",
         "missing_duties")


def truth_rows(devset: Path = DEVSET) -> list[dict]:
    """Readable contracts of the devset (no expected error)."""
    lines = (devset / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [r for r in rows if r.get("is_contract") and not r.get("expected_error")]


def true_fields(row: dict):
    """ContractFields a perfect extractor returns for the row."""
    from extractors.records import ContractFields, FieldState, FieldValue, SalaryField, TitleField

    def value(text, cls=FieldValue, **extra):
        state = FieldState.found if text else FieldState.not_stated
        return cls(value=text or None, found=bool(text), state=state,
                   confidence=0.95 if text else 0.0, **extra)

    f = row["fields"]
    ko, en = f.get("job_title_ko"), f.get("job_title_en")
    amount = f.get("salary_amount_krw")
    salary = SalaryField(amount_krw=amount, period=f.get("salary_period") if amount else None,
                         annual_krw=row.get("salary_annual_krw"), found=amount is not None,
                         state=FieldState.found if amount else FieldState.not_stated,
                         confidence=0.95 if amount else 0.0)
    return ContractFields(
        language=row.get("language") or "ko",
        job_title=value(ko or en, TitleField, value_en=en if ko else None),
        duties=value(f.get("duties") or f.get("duties_en")), salary=salary,
        stated_visa=value(f.get("stated_visa")), contract_start=value(f.get("contract_start")),
        weekly_hours=40.0)


def evaluate(rows: list[dict]) -> dict:
    """Per rule TP/FP/FN, and consistent contracts with an unexpected high-severity finding."""
    try:
        from matchers.occupation.match import match_occupation
    except ModuleNotFoundError:  # a baseline checkout from before the matchers wings
        from matchers.match import match_occupation  # type: ignore[no-redef]
    from matchers.rules import evaluate_rules

    tally = {rule: Counter() for rule in RULES}
    consistent = flagged = 0
    for row in rows:
        fields = true_fields(row)
        findings = evaluate_rules(fields, match_occupation(fields))
        got = {f.rule for f in findings if f.rule in tally}
        want = set(row.get("expected_findings") or ()) & set(RULES)
        for rule in RULES:
            tally[rule]["tp"] += rule in got and rule in want
            tally[rule]["fp"] += rule in got and rule not in want
            tally[rule]["fn"] += rule in want and rule not in got
        if row.get("scenario") == "consistent":
            consistent += 1
            flagged += any(str(f.severity) == "high" and f.rule not in want for f in findings)
    return {"rules": {r: dict(c) for r, c in tally.items()}, "consistent": consistent,
            "consistent_high": flagged, "n": len(rows)}


def main(argv: list[str]) -> int:
    if argv:  # run against another build's code (the baseline tree)
        sys.path.insert(0, argv[0])
    print(json.dumps(evaluate(truth_rows())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
