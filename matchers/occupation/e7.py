"""E-7 eligibility of one KSCO7 candidate, honouring the list's excluded examples."""

from __future__ import annotations

from typing import Any

from matchers.knowledge.load import E7Occupation, Knowledge
from matchers.knowledge.text import title_key

_SCOPE_ORDER = {"detail": 0, "unit": 1, "group": 2}


def excluded_by(occ: E7Occupation, title: str | None) -> str | None:
    """The excluded example the title names, if any."""
    if not title:
        return None
    key = title_key(title)
    for example in occ.excluded_examples:
        ex = title_key(example)
        if ex and len(ex) >= 2 and (ex == key or (len(ex) >= 3 and ex in key)):
            return example
    return None


def e7_fields(kb: Knowledge, code: str, title: str | None) -> dict[str, Any]:
    """subcategory / occupation / evidence for a candidate code."""
    occs = sorted(kb.e7_for_code(code), key=lambda o: _SCOPE_ORDER.get(o.scope, 3))
    evidence = []
    for occ in occs:
        hit = excluded_by(occ, title)
        if hit:
            evidence.append(f"E-7 excluded: '{hit}' is listed as not eligible for {occ.name_ko} "
                            f"({occ.subcategory})")
            return {"subcategory": None, "occupation": None, "evidence": evidence}
    if not occs:
        return {"subcategory": None, "occupation": None, "evidence": evidence}
    occ = occs[0]
    evidence.append(f"E-7 list: {occ.name_ko} ({occ.subcategory}, {occ.seq})")
    return {"subcategory": occ.subcategory, "occupation": occ.name_ko, "evidence": evidence}
