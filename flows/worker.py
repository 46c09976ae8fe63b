"""The audit worker: one long-lived local process, started by `ksoc-audit server start` beside
the Prefect server, that has already imported the pipeline, loaded the reference data and the
matching models, imported WeasyPrint and audited a small generated contract once, so that
`ksoc-audit audit FILE --out DIR` costs the audit itself and not the start-up.

    STATE/server/worker.pid     the worker's process id (leader of its process group: the
                                worker and its warm audit processes)
    STATE/server/worker.json    {"pid", "socket", "api_url", "workers", "log", "started"}
    STATE/server/worker.sock    Unix socket, mode 0600 in a 0700 folder; peers of another
                                user are refused (SO_PEERCRED)
    STATE/server/worker.log     start, ready, one line per request (exit code, seconds), stop;
                                never a path, a file name nor a person's name

What a request does: the CLI (`hand_over`) sends its own command line, working folder, umask,
code stamp and the few environment settings that change an audit's outputs; the worker runs
the very same `flows.cli` audit command in its process (the flow run is recorded in the
Prefect server, the documents are audited by its warm process pool) and streams back the
progress, what the command prints and its exit code. One request runs at a time; up to
QUEUE_MAX more wait (the CLI says so); beyond that the CLI audits by itself.

The CLI audits by itself, as without a worker, whenever the worker cannot do exactly what the
command would: no worker or no server, another Prefect API (PREFECT_API_URL), `--verbose`,
another runner or worker count, another umask, Tesseract or OCR setting, or a worker running
other code than the CLI's (the stamp: package version and a hash of the installed sources).
A worker whose own sources changed on disk since it started is outdated: it refuses, stops,
and the CLI starts a current one in the background as it exits. A worker that dies during an
audit loses nothing: the CLI audits by itself and reuses every document the worker committed
to the output folder's manifest; one that stops answering for SILENCE_TIMEOUT_S is reported
(exit 70). A CLI that is interrupted leaves the worker to finish the audit (its outputs are
complete and reused by the next run).

This module imports no Prefect at module level: the CLI imports it to hand work over.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import io
import json
import logging
import os
import queue
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from flows import server as server_mod
from flows.server import ProcessFiles, ServerInfo, live_argv, read_record, server_files

log = logging.getLogger(__name__)

QUEUE_MAX = 4  # requests waiting behind the running one; more are told "busy"
CONNECT_TIMEOUT_S = 2.0  # the socket accepts at once unless the worker is gone or frozen
HELLO_TIMEOUT_S = 15.0  # first answer to a request (accepted or refused)
SILENCE_TIMEOUT_S = 120.0  # a working worker sends a heartbeat every HEARTBEAT_S
HEARTBEAT_S = 2.0
RECORD_CHECK_S = 10.0  # how often the worker checks that its PID file still names it
READY_TIMEOUT_S = 300.0  # start: import, reference data, models and a first audit per process
STOP_TIMEOUT_S = 20.0
STAMPED_PACKAGES = ("extractors", "matchers", "reports", "flows")
HASHED_MAX_BYTES = 512 * 1024  # larger package files (model data) count by size and mtime
# Settings of the environment that change what an audit writes: the worker serves a command
# only when they are the same in both (the worker's values are those of `server start`).
ENV_COMPARED = ("TESSDATA_PREFIX", "OMP_THREAD_LIMIT", "TZ", "LANG", "LC_ALL", "LC_CTYPE",
                "KSOC_AUDIT_RUNNER", "KSOC_AUDIT_WORKERS", "KSOC_AUDIT_DASK_ADDRESS")
ENV_PREFIXES = ("KSOC_AUDIT_",)
ENV_IGNORED = ("KSOC_AUDIT_HOME",)
LOCAL_HERE = "auditing in this command"

serving = False  # True in the worker process itself: its audits never hand over again


@dataclass(frozen=True)
class WorkerFiles(ProcessFiles):
    stem: ClassVar[str] = "worker"

    @property
    def socket(self) -> Path:
        return self.folder / "worker.sock"


@dataclass(frozen=True)
class WorkerInfo:
    pid: int
    socket: str
    api_url: str  # the Prefect API its flow runs go to
    workers: int  # warm audit processes
    log: str
    started: str


def worker_files() -> WorkerFiles:
    return WorkerFiles(server_files().folder)


# --- what runs --------------------------------------------------------------------------------


def read_worker(files: WorkerFiles | None = None) -> WorkerInfo | None:
    """The recorded worker when its process is alive and is an audit worker, else None; a stale
    record (dead process, reused pid, unreadable files) is removed with its socket."""
    files = files or worker_files()
    if not files.pid.exists() and not files.info.exists():
        return None
    info = read_record(files, lambda data: WorkerInfo(
        pid=int(data["pid"]), socket=str(data["socket"]), api_url=str(data["api_url"]),
        workers=int(data["workers"]), log=str(data["log"]), started=str(data["started"])))
    if info is None or not is_audit_worker(info.pid):
        clear_record(files)
        return None
    return info


def is_audit_worker(pid: int) -> bool:
    """True when `pid` is a live (not zombie) `python -m flows.worker serve` process."""
    argv = live_argv(pid) or []
    return b"flows.worker" in argv and b"serve" in argv


def clear_record(files: WorkerFiles) -> None:
    for path in (files.pid, files.info, files.socket):
        path.unlink(missing_ok=True)


def code_stamp() -> str:
    """The installed ksoc-audit: package version and a hash of its packages' files (sources
    and data by content; files over HASHED_MAX_BYTES by size and modification time). A worker
    serves only a CLI of the same stamp; about 10 ms (and no import of the pipeline)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("ksoc-audit")  # as reports.audit.pipeline_version
    except PackageNotFoundError:
        package = "0+unknown"
    digest = hashlib.sha256()
    for name in STAMPED_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        for here, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for file in sorted(names):
                if file.endswith((".pyc", ".pyo")):
                    continue
                path = Path(here, file)
                try:
                    stat = path.stat()
                    digest.update(f"{path.relative_to(root.parent)}\0{stat.st_size}\0".encode())
                    if stat.st_size <= HASHED_MAX_BYTES:
                        digest.update(path.read_bytes())
                    else:
                        digest.update(str(stat.st_mtime_ns).encode())
                except OSError:
                    continue
    return f"{package}/{digest.hexdigest()[:16]}"


def environment() -> dict[str, str | None]:
    """The environment settings that change an audit's outputs (ENV_COMPARED, KSOC_AUDIT_*,
    which `tesseract` runs); compared between the CLI and the worker."""
    keys = set(ENV_COMPARED) | {k for k in os.environ if k.startswith(ENV_PREFIXES)}
    env: dict[str, str | None] = {k: os.environ.get(k) for k in sorted(keys - set(ENV_IGNORED))}
    env["tesseract"] = shutil.which("tesseract")
    return env


def current_umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


# --- the Unix socket --------------------------------------------------------------------------


@contextlib.contextmanager
def _address(path: Path):
    """A socket address for `path`: the path itself, or (when longer than a Unix socket address
    may be) the same file reached through /proc/self/fd of its folder."""
    raw = os.fsencode(path)
    if len(raw) < 100:
        yield str(path)
        return
    fd = os.open(path.parent, os.O_PATH | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def _connect(path: Path, timeout: float) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        with _address(path) as address:
            sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return sock


def _send(sock: socket.socket, message: dict) -> None:
    sock.sendall(json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n")


class _Lines:
    """JSON messages read line by line from a socket (each read bounded by its timeout)."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self._buffer = b""

    def next(self, timeout: float) -> dict | None:
        """The next message; None at the end of the stream. socket.timeout when none came."""
        self._sock.settimeout(timeout)
        while b"\n" not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)


def ping(files: WorkerFiles | None = None, *, timeout: float = CONNECT_TIMEOUT_S) -> dict | None:
    """The worker's state ({"pid", "stamp", "ready", "busy", "waiting", "served", ...}), or None
    when nothing answers on its socket."""
    files = files or worker_files()
    try:
        with _connect(files.socket, timeout) as sock:
            _send(sock, {"op": "ping"})
            return _Lines(sock).next(timeout)
    except (OSError, ValueError):
        return None


# --- start / stop / status (ksoc-audit server ...) -------------------------------------------


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
    _write_record(files, info)
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
    roots = {str(Path(next(iter(importlib.util.find_spec(name).submodule_search_locations)))
                 .parent) for name in STAMPED_PACKAGES}
    env["PYTHONPATH"] = os.pathsep.join([*sorted(roots), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _write_record(files: WorkerFiles, info: WorkerInfo) -> None:
    data = {"pid": info.pid, "socket": info.socket, "api_url": info.api_url,
            "workers": info.workers, "log": info.log, "started": info.started}
    for path, text in ((files.info, json.dumps(data, indent=1)), (files.pid, f"{info.pid}\n")):
        temp = path.with_name(f".{path.name}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, path)


def _wait_ready(info: WorkerInfo, files: WorkerFiles, timeout: float, *,
                process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise WorkerError(f"the audit worker exited during its start (code "
                              f"{process.returncode}); see {files.log}")
        if process is None and not is_audit_worker(info.pid):
            raise WorkerError(f"the audit worker (pid {info.pid}) is gone; see {files.log}")
        state = ping(files)
        if state is not None and state.get("ready"):
            return
        time.sleep(0.25)
    raise WorkerError(f"the audit worker was not ready within {timeout:.0f} s; see {files.log}")


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


# --- the CLI side -----------------------------------------------------------------------------


def hand_over(args) -> int | None:
    """Run `ksoc-audit audit` (args parsed from `args.argv`) in the audit worker when one runs
    and can do exactly what this command would; returns the command's exit code, or None when
    this command must audit by itself (nothing runs, the worker refused, or it died)."""
    if serving or getattr(args, "verbose", False) or not hasattr(args, "argv"):
        return None
    files = worker_files()
    info = read_worker(files)
    if info is None:
        return None
    explicit = os.environ.get("PREFECT_API_URL")
    if explicit and explicit.rstrip("/") != info.api_url:
        return None
    server = server_mod.find_running_server()
    if server is None or server.api_url != info.api_url:
        return None
    if not _runner_served(args, info):
        return None
    request = {"op": "audit", "argv": list(args.argv), "cwd": os.getcwd(),
               "umask": current_umask(), "env": environment(), "stamp": code_stamp(),
               "api_url": info.api_url}
    try:
        sock = _connect(files.socket, CONNECT_TIMEOUT_S)
    except OSError:
        _say(f"the audit worker (pid {info.pid}) does not answer; {LOCAL_HERE}")
        return None
    with sock:
        return _converse(sock, request, info, args)


def _runner_served(args, info: WorkerInfo) -> bool:
    """The worker audits on its own process pool only: the default runner, its worker count."""
    runner = getattr(args, "runner", None) or os.environ.get("KSOC_AUDIT_RUNNER") or "processes"
    dask = getattr(args, "dask_address", None) or os.environ.get("KSOC_AUDIT_DASK_ADDRESS")
    workers = getattr(args, "workers", None) or os.environ.get("KSOC_AUDIT_WORKERS")
    try:
        same_workers = not workers or int(workers) == info.workers
    except ValueError:  # the command itself reports the bad setting
        return False
    return runner == "processes" and not dask and same_workers


def _converse(sock: socket.socket, request: dict, info: WorkerInfo, args) -> int | None:
    if getattr(args, "no_progress", False):
        progress = _NoProgress()
    else:
        from flows import progress  # rich: only to draw the bar

    lines = _Lines(sock)
    try:
        _send(sock, request)
        answer = lines.next(HELLO_TIMEOUT_S)
    except (OSError, ValueError):
        answer = None
    if answer is None:
        _say(f"the audit worker (pid {info.pid}) did not take the audit; {LOCAL_HERE}")
        return None
    if "refused" in answer:
        _refused(answer)
        return None
    printed: list[str] = []  # what the command prints: shown once it is complete, after the bar
    code: int | None = None
    with progress.progress_bar(enabled=not getattr(args, "no_progress", False)):
        try:
            while code is None:
                message = lines.next(SILENCE_TIMEOUT_S)
                if message is None:
                    break
                if "exit" in message:
                    code = int(message["exit"])
                elif "out" in message:
                    printed.append(message["out"])
                else:
                    _show(message, progress)
        except TimeoutError:
            _say(f"the audit worker (pid {info.pid}) stopped answering for "
                 f"{SILENCE_TIMEOUT_S:.0f} s; see {info.log}, stop it with `ksoc-audit server "
                 "stop` and run the command again (finished documents are reused)")
            return 70
        except (OSError, ValueError):
            pass
    if code is not None:
        sys.stdout.write("".join(printed))
        sys.stdout.flush()
        return code
    _say(f"the audit worker (pid {info.pid}) stopped during the audit; {LOCAL_HERE} "
         "(documents it finished are reused)")
    return None


class _NoProgress:
    @staticmethod
    @contextlib.contextmanager
    def progress_bar(enabled: bool = True):
        yield

    @staticmethod
    def start(total: int, label: str = "") -> None:
        pass

    @staticmethod
    def advance(note: str = "") -> None:
        pass


def _show(message: dict, progress) -> None:
    if "err" in message:
        sys.stderr.write(message["err"])
    elif message.get("progress") == "start":
        progress.start(int(message["total"]), message.get("label") or "auditing")
    elif message.get("progress") == "advance":
        progress.advance(message.get("note") or "")
    elif "queued" in message:
        _say("waiting for the audit worker: " + ("it is still starting" if message["queued"]
                                                 == "starting" else
                                                 f"{message['queued']} audit(s) before this one"))


def _refused(answer: dict) -> None:
    reason = answer.get("refused")
    if reason == "outdated":
        _say(f"the audit worker ran older code and stopped; {LOCAL_HERE}; a current one "
             "starts in the background")
        atexit.register(_restart_in_background)
    elif reason == "version":
        _say(f"the audit worker runs another ksoc-audit ({answer.get('stamp')}, this command "
             f"{code_stamp()}); {LOCAL_HERE}")
    elif reason == "busy":
        _say(f"the audit worker is busy with {QUEUE_MAX + 1} audits; {LOCAL_HERE}")
    elif reason == "environment":
        _say(f"the audit worker runs with another {answer.get('detail')}; {LOCAL_HERE} "
             "(`ksoc-audit server stop` and `start` from this shell to change it)")
    else:
        _say(f"the audit worker refused the audit ({reason}); {LOCAL_HERE}")


def _restart_in_background() -> None:
    """As this command exits: a current worker for the running server (not waited for)."""
    try:
        server = server_mod.find_running_server()
        if server is not None and read_worker() is None:
            start_worker(server, wait=False)
    except (OSError, WorkerError) as exc:
        _say(f"the audit worker could not be restarted ({type(exc).__name__})")


def _say(line: str) -> None:
    print(f"ksoc-audit: {line}", file=sys.stderr, flush=True)


# --- the worker process -----------------------------------------------------------------------


class _Channel:
    """One client connection: messages sent under a lock; a client that left is ignored."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.lock = threading.Lock()
        self.gone = False

    def send(self, message: dict) -> None:
        with self.lock:
            if self.gone:
                return
            try:
                self.sock.settimeout(30)
                _send(self.sock, message)
            except OSError:
                self.gone = True

    def close(self) -> None:
        with self.lock:
            self.gone = True
            with contextlib.suppress(OSError):
                self.sock.close()


class _Route(io.TextIOBase):
    """sys.stdout / sys.stderr of the worker: during a request what the command prints goes to
    its client; otherwise (Prefect's own messages between requests) to the worker's log."""

    def __init__(self, key: str, fallback):
        self.key = key
        self.fallback = fallback

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self):  # type: ignore[override]
        return "utf-8"

    def write(self, text: str) -> int:
        channel = _Worker.current
        if channel is not None:
            channel.send({self.key: text})
        else:
            self.fallback.write(text)
        return len(text)

    def flush(self) -> None:
        if _Worker.current is None:
            with contextlib.suppress(OSError, ValueError):
                self.fallback.flush()


class _Forward:
    """flows.progress listener sending the run's progress to the client."""

    def __init__(self, channel: _Channel):
        self.channel = channel

    def start(self, total: int, label: str) -> None:
        self.channel.send({"progress": "start", "total": total, "label": label})

    def advance(self, note: str = "") -> None:
        self.channel.send({"progress": "advance", "note": note})


class _Worker:
    current: _Channel | None = None  # the request running now

    def __init__(self, files: WorkerFiles, workers: int, log_stream):
        self.files = files
        self.workers = workers
        self.log_stream = log_stream
        self.stamp = code_stamp()  # before the pipeline is imported: what it will load
        self.umask = current_umask()
        self.env = environment()
        self.api_url = (os.environ.get("PREFECT_API_URL") or "").rstrip("/")
        self.ready = threading.Event()
        self.queue: queue.Queue[tuple[_Channel, dict]] = queue.Queue(maxsize=QUEUE_MAX)
        self.busy = False
        self.served = 0
        self.open: set[_Channel] = set()
        self.open_lock = threading.Lock()
        self.greet_lock = threading.Lock()
        self.stopping = False

    def note(self, text: str) -> None:
        """A line of the worker log (lifecycle only: never a path nor a name)."""
        self.log_stream.write(f"{server_mod._now()} {text}\n")
        self.log_stream.flush()

    # -- connections (accept thread) --

    def accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except OSError:
                if self.stopping:
                    return
                time.sleep(0.1)
                continue
            threading.Thread(target=self._greet, args=(sock,), daemon=True,
                             name="ksoc-worker-greet").start()

    def _greet(self, sock: socket.socket) -> None:
        channel = _Channel(sock)
        try:
            if not self._same_user(sock):
                channel.close()
                return
            request = _Lines(sock).next(HELLO_TIMEOUT_S)
        except (OSError, ValueError):
            channel.close()
            return
        if not isinstance(request, dict):
            channel.close()
            return
        if request.get("op") == "ping":
            channel.send(self.state())
            channel.close()
            return
        if request.get("op") != "audit":
            channel.send({"refused": "unknown"})
            channel.close()
            return
        refusal = self.refusal(request)
        if refusal is not None:
            channel.send(refusal)
            channel.close()
            if refusal["refused"] == "outdated":
                self.stop_soon()
            return
        with self.greet_lock:  # only greeters put: a free slot stays free until the put
            if self.queue.full():
                channel.send({"refused": "busy"})
                channel.close()
                return
            waiting = self.queue.qsize() + (1 if self.busy else 0)
            channel.send({"accepted": True, "pid": os.getpid()})
            if not self.ready.is_set():
                channel.send({"queued": "starting"})
            elif waiting:
                channel.send({"queued": waiting})
            with self.open_lock:
                self.open.add(channel)
            self.queue.put_nowait((channel, request))

    @staticmethod
    def _same_user(sock: socket.socket) -> bool:
        size = struct.calcsize("3i")
        _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET,
                                                               socket.SO_PEERCRED, size))
        return uid == os.getuid()

    def state(self) -> dict:
        return {"pid": os.getpid(), "stamp": self.stamp, "ready": self.ready.is_set(),
                "busy": self.busy, "waiting": self.queue.qsize(), "served": self.served,
                "api_url": self.api_url, "workers": self.workers}

    def refusal(self, request: dict) -> dict | None:
        if request.get("stamp") != self.stamp:
            if code_stamp() != self.stamp:  # our own sources changed since we started
                return {"refused": "outdated", "stamp": self.stamp}
            return {"refused": "version", "stamp": self.stamp}
        if str(request.get("api_url", "")).rstrip("/") != self.api_url:
            return {"refused": "environment", "detail": "Prefect server"}
        if request.get("umask") != self.umask:
            return {"refused": "environment", "detail": "umask"}
        theirs = request.get("env") or {}
        for key in sorted(set(theirs) | set(self.env)):
            if theirs.get(key) != self.env.get(key):
                return {"refused": "environment", "detail": key}
        argv = request.get("argv")
        if not isinstance(argv, list) or not argv or argv[0] != "audit" \
                or not isinstance(request.get("cwd"), str):
            return {"refused": "malformed"}  # the worker runs `audit` commands only
        return None

    def stop_soon(self) -> None:
        """Exit once the running request (if any) is done: the worker runs outdated code."""
        self.note("the sources changed since the start: stopping (outdated)")
        self.stopping = True
        with contextlib.suppress(OSError):
            os.unlink(self.files.socket)

    def heartbeat_loop(self) -> None:
        checked = time.monotonic()
        while True:
            time.sleep(HEARTBEAT_S)
            with self.open_lock:
                channels = list(self.open)
            for channel in channels:
                channel.send({"hb": 1})
            if time.monotonic() - checked > RECORD_CHECK_S and not self.stopping:
                checked = time.monotonic()
                if not self.recorded():
                    self.note("no longer the recorded worker (another one started): stopping")
                    self.stopping = True  # the run loop exits once idle

    def recorded(self) -> bool:
        """True while the PID file names this process (two starts racing leave one worker)."""
        try:
            return int(self.files.pid.read_text().strip()) == os.getpid()
        except (OSError, ValueError):
            return False

    # -- requests (main thread) --

    def run(self) -> None:
        while True:
            try:
                channel, request = self.queue.get(timeout=1.0)
            except queue.Empty:
                if self.stopping:
                    self.exit_now()
                continue
            self.busy = True
            try:
                self.handle(channel, request)
            finally:
                self.busy = False
                with self.open_lock:
                    self.open.discard(channel)
                channel.close()
            if self.stopping and self.queue.empty():
                self.exit_now()

    def handle(self, channel: _Channel, request: dict) -> None:
        from flows import cli, progress

        started = time.monotonic()
        code = cli.EXIT_INTERNAL
        _Worker.current = channel
        try:
            os.chdir(request["cwd"])
            argv = ["audit", "--no-progress", *request["argv"][1:]]  # the bar is drawn by the CLI
            with progress.observe(_Forward(channel)):
                code = cli._main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else cli.EXIT_USAGE
        except BaseException as exc:  # noqa: BLE001 - reported to the client, worker goes on
            sys.stderr.write("".join(traceback.format_exception(exc)))
            sys.stderr.write("ksoc-audit: internal error in the audit worker\n")
            code = cli.EXIT_INTERNAL
        finally:
            _Worker.current = None
            with contextlib.suppress(OSError):
                os.chdir(self.files.folder)
        self.sweep(request)  # before the command returns: it leaves nothing behind
        self.served += 1
        gone = " (the command had left)" if channel.gone else ""
        channel.send({"exit": code})
        self.note(f"audit {self.served}: exit {code} in {time.monotonic() - started:.2f} s{gone}")

    def sweep(self, request: dict) -> None:
        """The audit processes outlive the command: remove what they left in the output
        folder's temporary folder (WeasyPrint's font copies wait for Python's garbage
        collector) unless another run holds the folder (it sweeps them itself)."""
        import fcntl

        from flows import cli
        from flows.manifest import LOCK_NAME, STATE_DIR, sweep_run_temp

        try:
            args = cli.build_parser().parse_args(request["argv"])
            out = Path(request["cwd"], args.out)
            lock_path = out / STATE_DIR / LOCK_NAME
            if not lock_path.is_file():
                return
            with open(lock_path, "a+b") as lock:
                try:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return
                sweep_run_temp(out)
        except (OSError, SystemExit, AttributeError):
            pass

    def exit_now(self) -> None:
        self.note("stopped")
        os._exit(0)


def serve(folder: Path, workers: int) -> int:
    """The worker process (`python -m flows.worker serve`), started by `start_worker`."""
    global serving
    serving = True
    files = WorkerFiles(folder)
    log_stream = sys.stderr
    worker = _Worker(files, workers, log_stream)
    # Before Prefect is imported: its console handler takes sys.stderr once, at import.
    sys.stdout = _Route("out", log_stream)
    sys.stderr = _Route("err", log_stream)
    os.chdir(folder)
    previous = os.umask(0o177)
    try:
        files.socket.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with _address(files.socket) as address:
            listener.bind(address)
    finally:
        os.umask(previous)
    listener.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: worker.exit_now())
    threading.Thread(target=worker.accept_loop, args=(listener,), daemon=True,
                     name="ksoc-worker-accept").start()
    threading.Thread(target=worker.heartbeat_loop, daemon=True, name="ksoc-worker-hb").start()
    worker.note(f"starting: {workers} audit process(es), code {worker.stamp}")
    started = time.monotonic()
    _warm_this_process(workers)
    worker.ready.set()
    worker.note(f"ready in {time.monotonic() - started:.1f} s")
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    # As flows.audit.run_audit does per run (building settings costs ~0.25 s): once.
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        worker.run()
    return 0


def _warm_this_process(workers: int) -> None:
    """Prefect and the flow (pointed at the server), the batch renderer, and the pool of
    `workers` audit processes, each warmed by `warm_process`."""
    from flows.settings import configure_environment

    configure_environment()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    from flows import cli, logmask, runners

    cli.build_parser()  # imports the operation commands (and Prefect)
    import flows.audit  # noqa: F401
    import reports.render  # noqa: F401 - summary.xlsx and index.html

    logmask.install()
    runners.set_pool_initializer(warm_process)
    pool = runners.prestart_pool(workers)
    seen: set[int] = set()
    for _ in range(20):  # every process has run its initializer once one of its tasks ran
        seen.update(f.result() for f in [pool.submit(_process_id) for _ in range(workers)])
        if len(seen) >= workers:
            break


def _process_id() -> int:
    time.sleep(0.2)  # long enough for the other processes to take the other probes
    return os.getpid()


def warm_process() -> None:
    """Initializer of the worker's audit processes: flows.documents.warm_up (pipeline,
    reference data, models), then one audit of a small generated contract with every report
    (WeasyPrint, fonts, templates, DOCX), written to a temporary folder and removed."""
    from flows.documents import warm_up

    _private_logging()
    warm_up()
    previous = tempfile.tempdir, os.environ.get("TMPDIR")
    folder = Path(tempfile.mkdtemp(prefix="ksoc-warm-"))
    try:
        _audit_generated_contract(folder)
    except Exception as exc:  # noqa: BLE001 - each document will report its own problem
        log.warning("audit worker warm-up: %s", type(exc).__name__)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        tempfile.tempdir = previous[0]
        if previous[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous[1]


OWN_LOGGERS = ("extractors", "matchers", "reports", "flows")  # name documents by hash only


class _WithheldMessage(logging.Filter):
    """The worker's log must not name a file or a person: other libraries' messages may quote
    a path (a crop image, a font file) and are reduced to their logger and level, once per
    kind of message (WeasyPrint warns about the same CSS on every report)."""

    def __init__(self):
        super().__init__()
        self.seen: set[tuple[str, int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(OWN_LOGGERS):
            return True
        kind = (record.name, record.levelno, str(record.msg))
        if kind in self.seen:
            return False
        self.seen.add(kind)
        record.msg, record.args = ("(message withheld: it may name a file; not repeated)", ())
        record.exc_info, record.exc_text = None, None
        return True


def _private_logging() -> None:
    """Logging of an audit process of the worker: warnings to the worker log, filtered."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s (audit process): "
                                           "%(message)s"))
    handler.addFilter(_WithheldMessage())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


WARM_CONTRACT = """<html><head><meta charset="utf-8"></head><body>
<h1>근로계약서</h1>
<p>1. 근로계약기간: 2026.03.02 부터 2027.03.01 까지</p>
<p>2. 근무장소: 서울특별시 강남구</p>
<p>3. 업무의 내용: 직종: 웹 개발자 / 담당업무: 웹 서비스의 서버 API를 설계하고 개발한다</p>
<p>4. 임금: 월 3,500,000원</p>
<p>Job title: Web Developer</p>
</body></html>"""


def _audit_generated_contract(folder: Path) -> None:
    from weasyprint import HTML

    from flows.discover import Input
    from flows.documents import DocumentJob, audit_one

    pdf = folder / "warm-up.pdf"
    HTML(string=WARM_CONTRACT).write_pdf(str(pdf))
    audit_one(Input(str(pdf), pdf.name, None), DocumentJob(out_dir=str(folder / "out")))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m flows.worker",
                                     description="the ksoc-audit audit worker (started by "
                                                 "`ksoc-audit server start`)")
    parser.add_argument("action", choices=("serve",))
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--folder", type=Path, default=None,
                        help="state folder of the server (default: the current folder)")
    args = parser.parse_args(argv)
    return serve((args.folder or Path.cwd()).resolve(), max(1, args.workers))


if __name__ == "__main__":
    # Run as flows.worker, not __main__: the CLI code the worker runs reads `serving` there,
    # and its audit processes unpickle their initializer from there.
    from flows.worker import main as worker_main

    sys.exit(worker_main())
