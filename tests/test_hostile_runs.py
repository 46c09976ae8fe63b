"""Hostile runs: runaway pages, leftovers after a kill, killed parents, masked Prefect logs
(the hostile inputs: tests/test_hostile.py)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from extractors.pipeline import read_document
from flows.manifest import output_session
from tests.ocr_fakes import FakeOcrEngine
from tests.test_hostile import _contract

# --- runaway pages -----------------------------------------------------------------------

def slow_grid_pdf(path: Path, pages: int = 2, cells: int = 90) -> Path:
    """Dense ruled grids with a word in every cell: pdfplumber needs seconds per page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    step_x, step_y = (width - 40) / cells, (height - 40) / cells
    for _ in range(pages):
        for i in range(cells + 1):
            c.line(20 + i * step_x, 20, 20 + i * step_x, height - 20)
            c.line(20, 20 + i * step_y, width - 20, 20 + i * step_y)
        c.setFont("Helvetica", 3)
        for i in range(cells):
            for j in range(cells):
                c.drawString(21 + i * step_x, 21 + j * step_y, f"x{i * j % 97}")
        c.showPage()
    c.save()
    return path


def test_a_slow_text_layer_page_is_abandoned_and_becomes_a_problem(tmp_path):
    from extractors.settings import ExtractSettings

    pdf = slow_grid_pdf(tmp_path / "grid.pdf")
    started = time.monotonic()
    _, pages, problems = read_document(pdf, ocr=FakeOcrEngine(),
                                       settings=ExtractSettings(page_timeout_s=0.5))
    assert time.monotonic() - started < 10, "each page stopped after its 0.5 s"
    assert [p.code for p in problems] == ["text_layer_timeout", "text_layer_timeout"]
    assert [p.page for p in problems] == [1, 2] and all(not p.text for p in pages)


def test_the_document_deadline_covers_text_layer_reading(tmp_path):
    from extractors.errors import DocumentTimeout
    from extractors.settings import ExtractSettings

    pdf = slow_grid_pdf(tmp_path / "grid.pdf", pages=3)
    started = time.monotonic()
    with pytest.raises(DocumentTimeout):
        read_document(pdf, ocr=FakeOcrEngine(),
                      settings=ExtractSettings(page_timeout_s=60, document_timeout_s=1.0))
    assert time.monotonic() - started < 10


# --- leftovers after a kill ----------------------------------------------------------------

def test_temporary_files_live_under_the_output_and_are_swept_at_the_next_start(tmp_path, monkeypatch):
    import tempfile

    from flows.documents import use_run_temp_dir
    from flows.manifest import own_temp_name, run_temp_root

    monkeypatch.setattr(tempfile, "tempdir", tempfile.tempdir)
    monkeypatch.setenv("TMPDIR", os.environ.get("TMPDIR", "/tmp"))
    out = tmp_path / "out"
    own = use_run_temp_dir(str(out))
    with tempfile.TemporaryDirectory(prefix="ksoc-ocr-") as scratch:
        assert Path(scratch).parent == own == run_temp_root(out) / own_temp_name()
    killed = run_temp_root(out) / "otherhost-4242" / "ksoc-ocr-abc"
    killed.mkdir(parents=True)
    (killed / "page.bmp").write_bytes(b"BM page image")  # left by a SIGKILLed OCR
    with output_session(out):
        pass
    assert not killed.parent.exists() and own.is_dir()


def test_a_worker_exits_when_its_parent_is_killed(tmp_path):
    import signal
    import subprocess
    import sys

    grandchild = ("from flows.documents import exit_with_parent; import time; "
                  "exit_with_parent(0.1); time.sleep(60)")
    child = ("import subprocess, sys, time; "
             f"p = subprocess.Popen([sys.executable, '-c', {grandchild!r}]); "
             "print(p.pid, flush=True); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[1])
    worker = int(parent.stdout.readline())
    time.sleep(1.0)
    assert _alive(worker)
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker), "the worker outlived its killed parent"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


def test_a_time_limit_swallowed_once_fires_again():
    from extractors.limits import OverBudget, time_limit

    swallowed = []
    started = time.monotonic()
    with pytest.raises(OverBudget), time_limit(0.1):
        try:
            while time.monotonic() - started < 5:
                pass
        except OverBudget:
            swallowed.append(True)  # like an exception raised in a __del__
        while time.monotonic() - started < 5:
            pass
    assert swallowed and time.monotonic() - started < 2


def test_prefect_sees_how_many_inputs_not_their_paths(prefect_harness, tmp_path):
    from datetime import datetime

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime

    from flows.audit import run_audit

    folder = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path),
                                           "홍길동_900101-5234567".encode("cp949"))))
    folder.mkdir()
    _contract(folder, "c.pdf")
    since = datetime.now().astimezone()
    summary = run_audit(paths=[str(folder)], out_dir=str(tmp_path / "out"), runner="threads",
                        reports="json")
    assert len(summary.documents) == 1 and summary.documents[0].status != "failed"
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            start_time=FlowRunFilterStartTime(after_=since)))
    mine = [r for r in runs if r.parameters.get("out_dir") == str(tmp_path / "out")]
    assert len(mine) == 1 and mine[0].parameters["paths"] == {"inputs": 1}
    assert "5234567" not in json.dumps(mine[0].parameters, ensure_ascii=False)


SCRATCH = "tests.test_hostile_runs:scratch_audit"


def scratch_audit(path: Path, **options):
    """The real audit, with a page image in a temporary folder meanwhile (as OCR keeps one)."""
    import tempfile

    from tests.ops_helpers import traced_audit

    with tempfile.TemporaryDirectory(prefix="ksoc-ocr-") as scratch:
        (Path(scratch) / "page.bmp").write_bytes(b"BM page image")
        time.sleep(2.0)
        return traced_audit(path, **options)


@pytest.mark.slow
def test_a_killed_batch_leaves_nothing_in_the_system_temp_folder(prefect_harness, tmp_path):
    import signal
    import subprocess
    import sys

    from prefect.settings import PREFECT_API_URL

    from tests.ops_helpers import make_contracts
    from tests.test_crash import LAUNCHER, ROOT

    inputs, out, system_temp = tmp_path / "in", tmp_path / "out", tmp_path / "systmp"
    system_temp.mkdir()
    make_contracts(inputs, 6)

    def start() -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(system_temp),
               "PREFECT_API_URL": PREFECT_API_URL.value()}
        return subprocess.Popen([sys.executable, LAUNCHER, str(inputs), str(out), SCRATCH],
                                cwd=ROOT, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    first = start()
    deadline = time.monotonic() + 120
    while not (list(out.rglob("page.bmp")) or list(system_temp.rglob("page.bmp"))):
        assert first.poll() is None and time.monotonic() < deadline, "the batch never got going"
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(30)
    assert list(system_temp.rglob("*")) == [], "temporary files went to the system temp folder"
    left = list((out / ".ksoc-audit" / "tmp").rglob("page.bmp"))
    assert left, "the kill landed while page images were on disk"
    assert start().wait(180) == 0
    assert not [p for p in (out / ".ksoc-audit" / "tmp").rglob("*") if p.is_file()]


def test_prefect_logs_keep_identifiers_masked(prefect_harness):
    from prefect import flow, get_client, get_run_logger
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.context import get_run_context
    from prefect.logging.handlers import APILogHandler

    from flows import logmask

    @flow(name="log-mask-check")
    def crashes_on_a_path() -> str:
        logmask.install()
        logger = get_run_logger()
        logger.error("cannot open %s", "/in/계약서_900101-5234567.pdf")
        try:
            open("/nonexistent/여권_M12345678.pdf")  # noqa: SIM115 - the traceback quotes the path
        except OSError:
            logger.exception("crash")
        return str(get_run_context().flow_run.id)

    run_id = crashes_on_a_path()
    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    text = "\n".join(log.message for log in logs)
    assert "cannot open" in text and "crash" in text and "FileNotFoundError" in text
    assert "5234567" not in text and "12345678" not in text


def test_a_watched_child_is_stopped_when_its_parent_is_killed(tmp_path):
    import signal
    import subprocess
    import sys

    script = ("import subprocess, sys, time; from flows.reaper import stop_with_us; "
              "server = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
              "stop_with_us(server.pid); print(server.pid, flush=True); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[1], start_new_session=True)
    server = int(parent.stdout.readline())
    time.sleep(1.5)
    assert _alive(server)
    parent.send_signal(signal.SIGKILL)  # only the main process, as `kill -9 PID` does
    parent.wait(10)
    deadline = time.monotonic() + 10
    while _alive(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(server), "the child outlived its killed parent"
