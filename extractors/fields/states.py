"""Each field's state: found, not_stated or unreadable, and the problems unreadable fields raise.

`not_stated` is a claim about the contract ("it does not say"), so it is made only when no label
of the field was seen at all. A label whose value could not be read (an OCR page, a value only
read with low confidence, an implausible figure) is `unreadable`: the document becomes `partial`
with a problem naming the field and the page, and no finding treats the value as absent.
"""

from __future__ import annotations

import re

from extractors.records import ContractFields, FieldState, FieldValue, Problem, Route

from .document import Doc
from .labels import LABELS, cell_label, line_pattern
from .registry import FieldSpec

LOW_CONFIDENCE = 0.5  # below it a value read is not trusted as found
# Mean OCR word confidence of a document's OCR pages below which a label may have been misread
# beyond recognition, so a field not found cannot be called absent (devset scans: pages whose
# labels OCR garbled read 0.71-0.82; clean scans 0.84-0.94).
ABSENCE_PROVABLE_OCR = 0.83


def judge_states(doc: Doc, fields: ContractFields, problems: list[Problem],
                 registry: tuple[FieldSpec, ...]) -> tuple[ContractFields, list[Problem]]:
    """The state of each core field of `registry` (its `core` name is the one problems use)."""
    updates, problems = {}, list(problems)
    for spec in registry:
        if spec.core is None:
            continue
        value: FieldValue = getattr(fields, spec.name)
        state, page = _state(doc, value, spec.labels[0])
        updates[spec.name] = value.model_copy(update={"state": state})
        if state is FieldState.unreadable:
            where = f" on page {page}" if page else ""
            problems.append(Problem(code="field_unreadable", page=page, message=(
                f"the {spec.core} could not be read with confidence{where}; check the original and "
                "type the value into the report's review, or supply a clearer scan")))
    return fields.model_copy(update=updates), problems


def _state(doc: Doc, value: FieldValue, label_key: str) -> tuple[FieldState, int | None]:
    if value.found:
        if value.confidence < LOW_CONFIDENCE:
            return FieldState.unreadable, value.page
        return FieldState.found, value.page
    page = _ocr_label_page(doc, label_key) or _poorly_read_page(doc)
    return (FieldState.unreadable, page) if page else (FieldState.not_stated, None)


def _poorly_read_page(doc: Doc) -> int | None:
    """The worst OCR page when the document's OCR pages read too poorly to prove an absence."""
    ocr = [(conf if conf is not None else 0.0, page) for page, (route, conf) in doc.routes.items()
           if route is Route.ocr]
    if not ocr or sum(c for c, _ in ocr) / len(ocr) >= ABSENCE_PROVABLE_OCR:
        return None
    return min(ocr)[1]


def _ocr_label_page(doc: Doc, label_key: str) -> int | None:
    """A page read by OCR where a label of the field is printed (its value was not read)."""
    pattern = re.compile("|".join(r"\s*".join(map(re.escape, re.sub(r"\s+", "", lab))) for lab in LABELS[label_key]
                                  if re.search(r"[가-힣]", lab)))
    for line in doc.lines:
        route, _ = doc.routes.get(line.page, (Route.text_layer, None))
        if route is Route.ocr and (pattern.search(line.text) or line_pattern(label_key).match(line.text)):
            return line.page
    for row in doc.rows:
        route, _ = doc.routes.get(row.page, (Route.text_layer, None))
        if route is Route.ocr and any(cell_label(label_key, c) for c in row.cells):
            return row.page
    return None
