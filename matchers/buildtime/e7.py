"""Resolve the MOJ E-7 list (mixed KSCO revisions, 5-digit and S-codes) to KSCO7 and KSCO8 units."""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger(__name__)

# S-codes and codes outside both tables: nearest KSCO7 code, with the reason (manual p.214:
# 'S' marks a MOJ sub-occupation of the nearest code)
_OVERRIDES_7: dict[str, tuple[str, str]] = {
    "S110": ("1110", "S110 has no KSCO code 110; nearest unit 1110 includes 공공단체 임원"),
    "S2353": ("2353", "S-code of KSCO 2353 (same code in KSCO7 and KSCO8)"),
    "S2721": ("2620", "S-code of KSCO8 2721; old S2620 = KSCO7 2620"),
    "S2843": ("2743", "S-code of KSCO8 2843; old S2743 = KSCO7 2743"),
    "S2955": ("2855", "S-code of KSCO8 2955; old S2855 = KSCO7 2855"),
    "S3612": ("3922", "S-code of KSCO8 3612; old S3922 = KSCO7 3922"),
    "S8417": ("8417", "S-code of KSCO 8417 (same in KSCO7 and KSCO8)"),
    "S85411": ("85410", "S-code of 85411; KSCO7 unit 8541 자동차 조립원"),
    "S75104": ("75104", "S-code of KSCO7 75104 자동차 판금 정비원"),
    "S71032": ("71032", "S-code of KSCO7 71032 도축원"),
    "S85513": ("855", "S-code of 85513; KSCO7 minor group 855 has the single unit 8550"),
    "S740": ("74", "S-code of group 740; KSCO7 middle group 74 금속 성형 관련 기능직"),
    "S610": ("61", "S-code of group 610; KSCO7 middle group 61 농·축산 숙련직"),
    # The E-7-4 track admits former E-9/E-10/H-2 workers of manufacturing and construction by
    # industry, not by one KSCO group: craft workers (major group 7) and the machine operators
    # and assemblers who make up most manufacturing E-9 work (major group 8; CNC operators,
    # injection moulding operators). Elementary workers (major group 9) are not skilled.
    "S700": ("7;8", ("S-code of group 700; KSCO7 major groups 7 기능원 및 관련 기능 종사자 and 8 "
                     "장치·기계 조작 및 조립 종사자")),
}
_OVERRIDES_8: dict[str, str] = {"S110": "1112", "S2721": "2721", "S2843": "2843",
                                "S2955": "2955", "S3612": "3612", "S85513": "8551"}


def split_list(text: str) -> list[str]:
    """Split a '; '-joined example list, dropping a trailing '등' (etc.)."""
    items = []
    for item in (text or "").split(";"):
        item = item.strip()
        if item.endswith(" 등"):
            item = item[:-2].strip()
        if item:
            items.append(item)
    return items


def units_under(code: str, table: dict[str, dict[str, Any]]) -> list[str]:
    """Unit codes a code stands for: itself, its unit (5-digit) or its group's units."""
    row = table.get(code)
    if row is None and len(code) == 5:
        return units_under(code[:4], table)
    if row is None:
        return []
    if row["level"] == "unit":
        return [code]
    if row["level"] == "detailed":
        return [row["parent_code"]]
    return sorted(c for c, r in table.items() if r["level"] == "unit" and c.startswith(code))


def _drop_excluded(row: dict[str, Any], units7: list[str], units8: list[str],
                   crosswalk: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """Group occupations whose excluded examples name KSCO7 units (e.g. 한식조리사 4411) lose them."""
    named = set(re.findall(r"(?<!\d)(\d{4})(?!\d)", row["excluded_examples"]))
    dropped = [u for u in units7 if u in named and len(units7) > 1]
    gone8 = {crosswalk.get(u) for u in dropped}
    return ([u for u in units7 if u not in dropped], [u for u in units8 if u not in gone8],
            dropped)


def _scope(code: str, table: dict[str, dict[str, Any]]) -> str:
    row = table.get(code) or table.get(code[:4]) or {}
    level = row.get("level", "")
    return {"unit": "unit", "detailed": "detail"}.get(level, "group" if level else "none")


def _ksco7_side(row: dict[str, Any], k7: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """KSCO7 code (any level) for a row and the reason."""
    printed = row["ksco_code"]
    if row["ksco7_equiv"]:
        return row["ksco7_equiv"], f"KSCO7 {row['ksco7_equiv']} by title ({row['code_basis']})"
    if printed in _OVERRIDES_7:
        return _OVERRIDES_7[printed]
    return "", f"unresolved: {row['code_basis'] or 'no occupation code'}"


def resolve_e7_row(row: dict[str, Any], k7: dict[str, dict[str, Any]], k8: dict[str, dict[str, Any]],
                   crosswalk: dict[str, str]) -> dict[str, Any]:
    """One E-7 row as the E7Occupation dict, resolved to both revisions."""
    code7, reason = _ksco7_side(row, k7)
    units7 = sorted({u for part in code7.split(";") for u in units_under(part, k7)}) if code7 else []
    code7 = code7.split(";")[0]  # the first group names the scope
    code8 = row["ksco8_equiv"] or _OVERRIDES_8.get(row["ksco_code"], "")
    units8 = units_under(code8, k8) if code8 else []
    if not units8 and "KSCO8" in row["code_basis"] and row["ksco_code"][:1].isdigit():
        units8 = units_under(row["ksco_code"][:4], k8)
    if not units8:
        units8 = sorted({crosswalk[u] for u in units7 if crosswalk.get(u)})
    if code7 and not units7:
        reason = f"unresolved: {code7} is not a KSCO7 code"
    units7, units8, dropped = _drop_excluded(row, units7, units8, crosswalk)
    if dropped:
        reason += f"; excluded by the list: {', '.join(dropped)}"
    detail = code7 if len(code7) == 5 and k7.get(code7, {}).get("level") == "detailed" else None
    return {
        "seq": row["seq"], "code": row["ksco_code"], "name_ko": row["name_ko"],
        "subcategory": row["subcategory"], "ksco7_codes": units7, "ksco8_codes": units8,
        "ksco7_detail": detail, "scope": _scope(code7, k7) if units7 else "none",
        "resolution": reason,
        "included_examples": split_list(row["included_examples"]),
        "excluded_examples": split_list(row["excluded_examples"]),
        "wage_rule": row["wage_floor_2026"], "requirements": row["requirements"],
        "employer_requirements": row["employer_requirements"],
    }
