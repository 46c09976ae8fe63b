"""Masking of personal identifiers (ID, passport, phone, bank account numbers) in outputs."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel

from extractors.fields.registry import FIELDS, FieldSpec, Mask
from extractors.records import ContractFields
from reports.records import DocumentResult

# 주민등록번호 / 외국인등록번호: YYMMDD-GNNNNNN (the 7th digit 1-8 encodes sex/century/foreigner);
# the hyphen is often dropped or replaced by a space.
_RRN = re.compile(
    r"(?<!\d)(\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))\s?[-–]?\s?([1-8])\d{6}(?!\d)"
)
# Passport numbers after a keyword: any 6-12 letters/digits with at least one digit
# (US and UK passports are all digits; the Philippines end in a letter).
_PASSPORT_KEYED = re.compile(
    r"((?<![A-Za-z])(?i:여권\s*번호|여권|passport(?:\s*(?:no\.?|number|#))?)[^\w\n]{0,5})"
    r"(?=[A-Z0-9]*\d)([A-Z0-9]{6,12})(?![A-Za-z0-9])"
)
# Passport numbers standing alone: one or two letters and 7-8 digits (M12345678, AB1234567,
# also written with a space: M 12345678)
# or the Korean 2020 layout letter, 3 digits, letter, 4 digits (M123A4567).
_PASSPORT = re.compile(
    r"(?<![A-Za-z0-9])(?:([A-Z]{1,2}) ?(\d{7,8})|([A-Z]\d{3}[A-Z])(\d{4}))(?![A-Za-z0-9])"
)
# Korean phone numbers: 010-1234-5678, 02-123-4567, +82 10 1234 5678. Letters around the number
# also stop a match so that hex digests (sha256) are never taken for phone numbers.
_PHONE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+82[\s-]?(?:\(0\))?|0)(1[016789]|2|[3-6][1-5]|70)[\s.)-]{0,2}\d{3,4}"
    r"[\s.-]?(\d{4})(?![0-9A-Za-z])"
)
# Any number after a phone keyword (foreign numbers: +1 (415) 555-0100, +84 90 123 4567).
_PHONE_KEYED = re.compile(
    r"((?<![A-Za-z])(?i:전화\s*번호|전화|연락처|휴대\s*전화|휴대폰|핸드폰|tel\.?|phone|mobile|cell)[^\d+\n]{0,5})"
    r"(\+?\d[\d\s().-]{6,18}\d)"
)
# Bank accounts: after a bank keyword, digit groups joined by hyphens or a plain 10-16 digit run.
_ACCOUNT = re.compile(
    r"((?:계좌|통장|은행|account|acct|bank)[^\d\n]{0,20})(\d{2,6}(?:-\d{2,8}){1,4}|\d{10,16})(?!\d)",
    re.IGNORECASE,
)
# Bank accounts after a bank's short name (신한 110-123-456789, 국민 123456-01-234567): at
# least three digit groups and 10 digits in all, so that dates after 기업/국민 are left alone.
_BANKS = ("신한|국민|우리|하나|농협|기업|카카오뱅크|카카오|토스뱅크|토스|케이뱅크|새마을금고|새마을|신협|"
          "우체국|수협|SC제일|제일|씨티|대구|부산|경남|광주|전북|제주|산업|KB|NH|IBK|KDB")
_ACCOUNT_BANK = re.compile(
    rf"((?<![가-힣A-Za-z])(?:{_BANKS})(?:은행)?\s*[:：]?\s*)(\d{{2,6}}(?:[-\s]\d{{2,8}}){{2,4}})(?![\d-])"
)
# Full-width digits, letters and hyphens (９００１０１－５２３４５６７) are read as their ASCII forms
# in number-like runs, so every pattern above applies to them too.
_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                             **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
                             "\uff0d": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-", "\u3000": " "})
_WIDE_RUN = re.compile(r"[0-9０-９Ａ-Ｚ][0-9０-９Ａ-Ｚ\s\-－‐‑−]{4,}[0-9０-９]")
_HEX_DIGEST = re.compile(r"[0-9a-f]{32,128}")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'.-]+")

M = TypeVar("M", bound=BaseModel)


def mask_text(text: str) -> str:
    """Return `text` with identifiers masked, keeping enough to recognise the pattern."""
    if _HEX_DIGEST.fullmatch(text):
        return text
    text = _WIDE_RUN.sub(_narrow, text)
    text = _RRN.sub(lambda m: f"{m.group(1)}-{m.group(2)}******", text)
    text = _ACCOUNT.sub(lambda m: m.group(1) + _mask_digits(m.group(2), keep=2), text)
    text = _ACCOUNT_BANK.sub(_mask_bank_account, text)
    text = _PASSPORT_KEYED.sub(lambda m: m.group(1) + _mask_tail(m.group(2)), text)
    text = _PHONE_KEYED.sub(lambda m: m.group(1) + _mask_digits(m.group(2), keep=4), text)
    text = _PHONE.sub(lambda m: _mask_digits(m.group(0), keep=4), text)
    return _PASSPORT.sub(_mask_passport, text)


def mask_data(data: Any, *, names: tuple[str, ...] = ()) -> Any:
    """Apply `mask_text` (and `mask_names` for `names`) to every string in a JSON-like value."""
    if isinstance(data, str):
        return mask_names(mask_text(data), names)
    if isinstance(data, dict):
        return {k: mask_data(v, names=names) for k, v in data.items()}
    if isinstance(data, list):
        return [mask_data(v, names=names) for v in data]
    return data


def mask_model(model: M, *, names: tuple[str, ...] = ()) -> M:
    """Return a copy of a record with every string masked (same type, still valid)."""
    masked = mask_data(model.model_dump(mode="json"), names=names)
    return type(model).model_validate(masked)


def mask_name(name: str) -> str:
    """Keep the first character of each word: "김철수" -> "김**", "John Doe" -> "J*** D**"."""
    return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())


def mask_names(text: str, names: tuple[str, ...]) -> str:
    """Replace each known person name in `text` by its masked form."""
    for name in names:
        for variant in _name_variants(name):
            text = variant.sub(lambda m: mask_name(m.group(0)), text)
    return text


def _name_variants(name: str) -> list[re.Pattern[str]]:
    name = " ".join(name.split())
    if len(name) < 2:
        return []
    whole = re.compile(re.escape(name).replace(r"\ ", r"\s+"), re.IGNORECASE)
    # Latin names also appear reordered ("DOE, John"): mask each word of 3+ letters on its own.
    words = [w for w in _LATIN_WORD.findall(name) if len(w) >= 3]
    return [whole, *(re.compile(rf"\b{re.escape(w)}\b", re.IGNORECASE) for w in words)]


def _narrow(m: re.Match[str]) -> str:
    run = m.group(0)
    return run if run.isascii() else run.translate(_FULL_WIDTH)


def _mask_bank_account(m: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in m.group(2))
    if digits < 10:
        return m.group(0)
    return m.group(1) + _mask_digits(m.group(2), keep=2)


def _mask_passport(m: re.Match[str]) -> str:
    if m.group(1):
        return m.group(0)[:-len(m.group(2))] + _mask_tail(m.group(2))
    return m.group(3)[0] + _mask_tail(m.group(0)[1:])


def _mask_tail(value: str, keep: int = 2) -> str:
    return "*" * (len(value) - keep) + value[-keep:]


def _mask_digits(value: str, *, keep: int) -> str:
    digits = sum(c.isdigit() for c in value)
    seen = 0
    out = []
    for c in value:
        if c.isdigit():
            seen += 1
            out.append(c if seen > digits - keep else "*")
        else:
            out.append(c)
    return "".join(out)


def person_names(fields: ContractFields, registry: tuple[FieldSpec, ...] = FIELDS) -> tuple[str, ...]:
    """Names of the people a contract identifies (the registry's name-masked fields: the
    employee), for `mask_names`."""
    names = []
    for spec in registry:
        if spec.mask is Mask.name:
            value = getattr(fields, spec.name)
            if value.found and value.value and value.value.strip():
                names.append(value.value)
    return tuple(names)


def mask_result(result: DocumentResult) -> DocumentResult:
    """A DocumentResult with identifiers and the employee's name masked in every string."""
    return mask_model(result, names=person_names(result.fields))
