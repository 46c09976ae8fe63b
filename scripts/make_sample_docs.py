"""Write the small fictional sample contracts in sample_docs/ (deterministic; `make samples`)."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures import ScanOptions, make_spec, render_pdf, scanned_pdf
from fixtures.spec import CLERK, DATA, DEV, SALES_MGR, WEB, Salary, with_expected

OUT = ROOT / "sample_docs"


def _spec(seed, occ, *, title=None, style="monthly", salary=None, **kw):
    """A spec with `occ`'s real duties and (optionally) a different written title."""
    base = make_spec(seed, scenario="consistent", style=style)
    title_ko, title_en = title or (occ.title_ko, occ.title_en)
    spec = replace(base, job_title_ko=title_ko, job_title_en=title_en, duties_ko=occ.duties_ko,
                   duties_en=occ.duties_en, ksco=occ.ksco, stated_visa=occ.visa,
                   salary=salary or base.salary, **kw)
    return with_expected(spec)


def seed_case():
    """The motivating case: a software engineer contracted as 사무보조원 / Office Assistant."""
    pay = Salary(3_600_000, "monthly", "monthly")
    return _spec(11, DEV, title=(CLERK.title_ko, CLERK.title_en), salary=pay, rank="사원",
                 employee_name="NGUYEN VAN AN", nationality="베트남",
                 contract_start=date(2026, 3, 2), contract_end=date(2028, 3, 1),
                 scenario="title_duties_conflict")


def samples() -> list[tuple[str, object, str, ScanOptions | None]]:
    """(file name, spec, layout, scan options or None for born-digital)."""
    e71 = _spec(21, DEV, style="annual_hangul", salary=Salary(52_000_000, "annual", "annual_hangul"),
                rank="대리")
    comp = Salary(4_100_000, "monthly", "components",
                  (("기본급", 3_600_000), ("직무수당", 300_000), ("식대", 200_000)))
    scan = ScanOptions(seed=5, skew=0.8, blur=0.5, noise=2, jpeg_quality=60, stamp=True, dpi=200)
    return [
        ("01_moel_standard_web_developer.pdf", _spec(31, WEB, rank="주임"), "moel_standard", None),
        ("02_table_form_pay_components.pdf", _spec(41, DATA, salary=comp, rank="선임"),
         "table_form", None),
        ("03_article_e7_1_consistent.pdf", e71, "article", None),
        ("04_bilingual_seed_case_office_assistant.pdf", seed_case(), "bilingual", None),
        ("05_offer_letter_sales_manager.pdf",
         _spec(51, SALES_MGR, salary=Salary(66_000_000, "annual", "krw_en"), rank="부장"),
         "offer_letter", None),
        ("06_scanned_seed_case_moel.pdf", seed_case(), "moel_standard", scan),
        ("07_amendment_title_change.pdf", _spec(11, DEV, salary=Salary(3_900_000, "monthly", "monthly"),
                                                 rank="사원"), "amendment", None),
        ("08_not_a_contract_certificate.pdf", seed_case(), "employment_certificate", None),
    ]


PEOPLE_MANIFEST = """사번,성명,국적,체류자격,초청직종,체류시작일,체류만료일,F-2-7 신청예정일
E-2001,NGUYEN VAN AN,베트남,E-7-1,2223 응용 소프트웨어 개발자,2022-03-02,2027-03-01,2027-03-02
E-2002,MARIA SANTOS,필리핀,E-7-X,2224,2023-05-01,2026-04-30,2027년 2월 30일
"""


def people_samples() -> list[tuple[str, object, str]]:
    """One person's folder (people/NGUYEN_VAN_AN/): a 2022 contract titled 사무보조원 over
    backend work, the 2023 amendment retitling it, a 2024 contract with another employer as
    web developer (not the sponsored 2223: a mismatch), beside the manifest people/staff.csv
    (its second row has an unknown status and an impossible date)."""
    person = {"employee_name": "NGUYEN VAN AN", "nationality": "베트남"}
    first = _spec(61, DEV, title=(CLERK.title_ko, CLERK.title_en), rank="사원",
                  salary=Salary(3_600_000, "monthly", "monthly"), contract_start=date(2022, 3, 2),
                  contract_end=date(2024, 3, 1), employer="(주)바다무역",
                  workplace="부산광역시 해운대구 센텀중앙로 48, 5층", **person)
    cure = _spec(62, DEV, rank="대리", salary=Salary(4_100_000, "monthly", "monthly"),
                 contract_start=date(2023, 9, 1), contract_end=None, employer="(주)바다무역",
                 workplace="부산광역시 해운대구 센텀중앙로 48, 5층", **person)
    data = _spec(63, WEB, rank="선임", salary=Salary(78_000_000, "annual", "annual_hangul"),
                 contract_start=date(2024, 4, 1), contract_end=None,
                 employer="주식회사 가람클라우드", workplace="서울특별시 구로구 디지털로 300, 11층",
                 **person)
    folder = "people/NGUYEN_VAN_AN"
    return [(f"{folder}/2022-03_contract_badamuyeok.pdf", first, "bilingual"),
            (f"{folder}/2023-09_amendment_title.pdf", cure, "amendment"),
            (f"{folder}/2024-04_contract_garamcloud.pdf", data, "article")]


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, spec, layout, scan in samples():
        data = scanned_pdf(spec, layout, scan) if scan else render_pdf(spec, layout)
        (OUT / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()[:12]
        print(f"{name:48s} {len(data) // 1024:4d} KB  sha256:{digest}")
    for name, spec, layout in people_samples():
        (OUT / name).parent.mkdir(parents=True, exist_ok=True)
        data = render_pdf(spec, layout)
        (OUT / name).write_bytes(data)
        print(f"{name:48s} {len(data) // 1024:4d} KB  sha256:{hashlib.sha256(data).hexdigest()[:12]}")
    (OUT / "people" / "staff.csv").write_text(PEOPLE_MANIFEST, encoding="utf-8")
    print("people/staff.csv (HR manifest)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
