"""Per-person audit: the person rules, the HR manifest, the timeline built from real audited
documents (generated on the fly by the fixtures package), the person outputs and the CLI."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from fixtures import make_spec, render_pdf
from fixtures.spec import CLERK, DEV, TRANSLATOR, Salary, with_expected
from matchers.rules.person import (
    FastTrackVerdict,
    Qualification,
    fast_track,
    period_qualification,
    qualifying_history,
)
from matchers.rules.visa_data import load_visa_data
from reports.people.manifest import normalise_status, read_manifest

NAME = "TRAN THI MAI"


# ---------------------------------------------------------------- person rules


def test_history_counts_days_once_and_finds_the_earliest_qualifying_date():
    spans = [(date(2022, 1, 1), date(2022, 12, 31)),
             (date(2022, 6, 1), date(2023, 6, 30)),  # overlap: counted once
             (date(2023, 7, 20), None)]  # 19-day gap: still consecutive; open-ended
    history = qualifying_history(spans, as_of=date(2024, 12, 31))
    assert history.qualifying_days == 365 + 181 + (date(2024, 12, 31) - date(2023, 7, 20)).days + 1
    assert history.run_start == date(2022, 1, 1)
    # 1096 qualifying days (3 x 365.25, rounded up) are reached 19 days after 2025-01-01
    assert history.earliest == date(2025, 1, 19)
    assert not history.meets
    assert qualifying_history(spans, as_of=date(2025, 1, 19)).meets


def test_a_long_gap_starts_a_new_run():
    spans = [(date(2020, 1, 1), date(2021, 12, 31)), (date(2022, 6, 1), date(2025, 5, 31))]
    history = qualifying_history(spans, as_of=date(2024, 1, 1))
    assert history.run_start == date(2022, 6, 1)
    assert history.earliest == date(2025, 5, 31)  # the first run never reached 3 years


def test_period_qualification_follows_the_f27_rules():
    visa = load_visa_data()

    def judge(code, sub, generic=False, audited=True):
        return period_qualification(code, sub, generic_title=generic, audited=audited,
                                    visa=visa).qualification

    assert judge("2223", "E-7-1") is Qualification.qualifying
    assert judge("2223", "E-7-1", generic=True) is Qualification.not_qualifying
    assert judge("4411", "E-7-2") is Qualification.not_qualifying
    assert judge("3142", None) is Qualification.not_qualifying
    assert judge("2999", None) is Qualification.unknown
    assert judge(None, None) is Qualification.unknown
    assert judge("2223", "E-7-1", audited=False) is Qualification.unknown


def test_fast_track_needs_the_field_and_one_and_a_half_gni():
    visa = load_visa_data()
    need = round(visa.gni_reference(2027).krw * visa.f27.fast_track_gni_multiple)
    assert fast_track("2223", need, 2027, visa).verdict is FastTrackVerdict.supported
    short = fast_track("2223", need - 1_000_000, 2027, visa)
    assert short.verdict is FastTrackVerdict.income_short
    assert any("1,000,000" in m for m in short.missing_en)
    assert fast_track("2814", need * 2, 2027, visa).verdict is FastTrackVerdict.not_promising
    assert fast_track("2223", None, 2027, visa).verdict is FastTrackVerdict.no_salary


# ---------------------------------------------------------------- manifest


def test_status_of_stay_is_normalised_or_refused():
    assert normalise_status("e7-1") == "E-7-1"
    assert normalise_status("F-2-7") == "F-2-7"
    assert normalise_status("D 10") == "D-10"
    assert normalise_status("E-7-S2") == "E-7-S2"
    assert normalise_status("X-1") is None
    assert normalise_status("E-11") is None


def test_cp949_csv_with_korean_headers_reports_bad_rows_and_keeps_the_rest(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    rows = [["사번", "성명", "국적", "체류자격", "초청직종", "체류시작일", "체류만료일", "F-2-7 신청예정일", "서류"],
            ["E1", "김하나", "베트남", "E-7-1", "2223", "2024.03.02", "2026-03-01", "2027년 3월 2일", "a.pdf"],
            ["E2", "박둘", "인도", "Z-9", "응용 소프트웨어 개발자", "2024-13-40", "", "", "없는파일.pdf"],
            ["E3", "이셋", "중국", "D-10", "", "", "", "", ""]]
    path = tmp_path / "staff.csv"
    with path.open("w", encoding="cp949", newline="") as handle:
        csv.writer(handle).writerows(rows)
    manifest = read_manifest(path)
    assert [r.employee_id for r in manifest.rows] == ["E1", "E2", "E3"]
    first = manifest.rows[0].sponsorship
    assert (first.status_of_stay, first.sponsored_code, first.sponsored_subcategory) == (
        "E-7-1", "2223", "E-7-1")
    assert (first.visa_start, first.planned_filing_date) == ("2024-03-02", "2027-03-02")
    assert manifest.rows[0].files == [(tmp_path / "a.pdf").resolve()]
    codes = sorted((p.row, p.code) for p in manifest.problems)
    assert codes == [(3, "bad_date"), (3, "missing_file"), (3, "unknown_status")]
    second = manifest.rows[1].sponsorship
    assert second.sponsored_code == "2223"  # the row's other cells are still used
    assert all("박둘" not in p.message for p in manifest.problems)


def test_xlsx_with_english_headers_and_date_cells(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Employee ID", "Name", "Status of stay", "Sponsored code", "Visa start",
                  "Planned filing date"])
    sheet.append(["E9", "JOHN CARTER", "E-7-1", "Web Developer", datetime(2023, 5, 1),
                  "not a date"])
    path = tmp_path / "staff.xlsx"
    book.save(path)
    manifest = read_manifest(path)
    row = manifest.rows[0]
    assert (row.name, row.sponsorship.sponsored_code, row.sponsorship.visa_start) == (
        "JOHN CARTER", "2224", "2023-05-01")
    assert [(p.row, p.code, p.column) for p in manifest.problems] == [(2, "bad_date", "filing")]


# ---------------------------------------------------------------- a person's documents


def _spec(seed, occ, *, title=None, start, end, annual, employer=None):
    base = make_spec(seed, scenario="consistent", style="monthly")
    title = title or occ
    spec = replace(base, employee_name=NAME, job_title_ko=title.title_ko,
                   job_title_en=title.title_en, duties_ko=occ.duties_ko, duties_en=occ.duties_en,
                   ksco=occ.ksco, contract_start=start, contract_end=end,
                   salary=Salary(annual // 12, "monthly", "monthly"),
                   employer=employer or base.employer)
    return with_expected(spec)


def write_person_folder(folder: Path) -> None:
    """2023: 사무보조원 over backend work, cured by an amendment; a gap; 2025: translator."""
    folder.mkdir(parents=True, exist_ok=True)
    first = _spec(3, DEV, title=CLERK, start=date(2023, 3, 2), end=date(2024, 12, 31),
                  annual=48_000_000, employer="주식회사 가람클라우드")
    cure = _spec(4, DEV, start=date(2023, 9, 1), end=None, annual=54_000_000,
                 employer="주식회사 가람클라우드")
    second = _spec(5, TRANSLATOR, start=date(2025, 3, 1), end=None, annual=90_000_000,
                   employer="(주)한빛데이터랩")
    (folder / "2023_contract.pdf").write_bytes(render_pdf(first, "moel_standard"))
    (folder / "2023_amendment.pdf").write_bytes(render_pdf(cure, "amendment"))
    (folder / "2025_contract.pdf").write_bytes(render_pdf(second, "article"))


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """The person's documents through the real per-document pipeline (no Prefect)."""
    from flows.documents import audit_file
    from reports.output import summary_entry

    folder = tmp_path_factory.mktemp("people") / NAME.replace(" ", "_")
    write_person_folder(folder)
    docs = []
    for path in sorted(folder.iterdir()):
        result = audit_file(path)
        docs.append((summary_entry(result, None, source=str(path)), result))
    return docs


def _record(docs, sponsored="2223", filing="2027-03-02"):
    from reports.people.build import PersonInput, build_person
    from reports.people.manifest import ManifestRow
    from reports.people.records import Sponsorship

    row = ManifestRow(row=2, employee_id="E7", name=NAME, sponsorship=Sponsorship(
        row=2, status_of_stay="E-7-1", sponsored_code=sponsored, sponsored_subcategory="E-7-1",
        visa_start="2023-03-02", planned_filing_date=filing))
    person = PersonInput(person_id=NAME, name=NAME, employee_id="E7", documents=list(docs),
                         rows=[row])
    return build_person(person)


def test_timeline_orders_documents_and_applies_the_amendment(audited):
    record = _record(audited)
    periods = record.periods
    assert [(p.start, p.end) for p in periods] == [
        ("2023-03-02", "2023-08-31"), ("2023-09-01", "2024-12-31"), ("2025-03-01", None)]
    assert periods[0].title == "사무보조원" and periods[0].generic_title
    assert periods[1].title.startswith("응용 소프트웨어 개발자") and not periods[1].generic_title
    assert periods[1].annual_krw == 54_000_000 and periods[0].annual_krw == 48_000_000
    assert [p.qualification for p in periods] == [
        Qualification.not_qualifying, Qualification.qualifying, Qualification.qualifying]
    assert [(i.kind, i.start, i.end, i.days) for i in record.timeline_issues] == [
        ("gap", "2025-01-01", "2025-02-28", 59)]
    roles = {Path(d.source).name: d.role for d in record.documents}
    assert roles == {"2023_amendment.pdf": "amendment", "2023_contract.pdf": "contract",
                     "2025_contract.pdf": "contract"}


def test_sponsored_code_is_compared_per_period(audited):
    record = _record(audited)
    mismatches = [f for f in record.findings if f.rule == "person_sponsored_mismatch"]
    assert [f.period for f in mismatches] == [3]  # the translator period, not the developer's
    assert mismatches[0].severity.value == "high"
    assert mismatches[0].codes == ["2223", "2814"]
    assert "2223" in mismatches[0].message_ko and "2814" in mismatches[0].message_en
    assert [p.sponsored_match for p in record.periods] == [True, True, False]


def test_f27_history_fast_track_and_fixes(audited):
    record = _record(audited)
    f27 = record.f27
    qualifying = (date(2024, 12, 31) - date(2023, 9, 1)).days + 1 + \
        (date(2027, 3, 2) - date(2025, 3, 1)).days + 1
    assert f27.qualifying_days == qualifying
    assert f27.as_of == "2027-03-02" and not f27.meets_requirement
    # the 59-day gap breaks the run: three full years from 2025-03-01 end on 2028-02-29
    assert f27.earliest_qualifying_date == "2028-02-29"
    assert record.fast_track.verdict is FastTrackVerdict.not_promising  # 2814 is no IT field
    assert record.verdict.kind.value == "action_needed"
    rules = [f.rule for f in record.fixes]
    # the high findings first, in period order; then the medium ones
    assert rules[:2] == ["person_generic_title_period", "person_sponsored_mismatch"]
    assert "person_timeline_gap" in rules
    # 90,000,000 a year waives track 3's 3-year stay: the short history is a note, not a fix
    assert f27.income_waiver and "person_history_short" not in rules
    short = next(f for f in record.findings if f.rule == "person_history_short")
    assert short.severity.value == "low" and "40M" in short.message_en
    assert all(f.deadline == "2027-03-02" for f in record.fixes)
    generic = record.fixes[0]
    assert generic.draft_ko and "원계약" in generic.draft_ko and generic.addendum.endswith(".docx")
    assert "사무보조원" in generic.action_ko
    assert "'사무보조원'은 " in generic.action_ko  # the particle follows the final consonant


def test_without_the_contract_an_amendment_is_a_missing_document(audited):
    docs = [d for d in audited if "amendment" in d[0].source or "2025" in d[0].source]
    record = _record(docs)
    missing = [f for f in record.findings if f.rule == "person_document_missing"]
    assert len(missing) == 1 and missing[0].document.endswith("2023_amendment.pdf")


def test_person_outputs_are_written_and_masked(audited, tmp_path):
    from reports.people.render import PEOPLE_MARKER, person_base, write_people

    record = _record(audited)
    record = record.model_copy(update={"periods": [
        record.periods[0].model_copy(update={"employer": "연락처 010-1234-5678"}),
        *record.periods[1:]]})
    written = write_people([record], tmp_path, manifest=None, pdf=False)
    data = json.loads(Path(written[f"{NAME}/json"]).read_text(encoding="utf-8"))
    assert data["name"] == NAME  # HR files under the person's name
    assert "010-1234-5678" not in json.dumps(data, ensure_ascii=False)
    html = Path(written[f"{NAME}/html"]).read_text(encoding="utf-8")
    assert html.index("조치 필요") < html.index("Action needed") < html.index("경력 타임라인")
    assert html.count('data-qualification="not_qualifying"') >= 2  # bar and table row
    assert "<svg" in html and "010-1234-5678" not in html
    rows = list(csv.DictReader((tmp_path / "people.csv").open(encoding="utf-8-sig")))
    assert rows[0]["person"] != NAME and rows[0]["employee_id"] == "E7"
    assert float(rows[0]["qualifying_years"]) == record.f27.qualifying_years
    assert rows[0]["blocking_findings"] == str(sum(1 for f in record.findings
                                                   if f.severity.value in ("high", "medium")))
    sheet = load_workbook(tmp_path / "people.xlsx").active
    assert sheet["A1"].value == "고객" and sheet.max_row == 3
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert PEOPLE_MARKER in index and person_base(record).split("/")[-1] in index


# ---------------------------------------------------------------- the command line


@pytest.mark.slow
def test_cli_per_person_folders_with_manifest(prefect_harness, tmp_path):
    from flows.cli import EXIT_FINDINGS, main

    inputs = tmp_path / "people"
    write_person_folder(inputs / "TRAN_THI_MAI")
    manifest = inputs / "staff.csv"
    manifest.write_text("employee id,name,status of stay,sponsored code,visa start,"
                        "planned filing date\nE7,TRAN THI MAI,E-7-1,2223,2023-03-02,2027-03-02\n"
                        "E8,NOBODY,Q-1,2223,2023-03-02,someday\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["audit", str(inputs), "--out", str(out), "--per-person-folders", "--manifest",
                 str(manifest), "--reports", "html", "--no-progress"])
    assert code == EXIT_FINDINGS
    people = json.loads((out / "people.json").read_text(encoding="utf-8"))
    assert sorted((p["row"], p["code"]) for p in people["manifest_problems"]) == [
        (3, "bad_date"), (3, "unknown_status")]
    records = [json.loads((out / rel).read_text(encoding="utf-8")) for rel in people["people"]]
    mai = next(r for r in records if r["employee_id"] == "E7")
    assert len(mai["documents"]) == 3 and len(mai["periods"]) == 3
    assert (out / "documents.html").is_file()  # the per-document dashboard is kept
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["documents"]) == 3  # the manifest is not audited as a document
