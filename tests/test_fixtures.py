"""The document generator: specs, layouts, scans, corpus and the committed samples."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ is not an installed package; `.venv/bin/pytest` needs this

from fixtures import (
    CONTRACT_LAYOUTS,
    LAYOUTS,
    ScanOptions,
    corpus,
    expected_for,
    hangul_amount,
    images_to_pdf,
    make_spec,
    render_pdf,
    scan,
)
from fixtures.spec import Salary, annual_of


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


@pytest.mark.parametrize(
    ("n", "hangul"),
    [(52_000_000, "오천이백만"), (31_120_000, "삼천일백십이만"), (1_000_000, "백만"),
     (120_000_000, "일억이천만"), (3_500_000, "삼백오십만"), (12_000, "일만이천")],
)
def test_hangul_amount(n, hangul):
    # 31,120,000 is customarily 삼천백십이만; we write 일 explicitly only above 천 in a group
    assert hangul_amount(n).replace("일백", "백") == hangul.replace("일백", "백")


def test_hourly_annualisation_counts_weekly_paid_holiday():
    assert annual_of(Salary(10_000, "hourly", "hourly"), 40) == round(10_000 * 48 * 4.345 * 12)
    assert annual_of(Salary(3_000_000, "monthly"), 40) == 36_000_000
    assert annual_of(Salary(None), 40) is None


def test_make_spec_is_deterministic_and_fictional():
    a, b = make_spec(3), make_spec(3)
    assert a == b
    assert a.alien_reg_no.endswith("xxxxxx")
    assert make_spec(4) != a


@pytest.mark.parametrize("layout", CONTRACT_LAYOUTS)
def test_contract_layouts_show_title_and_pay(layout):
    spec = make_spec(17, scenario="consistent", style="monthly")
    text = _text(render_pdf(spec, layout))
    truth = expected_for(spec, layout)
    assert truth["title"].replace(" ", "") in text.replace(" ", "")
    assert f"{spec.salary.amount_krw:,}" in text
    assert spec.employee_name in text


def test_table_form_has_ruled_tables():
    spec = make_spec(5, style="components")
    with pdfplumber.open(io.BytesIO(render_pdf(spec, "table_form"))) as doc:
        tables = doc.pages[0].extract_tables()
    labels = [row[0] for table in tables for row in table]
    assert "담당업무" in labels and "기본급" in labels


def test_non_contracts_have_no_contract_truth():
    spec = make_spec(5)
    for layout in ("invoice", "resume", "employment_certificate"):
        assert expected_for(spec, layout) == {"kind": "not_contract"}
        assert _text(render_pdf(spec, layout))


def test_scan_degrades_and_flips():
    img = Image.new("L", (400, 300), 255)
    img.paste(0, (50, 50, 150, 80))
    flipped = scan(img, upside_down=True, jpeg_quality=0)[0]
    assert flipped.getpixel((400 - 100, 300 - 65)) == 0
    noisy = scan(img, noise=20, blur=1.0, skew=2.0, stamp=True, fax=True, seed=1)[0]
    assert noisy.size == img.size and noisy.mode == "L"
    assert noisy.tobytes() != img.tobytes()


def test_scanned_pdf_is_image_only():
    spec = make_spec(8)
    pages = scan(render_pdf(spec, "article"), ScanOptions(dpi=100, noise=5))
    pdf = images_to_pdf(pages, dpi=100)
    assert _text(pdf).strip() == ""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages[0].images) == 1


def test_corpus_covers_layouts_and_scans():
    items = corpus(60, seed=1)
    assert items == corpus(60, seed=1)
    assert {item.layout for item in items} == set(LAYOUTS)
    assert sum(item.scanned for item in items) == 20
    assert len({item.spec.salary.style for item in items}) >= 7


def test_committed_samples_match_generator(tmp_path):
    spec = importlib.util.spec_from_file_location("mk", ROOT / "scripts" / "make_sample_docs.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    mk.OUT = tmp_path
    mk.main()
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    for path in written:
        committed = ROOT / "sample_docs" / path.relative_to(tmp_path)
        assert committed.exists(), path.name
        assert committed.read_bytes() == path.read_bytes(), path.name
        assert path.stat().st_size < 200_000
    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## Sample documents", 1)[1]
    assert all(p.name in readme for p in written)
