"""The parties: employer, business registration number, employee name, nationality, birth date."""

from __future__ import annotations

import re

from extractors.records import FieldValue
from extractors.text import strip_trailing_paren

from .dates import date_field
from .document import Doc, evidence, find, search
from .labels import CellLabel

BRN = re.compile(r"(?<!\d)(?P<v>\d{3}\s?-\s?\d{2}\s?-\s?\d{5})(?!\d)")
BRN_INLINE = re.compile(r"사업자\s*(?:등록)?\s*번호\s*:?\s*(?P<v>\d{3}\s?-\s?\d{2}\s?-\s?\d{5})(?!\d)")
# OCR spaces the quotes and brackets: '( 이하 " 회사 ")'.
_EMPLOYER_PREAMBLE = re.compile(r"^(?P<v>(?:\([^)]*\))?[^()]{2,40}?(?:\([^)]*\))?[^()]{0,30}?)\s*\(\s*이\s*하\s*[\"“']?\s*(?:사업주|회사|갑|사용자)")
_EMPLOYER_OFFER = re.compile(r"^(?P<v>.{2,60}?)\s+[i1l|]s pleased to offer", re.IGNORECASE)  # OCR: '1s'
_EMPLOYEE_PREAMBLE = re.compile(r"(?:과|와|및)\s*(?:\(와\)\s*)?(?P<v>[^()]{2,40}?)\s*\(\s*이\s*하\s*[\"“']?\s*(?:근로자|을)")
_EMPLOYEE_DEAR = re.compile(r"^Dear\s+(?:(?:Mr|Ms|Mrs|Dr)\.?\s+)?(?P<v>[^,]{2,60}),", re.IGNORECASE)
_EMPLOYER_CONTEXT = re.compile(r"사업주|사용자|대표|employer", re.IGNORECASE)


def _clean(value: str) -> str:
    value = value.split("\n")[0]
    value = re.split(r"\s*\(\s*(?:사업자|전화|Tel|대표)", value)[0]  # OCR: "( 사업자"
    # signature marks and, on scans, a table rule read as '|' end the value
    value = re.split(r"\s*\(\s*(?:서\s*명|인|signature|sign)\s*\)|\s+\|(?:\s|$)", value, flags=re.IGNORECASE)[0]
    return strip_trailing_paren(value).strip(" :")


def extract_employer(doc: Doc) -> FieldValue:
    hit = (find(doc, "employer") or search(doc, _EMPLOYER_PREAMBLE, 0.85, "이하 사업주")
           or search(doc, _EMPLOYER_OFFER, 0.8, "offer letter"))
    return FieldValue(**evidence(doc, hit, _clean(hit.value))) if hit and _clean(hit.value) else FieldValue()


def extract_business_reg_no(doc: Doc) -> FieldValue:
    hit = find(doc, "business_reg_no")
    if hit and (m := BRN.search(hit.value)):
        return FieldValue(**evidence(doc, hit, re.sub(r"\s", "", m.group("v"))))
    hit = search(doc, BRN_INLINE, 0.95, "사업자등록번호") or search(doc, BRN, 0.8, "사업자등록번호")
    return FieldValue(**evidence(doc, hit, re.sub(r"\s", "", hit.value))) if hit else FieldValue()


def _not_employer(text: str, _found: CellLabel | re.Match[str]) -> bool:
    return bool(_EMPLOYER_CONTEXT.search(text))


def extract_employee(doc: Doc) -> FieldValue:
    hit = (find(doc, "employee_name", skip=_not_employer)
           or search(doc, _EMPLOYEE_PREAMBLE, 0.85, "이하 근로자")
           or search(doc, _EMPLOYEE_DEAR, 0.8, "Dear"))
    value = _clean(hit.value) if hit else ""
    return FieldValue(**evidence(doc, hit, value)) if value else FieldValue()


def extract_nationality(doc: Doc) -> FieldValue:
    hit = find(doc, "nationality")
    value = _clean(hit.value) if hit else ""
    return FieldValue(**evidence(doc, hit, value)) if value else FieldValue()


def extract_birth_date(doc: Doc) -> FieldValue:
    return date_field(doc, find(doc, "birth_date"))
