"""Build matchers/rules/data/visa_reference.json (GNI, occupation wage rules, F-2-7 income bands).

Reads gni.csv, e7_occupations.csv and f27_points.md from the shared reference folder and checks
that the hand-maintained year table matchers/rules/data/visa_thresholds.toml agrees with the manual's
2026 floors quoted in e7_occupations.csv. Run: `.venv/bin/python scripts/import_visa_data.py`.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_NAME = "visa_reference.json"
FLOOR_TEXT = re.compile(r"^(E-7-\d)(?::| 2026 floor:) .*?KRW ([\d.]+)M")
GNI_SHARE = re.compile(r"(?:GNI per capita.*?x (\d+)%|income >= (\d+(?:\.\d+)?)x GNI)")
FIXED = re.compile(r"^KRW ([\d.]+)M/yr")
BAND = re.compile(r"^(?:≥ )?(\d+)M?(?:-(\d+)M)?$")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _release_date(text: str) -> str:
    found = re.findall(r"\d{4}-\d{2}(?:-\d{2})?", text)
    return max(found) if found else ""


def _gni_rank(row: dict[str, str]) -> tuple:
    return (int(row["national_accounts_base_year"]), _release_date(row["bok_release"]))


def select_gni(rows: list[dict[str, str]]) -> list[dict]:
    """Per year, the KRW figure on the newest base year, then the newest release."""
    best: dict[int, dict[str, str]] = {}
    for row in rows:
        if not row["gni_per_capita_krw"]:
            continue
        year = int(row["year"])
        if year not in best or _gni_rank(row) > _gni_rank(best[year]):
            best[year] = row
    return [_gni_entry(year, best[year]) for year in sorted(best)]


def _gni_entry(year: int, row: dict[str, str]) -> dict:
    return {
        "year": year,
        "krw": int(row["gni_per_capita_krw"]),
        "base_year": int(row["national_accounts_base_year"]),
        "status": row["status"],
        "release": row["bok_release"],
    }


def parse_wage_rule(text: str) -> dict | None:
    """Occupation-specific wage rule from the manual's summary, or None for the general floor."""
    text = text.strip()
    if not text or FLOOR_TEXT.match(text):
        return None
    if share := GNI_SHARE.search(text):
        pct, multiple = share.groups()
        return {"kind": "gni_share", "share": int(pct) / 100 if pct else float(multiple)}
    if fixed := FIXED.match(text):
        return {"kind": "fixed", "amount_krw": round(float(fixed.group(1)) * 1_000_000)}
    if text.startswith("minimum wage"):
        return {"kind": "minimum_wage"}
    return {"kind": "manual"}


def _codes(row: dict[str, str]) -> list[str]:
    keys = ("ksco_code", "ksco7_equiv", "ksco8_equiv", "ksco_code_old", "ksco_code_detail_section")
    return sorted({row[k] for k in keys if row[k]})


def occupation_rules(rows: list[dict[str, str]]) -> list[dict]:
    """Wage rules that override the sub-category floor, one per E-7 occupation."""
    rules = []
    for row in rows:
        rule = parse_wage_rule(row["wage_floor_2026"])
        if rule is None:
            continue
        rule.update({"e7_occupation": row["name_ko"], "subcategory": row["subcategory"],
                     "codes": _codes(row), "text": row["wage_floor_2026"],
                     "source": f"MOJ stay manual 2026.9 {row['source_pages']}"})
        rules.append(rule)
    return rules


def manual_floors(rows: list[dict[str, str]]) -> dict[str, int]:
    """Sub-category floors as quoted in the CSV's wage_floor_2026 column."""
    floors: dict[str, int] = {}
    for row in rows:
        if m := FLOOR_TEXT.match(row["wage_floor_2026"].strip()):
            floors.setdefault(m.group(1), round(float(m.group(2)) * 1_000_000))
    return floors


def _table_after(lines: list[str], heading: str) -> tuple[list[str], list[str]]:
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = [line for line in lines[start + 1:start + 5] if line.startswith("|")]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    return cells[0], cells[2]


def _band(label: str, points: str) -> dict:
    if label.startswith("min. wage"):
        high = int(label.split("–")[1].strip().rstrip("M"))
        return {"min_krw": None, "max_krw": high * 1_000_000, "points": int(points),
                "label": label, "min_is_minimum_wage": True}
    m = BAND.match(label)
    if not m:
        raise ValueError(f"unreadable F-2-7 income band {label!r}")
    low, high = int(m.group(1)), m.group(2)
    return {"min_krw": low * 1_000_000, "max_krw": int(high) * 1_000_000 if high else None,
            "points": int(points), "label": label, "min_is_minimum_wage": False}


def f27_income_bands(text: str) -> list[dict]:
    """The F-2-7 annual-income table (연간 소득) as bands, highest first."""
    labels, points = _table_after(text.splitlines(), "### Annual income")
    if len(labels) != len(points):
        raise ValueError("F-2-7 income table: header and points differ in length")
    return [_band(label, pts) for label, pts in zip(labels, points, strict=True)]


def check_thresholds(toml_path: Path, floors: dict[str, int]) -> None:
    """Fail when the hand-kept 2026 floors disagree with the manual's quoted floors."""
    data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    kept = data["years"]["2026"]["floors_krw"]
    for sub, amount in floors.items():
        if kept.get(sub) != amount:
            raise SystemExit(
                f"{toml_path.name}: 2026 {sub} floor {kept.get(sub)} != manual {amount}")


def build(data_dir: Path) -> dict:
    e7_rows = read_csv(data_dir / "e7_occupations.csv")
    return {
        "source": "shared/data: gni.csv, e7_occupations.csv, f27_points.md",
        "gni": select_gni(read_csv(data_dir / "gni.csv")),
        "occupation_wage_rules": occupation_rules(e7_rows),
        "f27_income_bands": f27_income_bands((data_dir / "f27_points.md").read_text("utf-8")),
        "manual_floors_2026": manual_floors(e7_rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(REPO / "matchers" / "rules" / "data"))
    args = parser.parse_args(argv)
    out_dir = Path(args.out)
    payload = build(Path(args.data_dir))
    check_thresholds(REPO / "matchers" / "rules" / "data" / "visa_thresholds.toml",
                     payload["manual_floors_2026"])
    text = json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (out_dir / OUT_NAME).write_text(text, encoding="utf-8")
    print(f"wrote {out_dir / OUT_NAME}: {len(payload['gni'])} GNI years, "
          f"{len(payload['occupation_wage_rules'])} occupation wage rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
