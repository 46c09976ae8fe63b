"""The worker process (`python -m flows.worker serve`, started by `start_worker`): a socket
server taking one audit request at a time (up to QUEUE_MAX waiting), each run as the very same
`flows.cli` audit command in this process, with what it prints and its progress streamed to the
client. The log it keeps (flows.worker.record) never names a path, a file nor a person. No
Prefect import at module level: `serve` imports it once the socket listens."""

from __future__ import annotations

import contextlib
import io
import os
import queue
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, TextIO

from flows import server as server_mod
from flows.worker import client
from flows.worker.record import WorkerFiles, code_stamp, current_umask, environment
from flows.worker.warm import warm_this_process
from flows.worker.wire import HEARTBEAT_S, HELLO_TIMEOUT_S, QUEUE_MAX, Lines, address, send

RECORD_CHECK_S = 10.0  # how often the worker checks that its PID file still names it


class _Channel:
    """One client connection: messages sent under a lock; a client that left is ignored."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.lock = threading.Lock()
        self.gone = False

    def send(self, message: dict[str, Any]) -> None:
        with self.lock:
            if self.gone:
                return
            try:
                self.sock.settimeout(30)
                send(self.sock, message)
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

    def __init__(self, key: str, fallback: TextIO) -> None:
        self.key = key
        self.fallback = fallback

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
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

    def __init__(self, files: WorkerFiles, workers: int, log_stream: TextIO) -> None:
        self.files = files
        self.workers = workers
        self.log_stream = log_stream
        self.stamp = code_stamp()  # before the pipeline is imported: what it will load
        self.umask = current_umask()
        self.env = environment()
        self.api_url = (os.environ.get("PREFECT_API_URL") or "").rstrip("/")
        self.ready = threading.Event()
        self.queue: queue.Queue[tuple[_Channel, dict[str, Any]]] = queue.Queue(maxsize=QUEUE_MAX)
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
            request = Lines(sock).next(HELLO_TIMEOUT_S)
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
        same: bool = uid == os.getuid()
        return same

    def state(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "stamp": self.stamp, "ready": self.ready.is_set(),
                "busy": self.busy, "waiting": self.queue.qsize(), "served": self.served,
                "api_url": self.api_url, "workers": self.workers}

    def refusal(self, request: dict[str, Any]) -> dict[str, Any] | None:
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

    def handle(self, channel: _Channel, request: dict[str, Any]) -> None:
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

    def sweep(self, request: dict[str, Any]) -> None:
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
    client.serving = True
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
        with address(files.socket) as where:
            listener.bind(where)
    finally:
        os.umask(previous)
    listener.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: worker.exit_now())
    threading.Thread(target=worker.accept_loop, args=(listener,), daemon=True,
                     name="ksoc-worker-accept").start()
    threading.Thread(target=worker.heartbeat_loop, daemon=True, name="ksoc-worker-hb").start()
    worker.note(f"starting: {workers} audit process(es), code {worker.stamp}")
    started = time.monotonic()
    warm_this_process(workers)
    worker.ready.set()
    worker.note(f"ready in {time.monotonic() - started:.1f} s")
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    # As flows.audit.run_audit does per run (building settings costs ~0.25 s): once.
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        worker.run()
    return 0
