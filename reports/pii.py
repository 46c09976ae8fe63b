"""Masking of personal identifiers (ID, passport, phone, bank account numbers) in outputs."""

from __future__ import annotations

import re
from typing import Any

# 주민등록번호 / 외국인등록번호: YYMMDD-GNNNNNN (the 7th digit 1-8 encodes sex/century/foreigner).
_RRN = re.compile(r"(?<!\d)(\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))\s?[-–]\s?([1-8])\d{6}(?!\d)")
# Passport numbers: one or two letters followed by 7-8 digits (e.g. M12345678, AB1234567).
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2})(\d{7,8})(?![A-Za-z0-9])")
# Korean phone numbers: 010-1234-5678, 02-123-4567, +82 10 1234 5678.
_PHONE = re.compile(
    r"(?<!\d)(?:\+82[\s-]?|0)(1[016789]|2|[3-6][1-5]|70)[\s.-]?\d{3,4}[\s.-]?(\d{4})(?!\d)"
)
# Bank accounts: 3+ digit groups joined by hyphens, 10-16 digits in all, after a bank keyword.
_ACCOUNT = re.compile(
    r"((?:계좌|통장|account|acct)[^\d\n]{0,20})(\d{2,6}(?:-\d{2,8}){1,4})", re.IGNORECASE
)


def mask_text(text: str) -> str:
    """Return `text` with identifiers masked, keeping enough to recognise the pattern."""
    text = _RRN.sub(lambda m: f"{m.group(1)}-{m.group(2)}******", text)
    text = _ACCOUNT.sub(lambda m: m.group(1) + _mask_digits(m.group(2), keep=2), text)
    text = _PHONE.sub(lambda m: _mask_phone(m.group(0)), text)
    return _PASSPORT.sub(lambda m: m.group(1) + "*" * (len(m.group(2)) - 2) + m.group(2)[-2:], text)


def mask_data(data: Any) -> Any:
    """Apply `mask_text` to every string inside a JSON-like structure."""
    if isinstance(data, str):
        return mask_text(data)
    if isinstance(data, dict):
        return {k: mask_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [mask_data(v) for v in data]
    return data


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


def _mask_phone(value: str) -> str:
    return _mask_digits(value, keep=4)
