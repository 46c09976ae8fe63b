"""Masking of personal identifiers and names (reports.pii)."""

from __future__ import annotations

import hashlib

import pytest

from reports.pii import mask_data, mask_name, mask_names, mask_text

CASES = [
    # (text, the secret part that must disappear, what must stay)
    ("주민등록번호: 900101-1234567", "1234567", "900101-1******"),
    ("외국인등록번호 9001015234567", "5234567", "900101-5******"),
    ("외국인등록번호: 900101 5234567", "5234567", "900101-5******"),
    ("여권번호: M12345678", "M123456", "78"),
    ("Passport No. 123456789", "1234567", "89"),
    ("passport: P1234567A", "P12345", "7A"),
    ("여권 M123A4567", "M123A45", "67"),
    ("M98765432 발급", "9876543", "M"),
    ("연락처 010-1234-5678", "010-1234", "5678"),
    ("휴대폰:01012345678", "0101234", "5678"),
    ("Tel: +1 (415) 555-0100", "415", "0100"),
    ("+82 10 1234 5678", "10 1234", "5678"),
    ("(02) 123-4567", "123-", "4567"),
    ("계좌번호: 국민은행 123456-01-234567", "123456-01-2345", "67"),
    ("신한은행 110123456789", "1101234567", "89"),
    ("Bank account: 1002-345-678901", "1002-345-6789", "01"),
]


@pytest.mark.parametrize(("text", "secret", "kept"), CASES)
def test_identifiers_are_masked(text: str, secret: str, kept: str) -> None:
    masked = mask_text(text)
    assert secret not in masked
    assert kept in masked
    assert mask_text(masked) == masked  # idempotent: masking twice changes nothing


@pytest.mark.parametrize(
    "text",
    [
        "기본급 3,500,000원, 2025-03-01부터",
        "사업자등록번호 123-45-67890",
        "Hotel 2024-01-15",
        "E-7-1 응용 소프트웨어 개발자 2223",
        hashlib.sha256(b"x").hexdigest(),
        "a0212345678b",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_hex_digests_are_never_masked() -> None:
    # A digest can hold a run like 01012345678 between letters; it must survive unchanged.
    for i in range(300):
        digest = hashlib.sha256(str(i).encode()).hexdigest()
        assert mask_text(digest) == digest


@pytest.mark.parametrize(
    ("name", "masked"),
    [("김철수", "김**"), ("John Doe", "J*** D**"), ("NGUYEN VAN AN", "N***** V** A*"), ("이", "이")],
)
def test_mask_name_keeps_first_character_of_each_word(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_mask_names_catches_reordered_and_attached_forms() -> None:
    text = "Employee DOE, John; John  Doe signed. 홍길동은 근로자"
    out = mask_names(text, ("John Doe", "홍길동"))
    assert "John" not in out and "DOE" not in out and "홍길동" not in out
    assert "D**, J***" in out and "홍**은" in out


def test_mask_data_walks_nested_structures() -> None:
    data = {"a": ["연락처 010-1234-5678", {"b": "홍길동"}], "n": 3, "none": None}
    out = mask_data(data, names=("홍길동",))
    assert out == {"a": ["연락처 ***-****-5678", {"b": "홍**"}], "n": 3, "none": None}
