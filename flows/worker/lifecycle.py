"""Start, stop and show the audit worker (`ksoc-audit server start|stop|status`): the process
`python -m flows.worker serve` in its own session beside the Prefect server, its record, its
readiness."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from flows import server as server_mod
from flows.server import ServerInfo, wait_until, write_record
from flows.worker.record import (
    STAMPED_PACKAGES,
    WorkerFiles,
    WorkerInfo,
    clear_record,
    code_stamp,
    is_audit_worker,
    read_worker,
    worker_files,
)
from flows.worker.wire import ping

READY_TIMEOUT_S = 300.0  # start: import, reference data, models and a first audit per process
STOP_TIMEOUT_S = 20.0


class WorkerError(Exception):
    """The worker could not be started; the message says why."""


def default_workers() -> int:
    return os.cpu_count() or 1


def start_worker(server: ServerInfo, *, workers: int | None = None,
                 timeout: float = READY_TIMEOUT_S, files: WorkerFiles | None = None,
                 wait: bool = True) -> tuple[WorkerInfo, str]:
    """Start the audit worker for `server` unless a current one runs; returns (worker, what):
    "started", "restarted" (it ran other code, another server, or another worker count than
    an explicit `workers`) or "running". With `wait`, returns once the worker is ready (its
    processes warm). `workers`: size of its pool (default: the cores)."""
    files = files or worker_files()
    running = read_worker(files)
    what = "started"
    if running is not None:
        state = ping(files)
        if state is not None and state.get("stamp") == code_stamp() \
                and running.api_url == server.api_url \
                and workers in (None, running.workers):
            if wait and not state.get("ready"):
                _wait_ready(running, files, timeout)
            return running, "running"
        stop_worker(files=files)
        what = "restarted"
    workers = workers or default_workers()
    files.folder.mkdir(parents=True, exist_ok=True)
    _owner_only(files.folder)
    files.socket.unlink(missing_ok=True)
    log_fd = os.open(files.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(log_fd, "ab") as log_file:
        log_file.write(f"--- {server_mod._now()} ksoc-audit audit worker start\n".encode())
        log_file.flush()
        process = subprocess.Popen(
            [sys.executable, "-m", "flows.worker", "serve", "--workers", str(workers)],
            env=_worker_env(server), stdin=subprocess.DEVNULL, stdout=log_file,
            stderr=subprocess.STDOUT, start_new_session=True, close_fds=True,
            cwd=str(files.folder))
    info = WorkerInfo(pid=process.pid, socket=str(files.socket), api_url=server.api_url,
                      workers=workers, log=str(files.log), started=server_mod._now())
    write_record(files, info, mode=0o600)
    if wait:
        try:
            _wait_ready(info, files, timeout, process=process)
        except WorkerError:
            server_mod._terminate_group(info.pid)
            clear_record(files)
            raise
    return info, what


def _owner_only(folder: Path) -> None:
    """The state's server folder holds the socket, the logs and the Prefect database: 0700."""
    try:
        if folder.stat().st_uid == os.getuid():
            os.chmod(folder, 0o700)
    except OSError:
        pass


def _worker_env(server: ServerInfo) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PREFECT_API_KEY", "PREFECT_PROFILE"):
        env.pop(name, None)
    env["PREFECT_API_URL"] = server.api_url
    env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The worker imports the packages this command imports (a checkout run with `python -m`
    # is found through the working folder, which the worker does not share).
    roots = {_package_root(name) for name in STAMPED_PACKAGES}
    env["PYTHONPATH"] = os.pathsep.join([*sorted(roots), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _package_root(name: str) -> str:
    """The folder holding package `name` (one of ours: always found, always a package)."""
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations is not None
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


def _wait_ready(info: WorkerInfo, files: WorkerFiles, timeout: float, *,
                process: subprocess.Popen[bytes] | None = None) -> None:
    outcome = wait_until(lambda: bool((ping(files) or {}).get("ready")),
                         lambda: is_audit_worker(info.pid), timeout, process=process)
    if outcome == "exited":
        code = process.returncode if process is not None else None  # "exited": a process
        raise WorkerError(f"the audit worker exited during its start (code "
                          f"{code}); see {files.log}")
    if outcome == "gone":
        raise WorkerError(f"the audit worker (pid {info.pid}) is gone; see {files.log}")
    if outcome == "timeout":
        raise WorkerError(f"the audit worker was not ready within {timeout:.0f} s; "
                          f"see {files.log}")


def stop_worker(*, timeout: float = STOP_TIMEOUT_S, files: WorkerFiles | None = None) -> int | None:
    """Stop the worker and its audit processes; returns its pid, or None when none ran (a stale
    record is removed)."""
    files = files or worker_files()
    info = read_worker(files)
    if info is None:
        return None
    server_mod._terminate_group(info.pid, timeout=timeout)
    clear_record(files)
    return info.pid


def status_lines(files: WorkerFiles | None = None) -> list[str]:
    """Lines for `ksoc-audit server status`."""
    files = files or worker_files()
    stale = files.pid.exists() or files.info.exists()
    info = read_worker(files)
    if info is None:
        note = " (removed a stale PID file)" if stale else ""
        return [f"audit worker: not running{note}; `ksoc-audit server start` starts it"]
    state = ping(files)
    if state is None:
        return [(f"audit worker: process {info.pid} runs but does not answer on {info.socket} "
                f"(see {info.log})")]
    if not state.get("ready"):
        shown = "starting"
    elif state.get("busy"):
        shown = f"auditing, {state.get('waiting', 0)} request(s) waiting"
    else:
        shown = "ready"
    current = "" if state.get("stamp") == code_stamp() else \
        " - runs older code: the next audit restarts it"
    return [(f"audit worker: {shown} (pid {info.pid}, since {info.started}, {info.workers} warm "
            f"audit process(es), {state.get('served', 0)} audit(s) served){current}"),
            f"  socket {info.socket}",
            f"  log    {info.log}"]
