"""Contract labels per field, Korean and English, as printed on standard and company forms."""

from __future__ import annotations

import re
from functools import cache

from extractors.text import spaced

# Order matters: earlier labels are stronger evidence for the field.
LABELS: dict[str, tuple[str, ...]] = {
    "title": ("직종", "직무명", "직무", "직위", "직책", "Job Title", "Position", "Occupation",
              "Title", "직명"),
    "rank": ("직급", "직위", "Grade", "Rank"),
    "duties": ("담당업무", "직무내용", "업무내용", "업무의내용", "주요업무", "담당직무", "Job Description",
               "Description of work", "Duties", "Responsibilities"),
    "salary": ("임금", "급여", "보수", "연봉", "월급", "Salary", "Payment", "Compensation", "Wage"),
    "employer": ("사업체명", "업체명", "회사명", "상호", "Name of the enterprise", "Company", "Employer"),
    "business_reg_no": ("사업자등록번호", "사업자번호", "Business Registration No", "Identification number"),
    "employee_name": ("근로자성명", "성명", "Name of the employee", "Employee Name", "Name"),
    "nationality": ("국적", "Nationality"),
    "birth_date": ("생년월일", "Birthdate", "Date of Birth"),
    "period": ("근로계약기간", "계약기간", "근로개시일", "Term of Labor contract", "Contract Period",
               "Contract Term", "Term of Employment"),
    "start": ("Start Date", "Commencement Date", "입사일"),
    "end": ("End Date", "계약종료일"),
    "workplace": ("근무장소", "근로장소", "근무지", "Place of employment", "Place of Work",
                  "Work Location", "Workplace"),
    "working_hours": ("소정근로시간", "근로시간", "근무시간", "Working hours", "Working Hours"),
    "visa": ("체류자격", "비자", "Visa Status", "Visa status", "Visa"),
}
RANKS = ("사원", "주임", "대리", "과장", "차장", "부장", "선임", "책임", "수석", "팀장", "실장", "이사",
         "상무", "전무", "본부장", "인턴", "계장", "반장", "조장", "Staff", "Junior", "Senior",
         "Associate", "Assistant Manager")
_PREFIX = r"^(?:\(?\d{1,2}[.)]\s*|[①-⑳]\s*|[-·•*□▪■◦○]\s*|\((?:사업주|근로자|갑|을)\)\s*|제\s*\d+\s*조\s*)*"
_AFTER = r"\s*(?:\([^)]{1,30}\)|/\s*[A-Za-z0-9][A-Za-z0-9 .,'/&-]*?)?\s*"  # digits: OCR'd glosses


def _label_pattern(label: str) -> str:
    return spaced(label) if re.search(r"[가-힣]", label) else re.escape(label).replace(r"\ ", r"\s+")


@cache
def line_pattern(field: str) -> re.Pattern:
    """Matches '<prefix><label>[ (English)| / English] : value' at the start of a line."""
    alts = "|".join(_label_pattern(label) for label in LABELS[field])
    return re.compile(_PREFIX + rf"(?P<label>{alts}){_AFTER}[:]\s*(?P<value>.*)$", re.IGNORECASE)


@cache
def cell_pattern(field: str) -> re.Pattern:
    """Matches a table label cell: the label first, anything (notes, English) after it."""
    alts = "|".join(_label_pattern(label) for label in LABELS[field])
    return re.compile(_PREFIX + rf"(?P<label>{alts})(?:\s|\(|/|$)", re.IGNORECASE)


@cache
def any_label_line() -> re.Pattern:
    """A line that opens with any known label and a colon (ends a multi-line value)."""
    alts = "|".join(_label_pattern(label) for labels in LABELS.values() for label in labels)
    return re.compile(_PREFIX + rf"(?:{alts}){_AFTER}[:]", re.IGNORECASE)


_FORM_WORDS = re.compile(r"[_()\[\]\s.,~:/□■√-]|요일|시간|년|월|일|분|시|부터|까지|원|없음|있음")


def is_blank_value(value: str) -> bool:
    """A printed form's empty blank: '(__)요일 시간', '년 월 일부터', '원'."""
    return not _FORM_WORDS.sub("", value)


def is_rank(value: str) -> bool:
    return value.strip() in RANKS
