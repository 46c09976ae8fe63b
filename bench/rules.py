"""Rules benchmark: per-rule precision and recall on labelled generated contracts.

Run as `.venv/bin/python -m bench.rules [--verbose] [--misses] [--set test|heldout|both]`. Each case
of bench.rules_cases (the test set) and bench.rules_cases_heldout (written before tuning) is rendered
by the fixtures package in one of six contract layouts and run through the real pipeline
(extract_document -> match_occupation -> evaluate_rules -> draft_addendum). A second pass feeds
the same cases' true fields straight to the matcher ("direct"), which separates extraction
errors from rule errors.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

from bench import rules_cases, rules_cases_heldout
from bench.rules_cases import Case
from extractors.pipeline import extract_document
from extractors.records import ContractFields, FieldValue, SalaryField, TitleField
from fixtures import make_spec, render_pdf
from fixtures.spec import ContractSpec, with_expected
from matchers.knowledge.load import load_knowledge
from matchers.occupation.match import match_occupation
from matchers.records import Severity
from matchers.rules import RULES, evaluate_rules
from matchers.rules.addendum import draft_addendum

LAYOUTS = ("moel_standard", "foreign_worker_standard", "table_form", "article", "bilingual",
           "offer_letter")
TARGETS = {"generic_title": (0.95, 0.90), "title_duties_conflict": (0.95, 0.90),
           "salary_below_floor": (0.95, 0.90), "vague_duties": (0.95, 0.90)}  # (recall, precision)
COUNTED = {r.id for r in RULES if r.severity is not Severity.low}


def spec_for(case: Case, index: int) -> ContractSpec:
    base = make_spec(1000 + index, scenario=case.scenario, style="monthly")
    spec = replace(base, job_title_ko=case.title_ko, job_title_en=case.title_en,
                   duties_ko=case.duties_ko, duties_en=case.duties_en, salary=case.salary,
                   weekly_hours=case.weekly_hours, stated_visa=case.stated, ksco=case.ksco)
    return with_expected(spec)


def expected(case: Case, layout: str) -> set[str]:
    """Non-low rules a correct audit raises; English-only offer letters lack the Korean title."""
    return set(case.expect) | ({"missing_korean_title"} if layout == "offer_letter" else set())


def direct_fields(spec: ContractSpec) -> ContractFields:
    """The fields a perfect extractor returns for a bilingual rendering of `spec`."""
    s, e = spec.salary, spec.expected
    return ContractFields(
        job_title=TitleField(value=spec.job_title_ko, value_en=spec.job_title_en,
                             rank=spec.rank, found=True),
        duties=FieldValue(value="\n".join(spec.duties_ko), found=True),
        salary=SalaryField(amount_krw=s.amount_krw, period=e["salary_period"],
                           annual_krw=e["annual_krw"], found=s.amount_krw is not None),
        weekly_hours=float(spec.weekly_hours),
        stated_visa=FieldValue(value=spec.stated_visa, found=True),
        contract_start=FieldValue(value=e["contract_start"], found=True),
        employer=FieldValue(value=spec.employer),
        employee_name=FieldValue(value=spec.employee_name))


SETS = {"test": rules_cases.all_cases, "heldout": rules_cases_heldout.all_cases}


def run_one(fields: ContractFields) -> tuple[set[str], list, object, object]:
    match = match_occupation(fields)
    findings = evaluate_rules(fields, match)
    return ({f.rule for f in findings}, findings, draft_addendum(fields, match, findings),
            (fields, match))


def _cands(cands) -> str:
    return " ".join(f"{c.code}:{c.score:.2f}{'*' if c.e7_subcategory else ''}"
                    for c in cands[:5]) or "-"


def describe(case: Case, seen) -> list[str]:
    """What the rules saw for one case: title, duties, and the candidate lists with scores
    (* marks an E-7 code)."""
    fields, match = seen
    t = fields.job_title
    return [(f"      title {t.value!r} / {t.value_en!r}; true code {case.ksco or '-'}; "
            f"note: {case.note or '-'}"),
            f"      duties {(fields.duties.value or '')[:150]!r}",
            f"      title cands   {_cands(match.title_candidates)}",
            f"      title_en cands {_cands(match.title_en_candidates)}",
            f"      duty cands    {_cands(match.duties_candidates)}"]


class Tally:
    """Per-rule TP/FP/FN, high findings on consistent documents, addendum accuracy."""

    def __init__(self, misses: bool = False) -> None:
        self.detail = misses
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.misses: list[str] = []
        self.consistent_high: list[str] = []
        self.drafts = Counter()
        self.layouts: dict[str, Counter] = defaultdict(Counter)

    def add(self, label: str, case: Case, want: set[str], got: set[str], findings, draft,
            seen=None) -> None:
        wrong = False
        for rule in COUNTED:
            key = {(True, True): "tp", (False, True): "fp", (True, False): "fn"}.get(
                (rule in want, rule in got))
            if key:
                self.counts[rule][key] += 1
                if key != "tp":
                    wrong = True
                    self.misses.append(f"{key} {rule:<28} {label} [{case.title_ko}]")
        if case.scenario == "consistent":
            high = [f.rule for f in findings if f.severity is Severity.high]
            if high:
                wrong = True
                self.consistent_high.append(f"{label}: {high}")
        if wrong and self.detail and seen is not None:
            self.misses.extend(describe(case, seen))
        layout = self.layouts[label.split("/")[-1]]
        layout["want"] += len(want & TARGETS.keys())
        layout["hit"] += len(want & got & TARGETS.keys())
        if draft is not None:
            self._draft(label, case, draft)

    def _draft(self, label: str, case: Case, draft) -> None:
        self.drafts["drafts"] += 1
        self.drafts["on_consistent"] += case.scenario == "consistent"
        if case.ksco:
            kb = load_knowledge()
            self.drafts["known"] += 1
            self.drafts["code_right"] += draft.code == case.ksco
            self.drafts["group_right"] += draft.code[:2] == case.ksco[:2]
            self.drafts["inflated"] += bool(kb.e7_for_code(draft.code)) and not kb.e7_for_code(
                case.ksco)
            if draft.code != case.ksco:
                self.misses.append(f"draft {draft.code} (true {case.ksco or '-'}) {label} "
                                   f"[{case.title_ko}] sponsorship={draft.change_sponsorship}")

    def report(self, title: str, verbose: bool) -> bool:
        verbose = verbose or self.detail
        print(f"\n## {title}\n")
        print(f"{'rule':<28} {'TP':>4} {'FP':>4} {'FN':>4} {'recall':>7} {'precision':>9}  target")
        ok = True
        for rule in sorted(COUNTED, key=[r.id for r in RULES].index):
            c = self.counts[rule]
            rec, prec = _ratio(c["tp"], c["tp"] + c["fn"]), _ratio(c["tp"], c["tp"] + c["fp"])
            target = TARGETS.get(rule)
            met = target is None or (rec >= target[0] and prec >= target[1])
            ok &= met
            mark = "" if target is None else ("met" if met else "MISSED")
            print(f"{rule:<28} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4} {_pct(rec):>7} "
                  f"{_pct(prec):>9}  {mark}")
        print(f"\nconsistent documents with a high-severity finding: {len(self.consistent_high)}")
        ok &= not self.consistent_high
        d = self.drafts
        print(f"addendum drafts: {d['drafts']} (on consistent documents: {d['on_consistent']}); "
              f"of {d['known']} with a known true code: code right {d['code_right']}, same "
              f"2-digit group {d['group_right']}, E-7 code for non-E-7 work {d['inflated']}")
        hits = {lay: f"{c['hit']}/{c['want']}" for lay, c in sorted(self.layouts.items())}
        print(f"target-rule recall per layout: {hits}")
        for line in (self.consistent_high + self.misses) if verbose else self.consistent_high:
            print("  ", line)
        return ok


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def run_set(name: str, cases: list[Case], *, verbose: bool, misses: bool,
            direct_only: bool) -> bool:
    piped, direct, t0 = Tally(misses), Tally(misses), time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(cases):
            layout, spec = LAYOUTS[i % len(LAYOUTS)], spec_for(case, i)
            label = f"#{i:03d} {case.scenario}/{layout}"
            if not direct_only:
                path = Path(tmp) / f"case{i:03d}.pdf"
                path.write_bytes(render_pdf(spec, layout))
                got, findings, draft, seen = run_one(extract_document(path).fields)
                piped.add(label, case, expected(case, layout), got, findings, draft, seen)
            got, findings, draft, seen = run_one(direct_fields(spec))
            direct.add(f"#{i:03d} {case.scenario}/direct", case, set(case.expect), got,
                       findings, draft, seen)
    scenarios = Counter(c.scenario for c in cases)
    print(f"\n# bench.rules [{name} set]: {len(cases)} documents, {dict(scenarios)}, "
          f"{time.perf_counter() - t0:.1f} s")
    ok = True
    if not direct_only:
        ok = piped.report(f"{name}: pipeline (render -> extract -> match -> rules)", verbose)
    ok_direct = direct.report(f"{name}: direct (true fields -> match -> rules)", verbose)
    ok = ok_direct if direct_only else ok
    print(f"\ntargets {'met' if ok else 'NOT met'} on the {name} set's "
          f"{'direct' if direct_only else 'pipeline'} run")
    return ok


DEVSET_BASELINE = "91c932f"  # the build before the matcher's occupation decision (stop 19)


def devset_truth(baseline: str) -> None:
    """The devset's true fields through match and rules, ours beside the baseline build's."""
    import json
    import subprocess
    import sys

    from bench import rules_devset
    from bench.devset import checkout

    if not (rules_devset.DEVSET / "ground_truth.jsonl").exists():
        print(f"\ndevset truth: {rules_devset.DEVSET} not found, skipped")
        return
    t0 = time.perf_counter()
    ours = rules_devset.evaluate(rules_devset.truth_rows())
    base = None
    if baseline != "none":
        tree = checkout(baseline)
        out = subprocess.run([sys.executable, str(Path(rules_devset.__file__)), str(tree)],
                             cwd=tree, check=True, capture_output=True, text=True).stdout
        base = json.loads(out)
    print(f"\n# bench.rules [devset truth]: {ours['n']} readable contracts of ../shared/devset, "
          f"true fields -> match -> rules (extraction removed); baseline = build {baseline}; "
          f"{time.perf_counter() - t0:.1f} s")
    print(f"{'rule':24s} {'TP':>9s} {'FP':>9s} {'FN':>9s}   ours / baseline")
    for rule, c in ours["rules"].items():
        b = base["rules"].get(rule, {}) if base else {}
        cells = [f"{c.get(k, 0):3d} / {b.get(k, 0) if base else '-':>3}" for k in ("tp", "fp", "fn")]
        print(f"{rule:24s} " + " ".join(f"{x:>9s}" for x in cells))
    b_high = base["consistent_high"] if base else "-"
    print(f"consistent contracts with an unexpected high-severity finding: "
          f"{ours['consistent_high']}/{ours['consistent']} (baseline {b_high}; target 0)")


def run(verbose: bool = False, *, sets: tuple[str, ...] = ("test", "heldout"),
        misses: bool = False, direct_only: bool = False, baseline: str = DEVSET_BASELINE) -> bool:
    results = [run_set(name, SETS[name](), verbose=verbose, misses=misses,
                       direct_only=direct_only) for name in sets]
    devset_truth(baseline)
    return all(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--misses", action="store_true",
                        help="list every miss with the case's title, duties and candidate scores")
    parser.add_argument("--set", choices=("test", "heldout", "both"), default="both")
    parser.add_argument("--direct-only", action="store_true",
                        help="skip rendering and extraction (true fields only)")
    parser.add_argument("--baseline", default=DEVSET_BASELINE,
                        help="git ref of the build the devset section compares with, or 'none'")
    args = parser.parse_args(argv)
    sets = ("test", "heldout") if args.set == "both" else (args.set,)
    run(args.verbose, sets=sets, misses=args.misses, direct_only=args.direct_only,
        baseline=args.baseline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
