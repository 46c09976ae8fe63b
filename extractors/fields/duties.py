"""Duties (업무의 내용, 담당업무, 직무내용, Job Description) as written, over several lines."""

from __future__ import annotations

import re

from extractors.records import FieldValue
from extractors.text import collapse

from .document import Doc, Hit, evidence, find_all, find_sentence
from .labels import LABELS

_MIN_CHARS = 2


def _priority(hit: Hit) -> int:
    key = re.sub(r"\s+", "", hit.label).lower()
    labels = [re.sub(r"\s+", "", label).lower() for label in LABELS["duties"]]
    return labels.index(key) if key in labels else 99


def _clean(value: str) -> str:
    lines = [line.strip(" -·•") for line in value.split("\n")]
    return "\n".join(line for line in lines if line)


def extract_duties(doc: Doc) -> FieldValue:
    hits = [h for h in find_all(doc, "duties", multiline=True) if len(collapse(h.value)) >= _MIN_CHARS]
    if not hits:
        hit = find_sentence(doc, ("담당업무", "업무"))
        return FieldValue(**evidence(doc, hit, _clean(hit.value))) if hit else FieldValue()
    hit = min(hits, key=_priority)
    return FieldValue(**evidence(doc, hit, _clean(hit.value)))
