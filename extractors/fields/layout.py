"""What kind of document this is: which contract layout, a blank template, or not a contract."""

from __future__ import annotations

import re

from extractors.records import ContractFields, DocumentKind
from extractors.text import hangul_count, latin_word_count, squash

from .document import Doc

CONTRACT = re.compile(r"계약서|근로\s*계약|고용\s*계약|연봉\s*계약|계약을\s*체결|contract|employment\s*agreement|"
                      r"agreement\s*of\s*employment|offer\s*of\s*employment|"
                      r"offer\s*letter|pleased\s*to\s*offer", re.IGNORECASE)
NOT_CONTRACT = re.compile(r"재\s*직\s*증\s*명\s*서|경\s*력\s*증\s*명\s*서|이\s*력\s*서|자기\s*소개서|거래\s*명세서|"
                          r"세금\s*계산서|견\s*적\s*서|청\s*구\s*서|영\s*수\s*증|invoice|r[ée]sum[ée]|"
                          r"curriculum\s*vitae|certificate\s*of\s*employment", re.IGNORECASE)
AMENDMENT = re.compile(r"변경\s*계약서|계약\s*변경|변경\s*합의서|amendment|addendum", re.IGNORECASE)
FOREIGN = re.compile(r"standard\s*labor\s*contract|name\s*of\s*the\s*enterprise|term\s*of\s*labor", re.IGNORECASE)
STANDARD = re.compile(r"표\s*준\s*근\s*로\s*계\s*약\s*서")
OFFER = re.compile(r"offer\s*of\s*employment|offer\s*letter|pleased\s*to\s*offer", re.IGNORECASE)
ARTICLE = re.compile(r"^제\s*\d+\s*조", re.MULTILINE)
_HEAD_LINES = 6


def head_text(doc: Doc) -> str:
    """The first lines without spaces (OCR spaces syllables apart)."""
    return squash("".join(line.text for line in doc.lines[:_HEAD_LINES]))


def is_contract(doc: Doc) -> bool:
    """Not a contract when the heading names another document, or nothing mentions a contract."""
    head = head_text(doc)
    if NOT_CONTRACT.search(head) and not CONTRACT.search(head):
        return False
    return bool(CONTRACT.search(squash(doc.text)))


def detect_kind(doc: Doc) -> DocumentKind:
    head, text = head_text(doc), squash(doc.text)
    if AMENDMENT.search(head):
        return DocumentKind.amendment
    if FOREIGN.search(text):
        return DocumentKind.foreign_worker_standard
    if STANDARD.search(head):
        return DocumentKind.moel_standard
    if OFFER.search(head):
        return DocumentKind.offer_letter
    if len(ARTICLE.findall(doc.text)) >= 3:
        return DocumentKind.article
    if sum(len(row.cells) >= 2 for row in doc.rows) >= 5:
        return DocumentKind.table_form
    return DocumentKind.contract


def detect_language(doc: Doc) -> str:
    text = doc.text
    hangul, latin = hangul_count(text), latin_word_count(text)
    if hangul < latin:
        return "en"
    return "ko+en" if latin >= 25 and latin * 4 >= hangul / 3 else "ko"


def is_blank(fields: ContractFields, doc: Doc, keys: tuple[str, ...]) -> bool:
    """A form whose labels are printed but whose key blanks (the fields `keys`, the registry's
    key fields) are empty."""
    filled = sum(getattr(fields, name).found for name in keys)
    return filled <= 1 and bool(CONTRACT.search(squash(doc.text)))
