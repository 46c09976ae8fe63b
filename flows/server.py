"""`ksoc-audit server start|stop|status`: one Prefect server with its UI, kept running in the
background, and how `audit`, `watch` and `serve` find it.

Without a server every ksoc-audit command starts Prefect's temporary server (10-15 s on a small
machine) and stops it at exit. `ksoc-audit server start` runs `prefect server start` once, in
its own session, bound to 127.0.0.1, with its Prefect home (SQLite database) under the state
folder (flows.settings.state_dir), and records what it started:

    STATE/server/server.pid     the server's process id (its process group: uvicorn included)
    STATE/server/server.json    {"pid", "url", "prefect_home", "log", "started"}
    STATE/server/server.log     everything the server prints

A command finds the server through those files and a health check of the recorded address
(`find_running_server`); nothing has to be configured. An explicit PREFECT_API_URL always wins.
A PID file whose process is gone (or is no longer a Prefect server: the pid was reused after a
reboot) is stale: every command treats it as no server and removes it.

No Prefect import here: the check runs before Prefect is imported, and Prefect reads its
settings (PREFECT_API_URL among them) once, at import.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from flows.settings import state_dir

HOST = "127.0.0.1"  # loopback only: the API runs whatever flow code it is asked to schedule
DEFAULT_PORT = 4200  # Prefect's own default; the next free port when it is taken
PORT_SPAN = 20  # ports tried after the default
START_TIMEOUT_S = 180.0  # first start creates the database (10-60 s on a busy 2-core machine)
STOP_TIMEOUT_S = 20.0
HEALTH_TIMEOUT_S = 1.0


class ProcessRecord(Protocol):
    """A process record: a dataclass of int and str fields, `pid` among them (ServerInfo,
    flows.worker.record.WorkerInfo)."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def pid(self) -> int: ...


R = TypeVar("R", bound=ProcessRecord)
F = TypeVar("F", bound="ProcessFiles")
FASTER_HINT = ("ksoc-audit: no Prefect server running, starting a temporary one for this "
               "command; `ksoc-audit server start` makes the next run faster")


@dataclass(frozen=True)
class ProcessFiles:
    """A background process's record under the state folder: STEM.pid, STEM.json, STEM.log."""

    folder: Path
    stem: ClassVar[str]

    @property
    def pid(self) -> Path:
        return self.folder / f"{self.stem}.pid"

    @property
    def info(self) -> Path:
        return self.folder / f"{self.stem}.json"

    @property
    def log(self) -> Path:
        return self.folder / f"{self.stem}.log"


@dataclass(frozen=True)
class ServerFiles(ProcessFiles):
    stem: ClassVar[str] = "server"

    @property
    def prefect_home(self) -> Path:
        return self.folder / "prefect"


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    url: str  # http://127.0.0.1:PORT (the UI); the API is url + "/api"
    prefect_home: str
    log: str
    started: str

    @property
    def api_url(self) -> str:
        return self.url + "/api"


def server_files() -> ServerFiles:
    return ServerFiles(state_dir() / "server")


# --- what runs --------------------------------------------------------------------------------


def read_server(files: ServerFiles | None = None) -> ServerInfo | None:
    """The recorded server when its process is alive and is a Prefect server, else None; a
    stale record (dead process, reused pid, unreadable files) is removed."""
    return read_live_record(files or server_files(), ServerInfo, is_prefect_server, clear_record)


def read_live_record(files: F, kind: type[R], is_ours: Callable[[int], bool],
                     clear: Callable[[F], None]) -> R | None:
    """The record `kind` of `files` when its process is alive and `is_ours(pid)`, else None;
    a stale record (dead process, reused pid, unreadable files) is removed by `clear(files)`."""
    if not files.pid.exists() and not files.info.exists():
        return None
    info = read_record(files, kind)
    if info is None or not is_ours(info.pid):
        clear(files)
        return None
    return info


RECORD_TYPES = {"int": int, "str": str}  # the field types of a process record


def read_record(files: ProcessFiles, kind: type[R]) -> R | None:
    """The record `kind` (a dataclass of int and str fields, `pid` among them) read from the
    JSON record, when the PID file and the record name the same pid; else None (missing,
    unreadable or torn files)."""
    try:
        pid = int(files.pid.read_text().strip())
        data = json.loads(files.info.read_text(encoding="utf-8"))
        info = kind(**{f.name: RECORD_TYPES[str(f.type)](data[f.name]) for f in fields(kind)})
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if info.pid == pid else None


def write_record(files: ProcessFiles, info: ProcessRecord, *, mode: int = 0o666) -> None:
    """The JSON record of `info` (a process record dataclass), then the PID file, each replaced
    atomically; files created with `mode` (less the umask)."""
    for path, text in ((files.info, json.dumps(asdict(info), indent=1)),
                       (files.pid, f"{info.pid}\n")):
        temp = path.with_name(f".{path.name}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, path)


def live_argv(pid: int) -> list[bytes] | None:
    """The command line of a live (not zombie) process, None when there is none."""
    if pid <= 0:
        return None
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            if "\nState:\tZ" in fh.read():
                return None
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().split(b"\0")
    except OSError:
        return None


def is_prefect_server(pid: int) -> bool:
    """True when `pid` is a live (not zombie) process running `prefect server start`."""
    argv = live_argv(pid) or []
    return b"prefect" in argv and b"server" in argv and b"start" in argv


def clear_record(files: ServerFiles) -> None:
    files.pid.unlink(missing_ok=True)
    files.info.unlink(missing_ok=True)


def healthy(url: str, timeout: float = HEALTH_TIMEOUT_S) -> bool:
    """True when the Prefect API at `url` (without /api) answers its health check."""
    try:
        with _no_proxy().open(f"{url}/api/health", timeout=timeout) as response:
            ok: bool = response.status == 200 and response.read().strip() == b"true"
            return ok
    except (OSError, ValueError):
        return False


def _no_proxy() -> urllib.request.OpenerDirector:
    # A loopback address never goes through an HTTP proxy set in the environment.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def find_running_server(files: ServerFiles | None = None) -> ServerInfo | None:
    """The background server when it runs and answers, else None (no configuration)."""
    info = read_server(files)
    if info is not None and healthy(info.url):
        return info
    return None


def use_running_server(*, announce: Callable[[str], object] | None = None) -> str:
    """Point this process's Prefect at the background server when one runs; call before
    Prefect is imported. Returns "explicit" (PREFECT_API_URL set by the user: it wins),
    "server" (found and used) or "temporary" (none: Prefect starts its temporary server;
    `announce` gets the one-line hint)."""
    if os.environ.get("PREFECT_API_URL"):
        return "explicit"
    info = find_running_server()
    if info is None:
        if announce is not None:
            announce(FASTER_HINT)
        return "temporary"
    os.environ["PREFECT_API_URL"] = info.api_url
    return "server"


# --- start / stop -----------------------------------------------------------------------------


class ServerError(Exception):
    """The server could not be started or stopped; the message says why."""


def start_server(port: int | None = None, *, timeout: float = START_TIMEOUT_S,
                 files: ServerFiles | None = None) -> tuple[ServerInfo, bool]:
    """Start the background server unless it runs; returns (server, started_now)."""
    files = files or server_files()
    running = read_server(files)
    if running is not None:
        if healthy(running.url) or _wait_healthy(running, files, timeout):
            return running, False
        raise ServerError(f"the server (pid {running.pid}) runs but does not answer at "
                          f"{running.url}; see {running.log}, or `ksoc-audit server stop`")
    files.folder.mkdir(parents=True, exist_ok=True)
    files.prefect_home.mkdir(parents=True, exist_ok=True)
    chosen = port or free_port(DEFAULT_PORT)
    if port and not port_free(port):
        raise ServerError(f"port {port} is in use; choose another with --port")
    url = f"http://{HOST}:{chosen}"
    with open(files.log, "ab") as log:
        log.write(f"\n--- {_now()} ksoc-audit server start on {url}\n".encode())
        log.flush()
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", HOST,
             "--port", str(chosen), "--ui", "--analytics-off"],
            env=_server_env(files), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True, cwd=str(files.folder))
    info = ServerInfo(pid=process.pid, url=url, prefect_home=str(files.prefect_home),
                      log=str(files.log), started=_now())
    write_record(files, info)
    if not _wait_healthy(info, files, timeout, process=process):
        _terminate_group(info.pid)
        clear_record(files)
        raise ServerError(f"the Prefect server did not answer at {url} within {timeout:.0f} s; "
                          f"see {files.log}")
    return info, True


def _server_env(files: ServerFiles) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE"):
        env.pop(name, None)
    env.update({
        "PREFECT_HOME": str(files.prefect_home),
        "PREFECT_SERVER_UI_ENABLED": "true",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_HOST": HOST,
        "PREFECT_LOGGING_LEVEL": env.get("PREFECT_LOGGING_LEVEL", "WARNING"),
    })
    return env


def _wait_healthy(info: ServerInfo, files: ServerFiles, timeout: float, *,
                  process: subprocess.Popen[bytes] | None = None) -> bool:
    return wait_until(lambda: healthy(info.url), lambda: is_prefect_server(info.pid), timeout,
                      process=process) == "ready"


def wait_until(ready: Callable[[], bool], alive: Callable[[], bool], timeout: float, *,
               process: subprocess.Popen[bytes] | None = None) -> str:
    """Polls a starting background process until `ready()`: returns "ready", "exited" (the
    `process` we started ended), "gone" (without `process`: `alive()` turned false) or
    "timeout"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return "exited"
        if process is None and not alive():
            return "gone"
        if ready():
            return "ready"
        time.sleep(0.25)
    return "timeout"


def stop_server(*, timeout: float = STOP_TIMEOUT_S, files: ServerFiles | None = None) -> int | None:
    """Stop the background server (its whole process group); returns its pid, or None when
    none ran (a stale record is removed)."""
    files = files or server_files()
    info = read_server(files)
    if info is None:
        return None
    _terminate_group(info.pid, timeout=timeout)
    clear_record(files)
    return info.pid


def _terminate_group(pid: int, *, timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM to the server's process group (the CLI and its uvicorn), SIGKILL after
    `timeout`; returns once none of them is left."""
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return
    if group != pid:  # not a group leader we started: signal the process alone
        _signal(lambda sig: os.kill(pid, sig), signal.SIGTERM)
    else:
        _signal(lambda sig: os.killpg(group, sig), signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _group_alive(group, pid):
        _reap(pid)
        time.sleep(0.1)
    if _group_alive(group, pid):
        _signal(lambda sig: os.killpg(group, sig) if group == pid else os.kill(pid, sig),
                signal.SIGKILL)
        for _ in range(50):
            _reap(pid)
            if not _group_alive(group, pid):
                break
            time.sleep(0.1)


def _signal(send: Callable[[int], None], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        send(sig)


def _reap(pid: int) -> None:
    """Collect the exit status when the server is our own child (the same process started it)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _group_alive(group: int, pid: int) -> bool:
    """True while a live (non-zombie) process of process group `group` exists."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            return True
    return False


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """`preferred` when free, else the next free port after it, else one the OS picks."""
    for port in range(preferred, preferred + PORT_SPAN):
        if port_free(port):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        picked: int = s.getsockname()[1]
        return picked


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


# --- status -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowRunLine:
    start: str  # local time, or "" when not started
    flow: str
    name: str
    state: str
    seconds: float | None


def recent_flow_runs(info: ServerInfo, *, hours: float = 24, limit: int = 50) -> list[FlowRunLine]:
    """Flow runs started in the last `hours`, newest first, read from the server's REST API."""
    since = (datetime.now(UTC) - timedelta(hours=hours)).isoformat()
    runs = _post(info, "/flow_runs/filter", {
        "flow_runs": {"start_time": {"after_": since}}, "sort": "START_TIME_DESC", "limit": limit})
    flow_ids = sorted({r["flow_id"] for r in runs if r.get("flow_id")})
    names = {}
    if flow_ids:
        flows = _post(info, "/flows/filter", {"flows": {"id": {"any_": flow_ids}}})
        names = {f["id"]: f["name"] for f in flows}
    lines = []
    for run in runs:
        start = run.get("start_time")
        shown = (datetime.fromisoformat(start).astimezone()
                 .strftime("%Y-%m-%d %H:%M:%S") if start else "")
        state = (run.get("state") or {}).get("name") or run.get("state_name") or "?"
        lines.append(FlowRunLine(start=shown, flow=names.get(run.get("flow_id"), "?"),
                                 name=run.get("name", "?"), state=state,
                                 seconds=run.get("total_run_time")))
    return lines


def _post(info: ServerInfo, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        info.api_url + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"})
    with _no_proxy().open(request, timeout=10) as response:
        runs: list[dict[str, Any]] = json.loads(response.read())
        return runs


def status_lines(files: ServerFiles | None = None) -> tuple[bool, list[str]]:
    """(running, lines to print) for `ksoc-audit server status`."""
    files = files or server_files()
    stale = files.pid.exists() or files.info.exists()
    info = read_server(files)
    if info is None:
        note = " (removed a stale PID file)" if stale else ""
        return False, [(f"ksoc-audit server: not running{note}; start it with "
                        "`ksoc-audit server start`")]
    if not healthy(info.url):
        return False, [(f"ksoc-audit server: process {info.pid} runs but does not answer at "
                        f"{info.url} (starting, or stuck: see {info.log})")]
    lines = [f"ksoc-audit server: running (pid {info.pid}, since {info.started})",
             f"  UI   {info.url}",
             f"  API  {info.api_url}",
             f"  home {info.prefect_home}",
             f"  log  {info.log}"]
    try:
        runs = recent_flow_runs(info)
    except (OSError, ValueError) as exc:
        lines.append(f"flow runs: could not be read ({type(exc).__name__})")
        return True, lines
    lines.append(f"flow runs of the last 24 hours: {len(runs)}")
    for run in runs:
        took = f"{run.seconds:.1f} s" if run.seconds is not None else ""
        lines.append(f"  {run.start or '(not started)':19}  {run.flow} / {run.name}  "
                     f"{run.state}  {took}".rstrip())
    return True, lines
