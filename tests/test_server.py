"""`ksoc-audit server start|stop|status` and how commands find the background server
(flows.server); lazy start-up (no Prefect to build the parser, no pool nor rendering for a
cached batch). Every server or stand-in process a test starts is stopped by the test."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from flows import server
from flows.server import FASTER_HINT, ServerInfo

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_docs" / "01_moel_standard_web_developer.pdf"


@pytest.fixture
def state(tmp_path, monkeypatch) -> server.ServerFiles:
    """An empty ksoc-audit state folder and no PREFECT_API_URL (restored afterwards)."""
    monkeypatch.setenv("KSOC_AUDIT_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    return server.server_files()


def _record(files: server.ServerFiles, pid: int, url: str) -> None:
    files.folder.mkdir(parents=True, exist_ok=True)
    files.pid.write_text(f"{pid}\n")
    files.info.write_text(json.dumps({"pid": pid, "url": url, "prefect_home": "h",
                                      "log": str(files.log), "started": "t"}))


def _last_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def stand_in():
    """A process that looks like `prefect server start` (its own session), killed afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)", "prefect", "server", "start"],
        start_new_session=True)
    for _ in range(400):  # until it has exec'd (a fork not yet exec'd has pytest's cmdline)
        if server.is_prefect_server(process.pid):
            break
        threading.Event().wait(0.025)
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


@pytest.fixture
def health_endpoint():
    """A loopback HTTP server answering Prefect's health check; its base URL."""

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"true" if self.path == "/api/health" else b"no"
            self.send_response(200 if body == b"true" else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# --- finding the server -----------------------------------------------------------------------


def test_no_server_falls_back_with_one_line(state):
    said = []
    assert server.use_running_server(announce=said.append) == "temporary"
    assert said == [FASTER_HINT] and "`ksoc-audit server start`" in said[0]
    assert "PREFECT_API_URL" not in os.environ


def test_a_running_server_is_found_and_used(state, stand_in, health_endpoint):
    _record(state, stand_in.pid, health_endpoint)
    said = []
    assert server.use_running_server(announce=said.append) == "server"
    assert os.environ["PREFECT_API_URL"] == health_endpoint + "/api"
    assert said == []


def test_a_server_that_does_not_answer_is_not_used(state, stand_in, tmp_path):
    _record(state, stand_in.pid, f"http://127.0.0.1:{server.free_port(47000)}")
    assert server.use_running_server() == "temporary"
    assert "PREFECT_API_URL" not in os.environ
    assert state.pid.exists(), "a live server process keeps its record (it may be starting)"


def test_an_explicit_prefect_api_url_wins(state, stand_in, health_endpoint, monkeypatch):
    _record(state, stand_in.pid, health_endpoint)
    monkeypatch.setenv("PREFECT_API_URL", "http://10.0.0.5:4200/api")
    assert server.use_running_server(announce=pytest.fail) == "explicit"
    assert os.environ["PREFECT_API_URL"] == "http://10.0.0.5:4200/api"


@pytest.mark.parametrize("whose", ["dead", "not-a-server"])
def test_a_stale_pid_file_is_removed_and_ignored(state, health_endpoint, whose):
    pid = _last_pid() if whose == "dead" else os.getpid()  # pytest is no Prefect server
    _record(state, pid, health_endpoint)
    said = []
    assert server.use_running_server(announce=said.append) == "temporary"
    assert said == [FASTER_HINT]
    assert not state.pid.exists() and not state.info.exists()
    _record(state, pid, health_endpoint)
    running, lines = server.status_lines()
    assert not running and "stale PID file" in lines[0]
    assert not state.pid.exists()
    _record(state, pid, health_endpoint)
    assert server.stop_server() is None
    assert not state.pid.exists()


def test_a_pid_file_that_disagrees_with_the_record_is_stale(state, stand_in, health_endpoint):
    _record(state, stand_in.pid, health_endpoint)
    state.pid.write_text("garbage\n")
    assert server.read_server() is None
    assert not state.info.exists()


def test_stop_ends_the_whole_process_group(state, tmp_path):
    child = tmp_path / "child.pid"
    script = ("import subprocess, sys, time; "
              "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
              f"open({str(child)!r}, 'w').write(str(p.pid)); time.sleep(120)")
    leader = subprocess.Popen([sys.executable, "-c", script, "prefect", "server", "start"],
                              start_new_session=True)
    try:
        for _ in range(1200):  # until the leader has started its child (no timing asserted)
            if child.exists() and child.read_text() and server.is_prefect_server(leader.pid) \
                    or leader.poll() is not None:
                break
            threading.Event().wait(0.05)
        grandchild = int(child.read_text())
        _record(state, leader.pid, "http://127.0.0.1:9")
        assert server.stop_server() == leader.pid
        assert leader.wait(timeout=10) is not None
        assert not server._group_alive(leader.pid, leader.pid)
        assert not Path(f"/proc/{grandchild}").exists() or \
            "\nState:\tZ" in Path(f"/proc/{grandchild}/status").read_text()
        assert not state.pid.exists()
    finally:
        if leader.poll() is None:
            os.killpg(leader.pid, 9)
            leader.wait()


def test_status_lists_recent_flow_runs(state, stand_in):
    """The status reads flow runs and flow names from the REST API."""
    calls = []

    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"true")

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            calls.append((self.path, body))
            if self.path == "/api/flow_runs/filter":
                data = [{"flow_id": "f1", "name": "proud-asp", "start_time":
                         "2026-05-04T01:02:03Z", "state": {"name": "Completed"},
                         "total_run_time": 2.5}]
            else:
                data = [{"id": "f1", "name": "audit_contracts"}]
            self.send_response(200)
            self.end_headers()
            self.wfile.write(json.dumps(data).encode())

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        _record(state, stand_in.pid, url)
        running, lines = server.status_lines()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert running
    assert f"  UI   {url}" in lines
    assert "flow runs of the last 24 hours: 1" in lines
    assert any("audit_contracts / proud-asp  Completed  2.5 s" in line for line in lines)
    assert "after_" in calls[0][1]["flow_runs"]["start_time"]


# --- lazy start-up ----------------------------------------------------------------------------


def _python(code: str) -> subprocess.CompletedProcess:
    """`code` run by a fresh interpreter in the checkout (imports measured from a clean start)."""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True)


def test_the_parser_does_not_import_prefect_nor_the_pipeline():
    code = ("import sys; from flows.cli import build_parser; build_parser().parse_args("
            "['audit', 'x', '--out', 'y']); "
            "print(sorted(m for m in ('prefect', 'pdfplumber', 'pytesseract', 'openpyxl', "
            "'weasyprint', 'matchers.knowledge.load') if m in sys.modules))")
    done = _python(code)
    assert done.stdout.strip() == "[]"


def test_spelled_out_choices_match_the_enums():
    from flows.documents import ReportsMode
    from flows.operations_cli import REPORTS_CHOICES, RUNNER_CHOICES
    from flows.runners import RunnerKind

    assert RUNNER_CHOICES == tuple(k.value for k in RunnerKind)
    assert REPORTS_CHOICES == tuple(m.value for m in ReportsMode)


def test_reference_version_does_not_load_the_reference_data():
    code = ("import sys; from reports.audit import reference_version; v = reference_version(); "
            "from matchers.knowledge.load import load_knowledge; "
            "print(load_knowledge.cache_info().currsize, "
            "v.startswith(f'{load_knowledge().version}.'))")
    done = _python(code)
    assert done.stdout.split() == ["0", "True"]


def test_a_cached_batch_starts_no_pool_nor_runner_and_renders_nothing(
        prefect_harness, tmp_path, monkeypatch):
    import flows.audit
    from flows import runners
    from flows.discover import discover
    from flows.documents import DocumentJob, count_to_audit
    from tests.ops_helpers import make_contracts

    inputs, out = tmp_path / "in", tmp_path / "out"
    make_contracts(inputs, 2)
    job = DocumentJob(out_dir=str(out.resolve()), reports="json")
    assert count_to_audit(discover([str(inputs)]), job) == 2
    rendered, runners_started = [], []
    real_render, real_submit = flows.audit._render_batch, runners.LazyRunner.submit
    monkeypatch.setattr(flows.audit, "_render_batch",
                        lambda *a: rendered.append(1) or real_render(*a))

    def submit(self, *args, **kwargs):
        runners_started.append(self.spec.kind)
        return real_submit(self, *args, **kwargs)

    monkeypatch.setattr(runners.LazyRunner, "submit", submit)

    def audit():
        return flows.audit.run_audit(paths=[str(inputs)], out_dir=str(out), reports="json",
                                     runner="processes", workers=1)

    runners.shutdown_pool()
    audit()
    assert runners.pool_started() and rendered == [1] and runners_started
    assert count_to_audit(discover([str(inputs)]), job) == 0
    runners.shutdown_pool()
    rendered.clear()
    runners_started.clear()
    second = audit()  # reused: true is new in the summary, so the batch outputs are rewritten
    assert all(d.reused for d in second.documents)
    assert not runners.pool_started() and not runners_started and rendered == [1]
    rendered.clear()
    audit()
    assert not runners.pool_started() and not runners_started and rendered == []
    (out / "index.html").unlink()
    audit()  # a batch output gone: written again
    assert rendered == [1] and (out / "index.html").is_file()


# --- the real server --------------------------------------------------------------------------


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def cli_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"KSOC_AUDIT_HOME": str(tmp_path / "state"),
                "PREFECT_HOME": str(tmp_path / "temporary-prefect")})
    Path(env["PREFECT_HOME"]).mkdir(parents=True)
    return env


@pytest.fixture
def real_server(cli_env, tmp_path):
    """`ksoc-audit server start` on a free port; stopped (process group and all) afterwards."""
    files = server.ServerFiles(tmp_path / "state" / "server")
    started = _cli(["server", "start", "--port", str(server.free_port(47100)), "--workers", "1"],
                   cli_env)
    info = server.read_server(files)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        assert info is not None
        yield info
    finally:
        from flows.worker import WorkerFiles, stop_worker

        stop_worker(files=WorkerFiles(files.folder))  # its audit worker (tests/test_worker.py)
        if info is not None:
            server.stop_server(files=files)
            assert not server._group_alive(info.pid, info.pid)


@pytest.mark.slow
def test_server_start_status_audit_stop(real_server: ServerInfo, cli_env, tmp_path):
    assert real_server.url.startswith("http://127.0.0.1:")
    assert Path(real_server.prefect_home) == tmp_path / "state" / "server" / "prefect"
    assert (tmp_path / "state" / "server" / "server.log").is_file()
    again = _cli(["server", "start"], cli_env)
    assert again.returncode == 0 and "already running" in again.stdout
    assert f"pid {real_server.pid}" in again.stdout

    audit = _cli(["audit", str(SAMPLE), "--out", str(tmp_path / "out"), "--no-progress",
                  "--reports", "json"], cli_env)
    assert audit.returncode == 0, audit.stderr[-2000:]
    assert "server start" not in audit.stderr, "the running server must be used"
    assert not any((tmp_path / "temporary-prefect").iterdir()), "no temporary server database"

    status = _cli(["server", "status"], cli_env)
    assert status.returncode == 0
    assert f"UI   {real_server.url}" in status.stdout
    assert "flow runs of the last 24 hours: 1" in status.stdout
    assert "audit_contracts /" in status.stdout and "Completed" in status.stdout

    stop = _cli(["server", "stop"], cli_env)
    assert stop.returncode == 0 and f"stopped (pid {real_server.pid})" in stop.stdout
    assert not server._group_alive(real_server.pid, real_server.pid)
    after = _cli(["server", "status"], cli_env)
    assert after.returncode == 3 and "not running" in after.stdout


@pytest.mark.slow
def test_audit_falls_back_to_a_temporary_server_when_none_runs(cli_env, tmp_path):
    audit = _cli(["audit", str(SAMPLE), "--out", str(tmp_path / "out"), "--no-progress",
                  "--reports", "json"], cli_env)
    assert audit.returncode == 0, audit.stderr[-2000:]
    assert audit.stderr.count(FASTER_HINT) == 1
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["documents"]
    assert any((tmp_path / "temporary-prefect").iterdir()), "the temporary server's database"
