"""Batch outputs: summary.csv, summary.xlsx, index.html, client grouping (reports.render_batch)."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_reports_samples import (
    ACCOUNT,
    EMPLOYEE,
    PHONE,
    RRN,
    SECRETS,
    batch,
    english_result,
    failed_result,
    ok_result,
)

from reports.batch import defuse_formula, display_width
from reports.html import csp_hash
from reports.render import render_batch, render_document_reports


def _results(client_a: str | None = None, client_b: str | None = None):
    return [ok_result(client=client_a), failed_result(client=client_b), english_result(client=client_a)]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    out_dir = tmp_path_factory.mktemp("batch")
    results = _results()
    for result in results[:1] + results[2:]:  # the failed one gets no report from the flow
        render_document_reports(result, out_dir, pdf=False)
    return out_dir, render_batch(batch(results), results, out_dir)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads Korean"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_has_one_row_per_input_failed_included(out) -> None:
    _, written = out
    rows = {r["status"]: r for r in _csv_rows(written["csv"])}
    assert set(rows) == {"partial", "failed", "success"}
    ok = rows["partial"]
    assert ok["employee"] == "홍**" and rows["success"]["employee"] == "J*** D**"
    assert ok["title"] == "사무보조원 / Office Assistant"
    assert (ok["best_code"], ok["best_name"], ok["subcategory"]) == ("2223", "응용 소프트웨어 개발자", "E-7-1")
    assert ok["findings"].startswith("generic_title (high); duties_title_mismatch (medium)")
    assert "encrypted_pdf" in rows["failed"]["problems"]


def test_report_links_are_relative_and_resolve(out) -> None:
    out_dir, written = out
    for row in _csv_rows(written["csv"]):
        assert row["report"] and not Path(row["report"]).is_absolute()
        assert (out_dir / row["report"]).resolve().is_file()
        assert (out_dir / row["report"]).resolve().is_relative_to(out_dir.resolve())


def test_missing_report_of_a_failed_document_is_rendered(out) -> None:
    out_dir, written = out
    failed = next(r for r in _csv_rows(written["csv"]) if r["status"] == "failed")
    assert "encrypted_pdf" in (out_dir / failed["report"]).read_text(encoding="utf-8")


def test_xlsx_layout_and_severity_colours(out) -> None:
    sheet = load_workbook(out[1]["xlsx"]).active
    korean = [c.value for c in sheet[1]]
    header = [c.value for c in sheet[2]]  # English second header row
    # the client column only appears when documents belong to clients
    assert korean[:7] == ["파일", "근로자", "판정", "조치", "최고 심각도", "직위(기재)", "업무 요약"]
    for ko in ("연봉(원)", "권장 코드", "직업명", "E-7 세부", "코드 검토 필요", "검토 결과", "처리 상태", "보고서"):
        assert ko in korean
    assert header[:3] == ["File", "Employee", "Verdict"] and "Report" in header
    assert "Best candidate" not in header  # the matcher's raw best code stays in the CSV
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    assert sheet.max_row == 5  # two header rows, one row per contract
    # printing: landscape A4, one page wide, both header rows on every page
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$2"
    rows = {row[header.index("Status")].value: row for row in sheet.iter_rows(min_row=3)}
    ok, clean = rows["partial"], rows["success"]
    assert ok[header.index("Verdict")].value == "조치 필요\nAction needed"
    title = ok[header.index("Title as written")]
    assert title.alignment.wrap_text and title.value == "사무보조원 / Office Assistant"
    width = sheet.column_dimensions[title.column_letter].width
    lines = -(-display_width(title.value) // (width - 1))
    assert sheet.row_dimensions[title.row].height >= 15 * lines  # the row shows the wrapped text
    assert ok[header.index("Verdict")].fill.fgColor.rgb.endswith("FFCDD2")
    assert clean[header.index("Verdict")].fill.fgColor.rgb.endswith("C8E6C9")
    assert ok[header.index("Worst severity")].value == "높음 High"
    assert ok[header.index("Worst severity")].fill.fgColor.rgb.endswith("FFCDD2")  # high: red
    assert ok[header.index("Findings")].fill.fgColor.rgb.endswith("FFCDD2")
    assert clean[header.index("Findings")].fill.fgColor.rgb in (None, "00000000")
    findings = ok[header.index("Findings")].value.split("\n")
    assert findings[0] == "[높음 High] 직위가 포괄적임 / Generic title (generic_title)"
    assert ok[header.index("Recommended code")].value == "2223"
    assert ok[header.index("Occupation name")].value == "응용 소프트웨어 개발자"
    assert ok[header.index("E-7 sub-category")].value == "E-7-1"
    salary = ok[header.index("Annual salary (KRW)")]
    assert salary.value == ok_result().fields.salary.annual_krw and salary.number_format == "#,##0"
    link = next(r for r in sheet.iter_rows(min_row=3) if r[header.index("Report")].hyperlink)
    assert link[header.index("Report")].hyperlink.target.endswith(".html")


def test_index_links_every_report_and_counts(out) -> None:
    out_dir, written = out
    html = written["index"].read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+\.html)">HTML</a>', html)
    assert len(links) == 3 and all((out_dir / link).is_file() for link in links)
    counts = dict(re.findall(r'data-status="(\w+)">.*?<div class="n">(\d+)</div>', html))
    assert counts == {"success": "1", "partial": "1", "failed": "1"}
    bars = re.findall(r'data-rule="(\w+)" data-count="(\d+)"', html)
    assert sorted(bars) == [("duties_title_mismatch", "1"), ("generic_title", "1"), ("salary_floor", "1")]
    assert "<svg" in html and "http://www.w3.org/2000/svg" in html  # namespace only, nothing loads


def test_index_rows_start_with_the_most_severe(out) -> None:
    html = out[1]["index"].read_text(encoding="utf-8")
    statuses = re.findall(r'<tr data-file=.*?data-status="(\w+)"', html)
    assert statuses == ["failed", "partial", "success"]


def test_index_script_is_inline_and_allowed_by_its_hash(out) -> None:
    html = out[1]["index"].read_text(encoding="utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 1 and "<script src" not in html
    csp = unescape(re.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert f"script-src {csp_hash(scripts[0])}" in csp and "default-src 'none'" in csp


def _without_links(text: str) -> str:
    # Report file names follow the input names the user chose (reports.paths.safe_stem masks
    # identifiers in them, not person names), so links are left out of the name check.
    text = re.sub(r'href="[^"]*"', "", text)
    return re.sub(r"[^,\s]*\.html", "", text)


def test_batch_outputs_are_masked_unless_show_pii(out, tmp_path: Path) -> None:
    _, written = out
    sheet = load_workbook(written["xlsx"]).active
    xlsx_text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    csv_text = written["csv"].read_text(encoding="utf-8-sig")
    assert "계약서/홍**_근로계약서.pdf" in csv_text  # the file column masks the name
    for text in (csv_text, xlsx_text, written["index"].read_text(encoding="utf-8")):
        for secret in SECRETS:
            assert secret not in text
        for name in (EMPLOYEE, "John Doe"):
            assert name not in _without_links(text)
    results = [ok_result().model_copy(update={"document": ok_result().document.model_copy(
        update={"path": f"in/{EMPLOYEE} {PHONE}.pdf"})})]
    shown = render_batch(batch(results), results, tmp_path, show_pii=True)
    assert EMPLOYEE in shown["csv"].read_text(encoding="utf-8-sig")
    hidden = render_batch(batch(results), results, tmp_path / "m")
    text = hidden["csv"].read_text(encoding="utf-8-sig")
    assert PHONE not in text and RRN not in text and ACCOUNT not in text
    assert EMPLOYEE not in _without_links(text) and "in/홍** ***-****-5432.pdf" in text


def test_clients_get_their_own_folder_and_the_top_index_links_them(tmp_path: Path) -> None:
    results = _results("Acme Relocation", "../Beta/Co")
    written = render_batch(batch(results), results, tmp_path)
    client_indexes = [p for k, p in written.items() if k.endswith("/index")]
    assert len(client_indexes) == 2
    for path in client_indexes:
        assert path.parent.parent == tmp_path and (path.parent / "summary.csv").is_file()
        assert (path.parent / "summary.xlsx").is_file()
    top = written["index"].read_text(encoding="utf-8")
    for path in client_indexes:
        assert f'href="{path.parent.name}/index.html"' in top
    acme = next(p for p in client_indexes if "Acme" in p.parent.name)
    rows = _csv_rows(acme.parent / "summary.csv")
    assert {r["client"] for r in rows} == {"Acme Relocation"} and len(rows) == 2
    for row in rows:
        assert (acme.parent / row["report"]).is_file()
    assert len(_csv_rows(written["csv"])) == 3


def test_formulas_in_contract_text_are_defused(tmp_path: Path) -> None:
    assert defuse_formula("=HYPERLINK(\"http://x\")").startswith("'")
    assert defuse_formula("사무보조원") == "사무보조원"
    title = ok_result().fields.job_title.model_copy(update={"value": "=1+1", "value_en": None})
    fields = ok_result().fields.model_copy(update={"job_title": title})
    results = [ok_result().model_copy(update={"fields": fields})]
    written = render_batch(batch(results), results, tmp_path)
    cell = load_workbook(written["xlsx"]).active["F3"]
    assert cell.data_type == "s" and cell.value == "'=1+1"
    assert _csv_rows(written["csv"])[0]["title"] == "'=1+1"


def test_index_links_pdf_and_docx_next_to_the_report(tmp_path: Path) -> None:
    result = ok_result()
    render_document_reports(result, tmp_path, pdf=False)
    (tmp_path / "stand-in.pdf").write_bytes(b"%PDF")  # not next to the report: never linked
    html = render_batch(batch([result]), [result], tmp_path)["index"].read_text(encoding="utf-8")
    links = re.findall(r'class="attachment" href="([^"]+)">(\w+)<', html)
    assert [label for _, label in links] == ["DOCX"]
    assert (tmp_path / links[0][0]).is_file()
