"""`ksoc-audit match` helpers: JSON-lines batch matching and a readable top-5 table."""

from __future__ import annotations

import json
import logging
from typing import Any, TextIO

from matchers.occupation.match import match_texts
from matchers.records import OccupationMatch

log = logging.getLogger(__name__)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def match_line(line: str) -> dict[str, Any]:
    """One input line {"id","title","title_en","duties"} (any may be missing) -> output dict."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as e:
        return {"id": None, "error": f"invalid JSON: {e.msg}", "candidates": [], "needs_review": True}
    if not isinstance(item, dict):
        return {"id": None, "error": "each line must be a JSON object", "candidates": [],
                "needs_review": True}
    match = match_texts(_text(item.get("title")), _text(item.get("title_en")),
                        _text(item.get("duties")))
    return {"id": item.get("id"), "candidates": [c.model_dump() for c in match.candidates],
            "needs_review": match.needs_review, "review_reason": match.review_reason,
            "generic_title": match.generic_title, "reference_version": match.reference_version,
            "e7": match.e7.model_dump() if match.e7 else None}


def run_match_jsonl(in_stream: TextIO, out_stream: TextIO) -> int:
    """Match every non-blank input line; returns the number of lines written."""
    written = 0
    for line in in_stream:
        if line.strip():
            out_stream.write(json.dumps(match_line(line), ensure_ascii=False) + "\n")
            written += 1
    return written


def format_top5(match: OccupationMatch) -> str:
    """Plain-text table of the combined top-5 candidates with E-7 status and review flag."""
    lines = [f"{'#':>2}  {'KSCO7':<5}  {'KSCO8':<5}  {'score':>5}  {'E-7':<6}  name"]
    for i, c in enumerate(match.candidates, 1):
        e7 = c.e7_subcategory or "-"
        name = f"{c.name_ko} / {c.name_en}" if c.name_en else c.name_ko
        lines.append(f"{i:>2}  {c.code:<5}  {c.ksco8_code or '-':<5}  {c.score:5.2f}  {e7:<6}  {name}")
        if c.evidence:
            lines.append(f"{'':>9}evidence: {'; '.join(c.evidence[:3])}")
    if not match.candidates:
        lines.append("    (no candidates)")
    flag = f"REVIEW: {match.review_reason}" if match.needs_review else "confident"
    lines.append(f"{flag}{' | generic title' if match.generic_title else ''}")
    lines += format_e7(match)
    return "\n".join(lines)


_DECISION = {"eligible": "eligible", "conditions": "eligible if its conditions are met",
             "not_eligible": "not on the E-7 list", "unknown": "not judged"}


def format_e7(match: OccupationMatch) -> list[str]:
    """The E-7 judgement: decision, the E-7 occupation and sub-category, each condition."""
    j = match.e7
    if j is None:
        return []
    head = f"E-7: {_DECISION.get(j.decision, j.decision)}"
    if j.occupation:
        head += f" - {j.occupation} ({j.subcategory or '-'}, KSCO {j.code})"
    lines = [head] + ([f"     basis: {j.basis}"] if j.basis else [])
    for c in j.conditions:
        mark = "shown" if c.shown else "to verify"
        lines.append(f"     condition ({c.kind}, {mark}): {c.text_ko} / {c.text}" if c.text_ko
                     else f"     condition ({c.kind}, {mark}): {c.text}")
    return lines
