"""Write the small fictional sample contracts in sample_docs/ (deterministic; `make samples`)."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.docgen import ScanOptions, make_spec, render_pdf, scanned_pdf
from bench.docgen.spec import CLERK, DATA, DEV, SALES_MGR, WEB, Salary, with_expected

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


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, spec, layout, scan in samples():
        data = scanned_pdf(spec, layout, scan) if scan else render_pdf(spec, layout)
        (OUT / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()[:12]
        print(f"{name:48s} {len(data) // 1024:4d} KB  sha256:{digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
