"""The sponsored occupation as HR writes it (a KSCO code, an E-7 occupation name, a title)
turned into a KSCO7 unit, its name and its E-7 sub-category."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from matchers.rules.person import e7_subcategory
from reports.people.manifest import sponsored_code, sponsored_subcategory

if TYPE_CHECKING:
    from matchers.knowledge.load import Knowledge


@cache
def _knowledge() -> Knowledge:
    from matchers.knowledge.load import load_knowledge

    return load_knowledge()


def _plain(text: str) -> str:
    return re.sub(r"[\s·ㆍ.,/()-]+", "", unicodedata.normalize("NFKC", text)).lower()


def resolve_sponsored(text: str) -> tuple[str | None, str | None, str | None] | None:
    """(code, Korean name, E-7 sub-category) for the sponsored column; None when unknown.
    A bare sub-category ('E-7-1') resolves to (None, None, 'E-7-1')."""
    kb = _knowledge()
    code = sponsored_code(text)
    if code is not None:
        unit = kb.unit(code)
        if unit is None:
            return None
        return code, unit.name_ko, e7_subcategory(code, kb) or sponsored_subcategory(text)
    words = _plain(re.sub(r"E-?7-?[1-4]", "", text, flags=re.IGNORECASE))
    if not words:
        sub = sponsored_subcategory(text)
        return (None, None, sub) if sub else None
    for occ in kb.e7_occupations:
        if _plain(occ.name_ko) == words and occ.ksco7_codes:
            code = occ.ksco7_codes[0]
            return code, kb.name(code), occ.subcategory
    for unit in kb.units:
        if _plain(unit.name_ko) == words or (unit.name_en and _plain(unit.name_en) == words):
            return unit.code, unit.name_ko, e7_subcategory(unit.code, kb)
    from matchers.occupation.match import match_texts

    korean = bool(re.search(r"[가-힣]", text))
    match = match_texts(title=text if korean else None, title_en=None if korean else text)
    if not match.candidates or match.needs_review:
        return None
    best = match.candidates[0]
    return best.code, best.name_ko, e7_subcategory(best.code, kb)
