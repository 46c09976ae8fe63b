"""Hostile folders (issue 17): odd file names, zip bombs, damaged xref tables, identifiers in
names and text, special files and symlinks, files vanishing mid-run, two runs on one output.

Every fixture is generated here, in the test's own folder; nothing binary is committed."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest

from extractors import detect
from extractors.errors import ArchiveTooLarge, CorruptDocument, UnreadableFile, UnsupportedFormat
from extractors.pipeline import describe_file, read_document
from flows.discover import discover
from flows.documents import DocumentJob, failed_outcome
from flows.manifest import MANIFEST_NAME, STATE_DIR, CacheKey, Manifest, output_session
from reports.names import display_path
from reports.pii import mask_text
from reports.records import SummaryEntry
from tests.ocr_fakes import FakeOcrEngine

CP949_NAME = "계약서_홍길동.pdf".encode("cp949")  # as Windows zip tools write Korean names
BIDI = "\u202e"
ID_NAME = "계약서_900101-5234567.pdf"  # an alien registration number in a file name
SECRETS = ("5234567", "12345678", "1234-5678")  # what must never appear in clear


def _contract(folder: Path, name: str | bytes, seed: int = 0) -> Path:
    from tests.ops_helpers import make_contracts

    made = make_contracts(folder / ".gen", 1, seed=seed, prefix=f"c{seed}")[0]
    target = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else name.encode())
    os.replace(made, target)
    return Path(os.fsdecode(target))


def _bomb(path: Path, member: str, size: int, extra: dict[str, bytes] | None = None) -> Path:
    """A small zip whose `member` inflates to `size` bytes of spaces (streamed, never in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in (extra or {}).items():
            z.writestr(name, data)
        with z.open(member, "w", force_zip64=True) as f:
            block = b" " * (1 << 20)
            for _ in range(size >> 20):
                f.write(block)
    return path


def docx_bomb(path: Path, size: int = 1 << 30) -> Path:
    return _bomb(path, "word/document.xml", size, {"[Content_Types].xml": b"<Types/>"})


def hwpx_bomb(path: Path, size: int = 1 << 30) -> Path:
    return _bomb(path, "Contents/section0.xml", size, {"mimetype": b"application/hwp+zip"})


def plain_zip(path: Path, pdf: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:  # stored: "%PDF-" near the start
        z.write(pdf, "contract.pdf")
    return path


def wrong_xref(path: Path, pdf: Path) -> Path:
    """`pdf` with every xref offset off by 7 bytes (poppler and PDFium repair it)."""
    data = re.sub(rb"(\d{10}) (\d{5}) n ",
                  lambda m: b"%010d %05d n " % (int(m.group(1)) + 7, int(m.group(2))),
                  pdf.read_bytes())
    path.write_bytes(data)
    return path


# --- names -------------------------------------------------------------------------------

def test_display_path_decodes_cp949_and_escapes_what_is_left():
    raw = os.fsdecode(b"/in/" + CP949_NAME)
    assert display_path(raw) == "/in/계약서_홍길동.pdf"
    assert display_path(os.fsdecode(b"/in/\xff\xfe.pdf")) == "/in/\\xff\\xfe.pdf"
    shown = display_path("/in/invoice" + BIDI + "fdp.exe\n\x1b[31m")
    assert BIDI not in shown and "\n" not in shown and "\x1b" not in shown
    assert shown == "/in/invoice\\u202efdp.exe\\x0a\\x1b[31m"
    display_path(raw).encode("utf-8")  # always encodable


def test_discover_keeps_the_os_path_and_shows_a_safe_one(tmp_path):
    original = _contract(tmp_path, CP949_NAME)
    [item] = discover([str(tmp_path)])
    assert Path(item.path).read_bytes() == original.read_bytes(), "file operations use the raw path"
    assert item.source == str(tmp_path / "계약서_홍길동.pdf")


def test_special_files_and_symlinks_are_listed_as_skipped(tmp_path):
    root, outside = tmp_path / "in", tmp_path / "elsewhere"
    (root / "real").mkdir(parents=True)
    outside.mkdir()
    (root / "a.pdf").write_bytes(b"x")
    (outside / "secret.pdf").write_bytes(b"y")
    os.mkfifo(root / "pipe.pdf")
    (root / "gone.pdf").symlink_to(root / "missing.pdf")
    (root / "escape.pdf").symlink_to(outside / "secret.pdf")
    (root / "inside.pdf").symlink_to(root / "a.pdf")  # same file: listed once
    (root / "linked").symlink_to(outside, target_is_directory=True)
    skipped: list = []
    items = discover([str(root)], skipped=skipped)
    assert [Path(i.source).name for i in items] == ["a.pdf"]
    assert {Path(s.source).name: s.code for s in skipped} == {
        "pipe.pdf": "special_file", "gone.pdf": "dangling_symlink",
        "escape.pdf": "symlink_outside", "linked": "symlinked_folder"}
    assert all(s.reason for s in skipped)
    followed = discover([str(root)], follow_symlinks=True)
    assert sorted(Path(i.source).name for i in followed) == ["a.pdf", "escape.pdf"]


# --- archives ----------------------------------------------------------------------------

@pytest.mark.parametrize("make", [docx_bomb, hwpx_bomb])
def test_zip_bombs_are_refused_before_inflating(tmp_path, make):
    import resource

    bomb = make(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 2 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ArchiveTooLarge) as caught:
        detect.detect_media_type(bomb, label="b0mb")
    assert caught.value.code == "archive_too_large"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB


def test_actual_inflated_size_and_ratio_are_checked_not_only_declared(tmp_path):
    bomb = docx_bomb(tmp_path / "small.docx", size=6 << 20)  # 6 MiB declared, honest
    limits = detect.ArchiveLimits(max_member_bytes=64 << 20, max_total_bytes=1 << 30)
    with zipfile.ZipFile(bomb) as z, pytest.raises(ArchiveTooLarge, match="compressed more"):
        detect.check_archive(z, "x", limits)  # 6 MiB of spaces: ratio far above 200
    with zipfile.ZipFile(bomb) as z:
        for info in z.infolist():
            info.file_size = 1  # a lying central directory
        with pytest.raises((ArchiveTooLarge, zipfile.BadZipFile)):
            detect.check_archive(z, "x", limits._replace(max_ratio=1e9))


def test_an_ordinary_docx_passes_the_archive_check(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("근로계약서 " * 2000)
    document.save(tmp_path / "ok.docx")
    assert detect.detect_media_type(tmp_path / "ok.docx", label="x") == detect.DOCX


def test_a_plain_zip_holding_a_contract_is_unsupported(tmp_path):
    pdf = _contract(tmp_path, "c.pdf")
    with pytest.raises(UnsupportedFormat, match="zip archive"):
        detect.detect_media_type(plain_zip(tmp_path / "archive.zip", pdf), label="x")


# --- damaged PDFs ------------------------------------------------------------------------

def test_a_pdf_with_wrong_xref_offsets_is_read_through_the_repaired_copy(tmp_path):
    pdf = _contract(tmp_path, "c.pdf")
    _, expected, _ = read_document(pdf, ocr=FakeOcrEngine())
    _, pages, problems = read_document(wrong_xref(tmp_path / "x.pdf", pdf), ocr=FakeOcrEngine())
    assert [p.text for p in pages] == [p.text for p in expected] and expected[0].text
    assert problems == []


def test_an_unrepairable_pdf_is_corrupt_not_an_internal_error(tmp_path):
    pdf = _contract(tmp_path, "c.pdf")
    data = pdf.read_bytes()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(data[:200] + b"\x00" * (len(data) - 200))
    with pytest.raises((CorruptDocument, UnsupportedFormat)):
        read_document(broken, ocr=FakeOcrEngine())


# --- identifiers -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "secret"), [
    ("외국인등록번호 ９００１０１－５２３４５６７", "５２３４５６７"),
    ("여권번호 없음, M 12345678 발급", "12345678"),
    ("급여는 신한 110-123-456789 으로 지급", "123-4567"),
    ("KB 123456-01-234567", "123456-01"),
])
def test_new_identifier_forms_are_masked(text, secret):
    masked = mask_text(text)
    assert secret not in masked and secret.translate({0xFF0D: "-"}) not in masked
    assert mask_text(masked) == masked


@pytest.mark.parametrize("text", ["기업 2025-03-01 입사", "국민연금 2025-03-01", "제１조 (목적)",
                                  "KRW 30000000"])
def test_dates_and_amounts_after_bank_names_stay(text):
    assert mask_text(text) == text


def test_manifest_keeps_sources_masked_without_show_pii(tmp_path):
    key = CacheKey(sha256="a" * 64, pipeline_version="p", reference_version="r")
    entry = SummaryEntry(source=f"/in/{ID_NAME}", sha256="a" * 64, status="success")
    Manifest(tmp_path).commit(key, entry)
    text = (tmp_path / STATE_DIR / MANIFEST_NAME).read_text(encoding="utf-8")
    assert "5234567" not in text and "900101-5" in text
    shown = key.model_copy(update={"show_pii": True, "sha256": "b" * 64})
    Manifest(tmp_path).commit(shown, entry.model_copy(update={"sha256": "b" * 64}))
    assert "5234567" in (tmp_path / STATE_DIR / MANIFEST_NAME).read_text(encoding="utf-8")


# --- vanished files, locks ---------------------------------------------------------------

def test_a_file_deleted_mid_run_is_unreadable_not_internal(tmp_path):
    from flows.discover import Input
    from flows.documents import audit_file

    pdf = _contract(tmp_path, "c.pdf")
    gone = tmp_path / "gone.pdf"
    with pytest.raises(UnreadableFile):
        describe_file(gone)
    result = audit_file(gone)
    assert result.problems[0].code == "unreadable_file"
    item = Input(str(pdf), str(pdf), None)
    pdf.unlink()
    outcome = failed_outcome(item, DocumentJob(out_dir=str(tmp_path / "out")),
                             FileNotFoundError(2, "No such file", str(pdf)))
    assert outcome.entry.problems[0].code == "unreadable_file"
    assert str(pdf) not in outcome.entry.problems[0].message


def test_two_runs_on_one_output_folder_take_turns(tmp_path):
    events: list[str] = []
    first_in = threading.Event()

    def first():
        with output_session(tmp_path):
            events.append("first in")
            first_in.set()
            time.sleep(0.5)
            events.append("first out")

    worker = threading.Thread(target=first)
    worker.start()
    first_in.wait(10)
    with output_session(tmp_path):
        events.append("second in")
    worker.join(10)
    assert events == ["first in", "first out", "second in"]


# --- the whole hostile folder through the CLI --------------------------------------------

@pytest.fixture
def hostile_folder(tmp_path) -> Path:
    root, outside = tmp_path / "in", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    _contract(root, CP949_NAME, seed=1)
    _contract(root, f"report{BIDI}fdp.pdf", seed=2)
    _contract(root, ID_NAME, seed=3)
    _contract(root, "M12345678_010-1234-5678.pdf", seed=4)
    wrong_xref(root / "xref.pdf", _contract(outside, "src.pdf", seed=5))
    plain_zip(root / "archive.zip", _contract(outside, "inner.pdf", seed=6))
    docx_bomb(root / "bomb.docx")
    hwpx_bomb(root / "bomb.hwpx")
    os.mkfifo(root / "pipe.pdf")
    (root / "dangling.pdf").symlink_to(root / "nowhere.pdf")
    (root / "escape.pdf").symlink_to(_contract(outside, "other.pdf", seed=7))
    (root / "linked").symlink_to(outside, target_is_directory=True)
    shutil.rmtree(root / ".gen")
    return root


def test_a_hostile_folder_is_audited_to_the_end(prefect_harness, hostile_folder, tmp_path, capsys):
    import tempfile

    from flows.cli import main

    out = tmp_path / "out"
    before = tempfile.gettempdir()
    code = main(["audit", str(hostile_folder), "--out", str(out), "--runner", "threads",
                 "--reports", "html"])
    terminal = capsys.readouterr()
    assert code == 2
    assert tempfile.gettempdir() == before, "the run's temporary folder is put back"
    assert not [p for p in (out / ".ksoc-audit" / "tmp").rglob("*") if p.is_file()]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_name = {Path(d["source"]).name: d for d in summary["documents"]}
    assert len(by_name) == 8
    codes = {name: [p["code"] for p in d["problems"]] for name, d in by_name.items()}
    assert codes["archive.zip"] == ["unsupported_format"]
    assert codes["bomb.docx"] == ["archive_too_large"] == codes["bomb.hwpx"]
    assert by_name["계약서_홍길동.pdf"]["status"] != "failed"
    assert by_name["xref.pdf"]["status"] != "failed"
    assert by_name["report\\u202efdp.pdf"]["status"] != "failed"
    assert {Path(s["source"]).name: s["code"] for s in summary["skipped"]} == {
        "pipe.pdf": "special_file", "dangling.pdf": "dangling_symlink",
        "escape.pdf": "symlink_outside", "linked": "symlinked_folder"}
    assert not any("internal_error" in c for c in codes.values())
    for text in (terminal.out, terminal.err):
        assert BIDI not in text and not any(s in text for s in SECRETS)
    assert "SKIPPED" in terminal.out and "FAILED" in terminal.out
    for path in out.rglob("*"):
        assert BIDI not in path.name and not any(s in path.name for s in SECRETS)
        if path.is_file() and path.suffix == ".xlsx":  # zipped: look at its cells
            import openpyxl

            cells = " ".join(str(c.value) for row in openpyxl.load_workbook(path).active.iter_rows()
                             for c in row if c.value is not None)
            assert BIDI not in cells and not any(s in cells for s in SECRETS)
        elif path.is_file():
            data = path.read_bytes()
            assert BIDI.encode() not in data, path.name
            assert not any(s.encode() in data for s in SECRETS), path.name


def test_watch_once_files_a_cp949_name_and_a_fifo_does_not_block(prefect_harness, tmp_path):
    from flows.cli import main

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _contract(inbox, CP949_NAME)
    os.mkfifo(inbox / "pipe.pdf")
    code = main(["watch", str(inbox), "--out", str(tmp_path / "out"), "--once", "--settle", "0.1",
                 "--runner", "threads", "--reports", "json"])
    assert code in (0, 1)
    filed = [p for p in (inbox / "processed").rglob("*") if p.is_file()]
    assert sorted(os.fsencode(p.name) for p in filed) == [CP949_NAME, CP949_NAME + b".reason.json"]
    assert not [p for p in (inbox / ".ksoc-audit-processing").rglob("*") if p.is_file()]


def test_the_continuous_watcher_survives_a_cp949_name(prefect_harness, tmp_path):
    import contextvars

    from flows.watch import WatchOptions, watch

    inbox, stop = tmp_path / "inbox", threading.Event()
    inbox.mkdir()
    options = WatchOptions(inbox=str(inbox), out_dir=str(tmp_path / "out"), runner="threads",
                           reports="json", settle_seconds=0.2)
    worker = threading.Thread(target=contextvars.copy_context().run, args=(watch, options),
                              kwargs={"stop": stop})
    worker.start()

    def processed() -> list[bytes]:
        return sorted(os.fsencode(p.name) for p in (inbox / "processed").rglob("*")
                      if p.is_file() and not p.name.endswith(".reason.json"))

    try:
        _contract(inbox, CP949_NAME, seed=1)
        _wait(lambda: processed() == [CP949_NAME])
        _contract(inbox, "later.pdf", seed=2)  # a later drop is still picked up
        _wait(lambda: processed() == sorted([CP949_NAME, b"later.pdf"]))
        assert worker.is_alive()
    finally:
        stop.set()
        worker.join(timeout=30)


def _wait(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the watcher did not file the documents in time"
        time.sleep(0.2)
