"""The audit worker (flows.worker): `ksoc-audit server start|status|stop` start, show and stop
it; `audit` hands its work to it and gets the same outputs and exit code as without it; it
falls back when no worker runs, when the worker runs other code (an outdated worker stops and a
current one is started), and treats a stale PID file as no worker. Real server, real worker,
real audits; every process a test starts is stopped by the test."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows import server, worker
from flows.worker import LOCAL_HERE, wire

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_docs" / "01_moel_standard_web_developer.pdf"


def _cli(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900, check=False)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"KSOC_AUDIT_HOME": str(tmp_path / "state"),
                "PREFECT_HOME": str(tmp_path / "temporary-prefect")})
    Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    return env


def _files(tmp_path: Path) -> tuple[server.ServerFiles, worker.WorkerFiles]:
    folder = tmp_path / "state" / "server"
    return server.ServerFiles(folder), worker.WorkerFiles(folder)


def _stop_everything(tmp_path: Path) -> None:
    server_files, worker_files = _files(tmp_path)
    for _ in range(3):  # a worker restarted in the background may still be writing its record
        worker.stop_worker(files=worker_files)
        time.sleep(0.2)
    info = server.read_server(server_files)
    server.stop_server(files=server_files)
    if info is not None:
        assert not server._group_alive(info.pid, info.pid)


def _same_outputs(a: Path, b: Path) -> None:
    """The same files (the run's own state aside) and the same JSON, timings aside."""
    def listing(folder: Path) -> list[str]:
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                      if p.is_file() and ".ksoc-audit" not in p.parts)

    assert listing(a) == listing(b)
    for name in listing(a):
        if name.endswith(".json"):
            assert _comparable(json.loads((a / name).read_text())) == \
                _comparable(json.loads((b / name).read_text())), name


def _comparable(data):
    if isinstance(data, dict):
        return {k: _comparable(v) for k, v in data.items()
                if k not in ("generated_at", "seconds", "audited_at", "elapsed_s")}
    if isinstance(data, list):
        return [_comparable(v) for v in data]
    return data


def _audit(out: Path, env: dict[str, str], cwd: Path = ROOT, *extra: str):
    return _cli(["audit", str(SAMPLE), "--out", str(out), "--no-progress", *extra], env, cwd)


def _served(worker_files: worker.WorkerFiles) -> int:
    state = worker.ping(worker_files)
    return state["served"] if state else -1


# --- without processes ------------------------------------------------------------------------


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("whose", ["dead", "not-a-worker"])
def test_a_stale_worker_pid_file_is_removed_and_ignored(tmp_path, monkeypatch, whose):
    monkeypatch.setenv("KSOC_AUDIT_HOME", str(tmp_path / "state"))
    files = worker.worker_files()
    pid = _dead_pid() if whose == "dead" else os.getpid()  # pytest is no audit worker

    def record() -> None:
        files.folder.mkdir(parents=True, exist_ok=True)
        files.pid.write_text(f"{pid}\n")
        files.info.write_text(json.dumps({"pid": pid, "socket": str(files.socket),
                                          "api_url": "http://127.0.0.1:9/api", "workers": 1,
                                          "log": str(files.log), "started": "t"}))
        files.socket.write_text("")

    record()
    assert worker.read_worker(files) is None
    assert not files.pid.exists() and not files.info.exists() and not files.socket.exists()
    record()
    assert "removed a stale PID file" in worker.status_lines(files)[0]
    record()
    assert worker.stop_worker(files=files) is None and not files.pid.exists()
    record()
    parsed = type("Args", (), {"argv": ["audit", "x", "--out", "y"], "verbose": False})()
    assert worker.hand_over(parsed) is None  # the command audits by itself
    assert not files.pid.exists()


def test_a_socket_path_longer_than_an_address_still_works(tmp_path):
    folder = tmp_path / ("long-" * 25)
    folder.mkdir()
    path = folder / "worker.sock"
    assert len(os.fsencode(path)) > 108
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with wire.address(path) as address:
        listener.bind(address)
    listener.listen(1)
    try:
        assert path.exists()
        with wire.connect(path, 5) as client:
            peer, _ = listener.accept()
            client.sendall(b"ok\n")
            assert peer.recv(3) == b"ok\n"
            peer.close()
    finally:
        listener.close()


def _stamp(checkout: Path) -> str:
    return subprocess.run([sys.executable, "-c", ("from flows.worker import code_stamp; "
                           "print(code_stamp())")], cwd=checkout, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_code_stamp_follows_the_sources(tmp_path):
    copy = _checkout_copy(tmp_path)
    first = _stamp(copy)
    assert first == _stamp(copy)
    assert first.split("/")[0] == __import__("reports.audit").audit.pipeline_version()
    with open(copy / "reports" / "pii.py", "a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    assert _stamp(copy) != first


# --- with a real server and worker ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.ocr  # the crash is provoked during a scan's OCR
def test_worker_start_status_audit_fallback_stop(tmp_path):
    env = _env(tmp_path)
    server_files, worker_files = _files(tmp_path)
    port = str(server.free_port(47200))
    try:
        # A server without a worker: audit uses the server and audits by itself.
        started = _cli(["server", "start", "--port", port, "--workers", "0"], env)
        assert started.returncode == 0, started.stderr[-2000:]
        assert "no audit worker" in started.stdout
        assert worker.read_worker(worker_files) is None
        alone = _audit(tmp_path / "alone", env)
        assert alone.returncode == 0, alone.stderr[-2000:]
        assert "server start" not in alone.stderr and LOCAL_HERE not in alone.stderr
        assert not worker_files.log.exists()

        # `server start` again: the server runs, the worker is started and ready.
        again = _cli(["server", "start", "--workers", "1"], env)
        assert again.returncode == 0, again.stderr[-2000:]
        assert "already running" in again.stdout and "audit worker started" in again.stdout
        info = worker.read_worker(worker_files)
        assert info is not None and info.workers == 1
        assert worker.ping(worker_files)["ready"] is True
        assert stat.S_IMODE(worker_files.socket.stat().st_mode) == 0o600
        assert stat.S_IMODE(worker_files.folder.stat().st_mode) == 0o700
        status = _cli(["server", "status"], env)
        assert status.returncode == 0
        assert f"audit worker: ready (pid {info.pid}" in status.stdout

        # The audit runs in the worker: same outputs, exit code and lines as without it.
        served = _audit(tmp_path / "served", env)
        assert served.returncode == alone.returncode, served.stderr[-2000:]
        assert _served(worker_files) == 1
        assert served.stdout.replace("served", "alone") == alone.stdout
        _same_outputs(tmp_path / "alone", tmp_path / "served")
        assert not list((tmp_path / "served" / ".ksoc-audit" / "tmp").glob("*/*")), \
            "nothing left in the output's temporary folder"
        # ... and is a flow run of the server.
        runs = server.recent_flow_runs(server.read_server(server_files))
        assert sum(r.flow == "audit_contracts" for r in runs) == 2
        # A cached re-run goes to the worker too.
        cached = _audit(tmp_path / "served", env)
        assert cached.returncode == 0 and _served(worker_files) == 2
        summary = json.loads((tmp_path / "served" / "summary.json").read_text())
        assert [d["reused"] for d in summary["documents"]] == [True]
        # What the worker cannot do the same way (another worker count): the command does.
        other = _audit(tmp_path / "other", env, ROOT, "--workers", "2")
        assert other.returncode == 0 and _served(worker_files) == 2
        # Usage errors come back as they would without the worker.
        missing = _cli(["audit", str(tmp_path / "nowhere.pdf"), "--out", str(tmp_path / "x")], env)
        assert missing.returncode == 64 and "no such file or folder" in missing.stderr
        # A worker that dies during an audit: the command audits by itself, nothing is lost.
        _crash_during_an_audit(tmp_path, env, worker_files)
        assert worker.read_worker(worker_files) is None  # its PID file was stale: removed
        started_again = _cli(["server", "start", "--workers", "1"], env)
        assert "audit worker started" in started_again.stdout
        info = worker.read_worker(worker_files)
        # The log names no document.
        log = worker_files.log.read_text()
        assert SAMPLE.name not in log and SAMPLE.stem not in log and "audit 1: exit 0" in log

        stop = _cli(["server", "stop"], env)
        assert stop.returncode == 0
        assert f"audit worker stopped (pid {info.pid})" in stop.stdout
        assert not server._group_alive(info.pid, info.pid)
        assert not worker_files.pid.exists() and not worker_files.socket.exists()
    finally:
        _stop_everything(tmp_path)


def _crash_during_an_audit(tmp_path: Path, env: dict[str, str],
                           worker_files: worker.WorkerFiles) -> None:
    """SIGKILL the worker while it audits the scanned sample (OCR: seconds of work)."""
    scan = ROOT / "sample_docs" / "06_scanned_seed_case_moel.pdf"
    out = tmp_path / "crashed"
    info = worker.read_worker(worker_files)
    command = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "audit", str(scan), "--out", str(out),
         "--no-progress"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and command.poll() is None:
            state = worker.ping(worker_files)
            if state and state["busy"]:
                break
            time.sleep(0.05)
        assert command.poll() is None, "the audit ended before the worker could be killed"
        os.kill(info.pid, 9)
        stdout, stderr = command.communicate(timeout=900)
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    assert "stopped during the audit" in stderr and LOCAL_HERE in stderr
    assert command.returncode in (0, 1), stderr[-2000:]
    assert "Audited 1 document(s): 1 success" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert [d["status"] for d in summary["documents"]] == ["success"]
    for _ in range(100):  # its audit processes follow it (flows.documents.exit_with_parent)
        if not server._group_alive(info.pid, info.pid):
            break
        time.sleep(0.1)
    assert not server._group_alive(info.pid, info.pid)


def _checkout_copy(tmp_path: Path) -> Path:
    """The packages of this checkout copied to tmp_path/checkout (run with `python -m` from
    there, the CLI and its worker import these)."""
    copy = tmp_path / "checkout"
    for name in ("extractors", "matchers", "reports", "flows"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.mark.slow
def test_a_worker_running_other_code_is_refused_and_an_outdated_one_restarted(tmp_path):
    env = _env(tmp_path)
    _, worker_files = _files(tmp_path)
    copy = _checkout_copy(tmp_path)
    with open(copy / "flows" / "settings.py", "a", encoding="utf-8") as fh:
        fh.write("\n# this checkout's own change\n")  # other code than ROOT's
    try:
        started = _cli(["server", "start", "--port", str(server.free_port(47250)),
                        "--workers", "1"], env, copy)
        assert started.returncode == 0, started.stderr[-2000:]
        first = worker.read_worker(worker_files)
        assert first is not None
        served = _audit(tmp_path / "served", env, copy)
        assert served.returncode in (0, 1) and _served(worker_files) == 1, served.stderr[-2000:]

        # A command of another checkout (other code): refused, audited by the command itself.
        other = _audit(tmp_path / "other", env, ROOT)
        assert other.returncode == served.returncode
        assert "runs another ksoc-audit" in other.stderr and LOCAL_HERE in other.stderr
        assert (tmp_path / "other" / "summary.json").is_file()
        assert _served(worker_files) == 1 and worker.read_worker(worker_files) == first

        # The worker's own sources change: it is outdated, refuses, stops, and the command
        # audits by itself and starts a current worker as it exits.
        with open(copy / "flows" / "settings.py", "a", encoding="utf-8") as fh:
            fh.write("\n# changed\n")
        changed = _audit(tmp_path / "changed", env, copy)
        assert changed.returncode == served.returncode, changed.stderr[-2000:]
        assert "ran older code and stopped" in changed.stderr
        assert (tmp_path / "changed" / "summary.json").is_file()
        assert not server._group_alive(first.pid, first.pid)
        deadline = time.monotonic() + 600
        state = None
        while time.monotonic() < deadline:
            state = worker.ping(worker_files)
            if state and state["ready"]:
                break
            time.sleep(0.5)
        assert state and state["ready"] and state["pid"] != first.pid
        again = _audit(tmp_path / "again", env, copy)
        assert again.returncode == served.returncode and _served(worker_files) == 1
        assert LOCAL_HERE not in again.stderr
    finally:
        _stop_everything(tmp_path)


@pytest.mark.slow
def test_a_worker_no_longer_recorded_stops_by_itself(tmp_path):
    """Two starts racing (`server start` and a command restarting an outdated worker) leave
    one worker: the one whose PID file was overwritten stops once idle."""
    files = worker.WorkerFiles(tmp_path / "state" / "server")
    fake_server = server.ServerInfo(pid=1, url="http://127.0.0.1:9", prefect_home="h", log="l",
                                    started="t")  # the worker calls it only to audit
    info, what = worker.start_worker(fake_server, workers=1, files=files)
    try:
        assert what == "started" and worker.ping(files)["ready"]
        files.pid.write_text(f"{_dead_pid()}\n")  # as another start would have
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server._group_alive(info.pid, info.pid):
            time.sleep(0.5)
        assert not server._group_alive(info.pid, info.pid)
        assert "no longer the recorded worker" in files.log.read_text()
    finally:
        if server._group_alive(info.pid, info.pid):
            server._terminate_group(info.pid)
