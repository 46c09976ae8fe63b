"""The CLI side: `ksoc-audit audit` hands its command to the audit worker (`hand_over`) when
one runs and can do exactly what the command would, and shows what the worker streams back
(progress, what the command prints, its exit code); otherwise it says why it audits by itself.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import socket
import sys
from collections.abc import Iterator
from typing import Any, Protocol

from flows import server as server_mod
from flows.worker.lifecycle import WorkerError, start_worker
from flows.worker.record import (
    WorkerInfo,
    code_stamp,
    current_umask,
    environment,
    read_worker,
    worker_files,
)
from flows.worker.wire import (
    CONNECT_TIMEOUT_S,
    HELLO_TIMEOUT_S,
    QUEUE_MAX,
    SILENCE_TIMEOUT_S,
    Lines,
    connect,
    send,
)

LOCAL_HERE = "auditing in this command"

serving = False  # True in the worker process itself: its audits never hand over again


def hand_over(args: argparse.Namespace) -> int | None:
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
        sock = connect(files.socket, CONNECT_TIMEOUT_S)
    except OSError:
        _say(f"the audit worker (pid {info.pid}) does not answer; {LOCAL_HERE}")
        return None
    with sock:
        return _converse(sock, request, info, args)


def _runner_served(args: argparse.Namespace, info: WorkerInfo) -> bool:
    """The worker audits on its own process pool only: the default runner, its worker count."""
    runner = getattr(args, "runner", None) or os.environ.get("KSOC_AUDIT_RUNNER") or "processes"
    dask = getattr(args, "dask_address", None) or os.environ.get("KSOC_AUDIT_DASK_ADDRESS")
    workers = getattr(args, "workers", None) or os.environ.get("KSOC_AUDIT_WORKERS")
    try:
        same_workers = not workers or int(workers) == info.workers
    except ValueError:  # the command itself reports the bad setting
        return False
    return runner == "processes" and not dask and same_workers


def _converse(sock: socket.socket, request: dict[str, Any], info: WorkerInfo,
              args: argparse.Namespace) -> int | None:
    progress: _Progress
    if getattr(args, "no_progress", False):
        progress = _NoProgress()
    else:
        from flows import progress as bar  # rich: only to draw the bar

        progress = bar

    lines = Lines(sock)
    try:
        send(sock, request)
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


class _Progress(Protocol):
    """What the conversation shows progress with: flows.progress, or _NoProgress."""

    def progress_bar(self, enabled: bool = True) -> contextlib.AbstractContextManager[None]: ...

    def start(self, total: int, label: str = "") -> None: ...

    def advance(self, note: str = "") -> None: ...


class _NoProgress:
    @staticmethod
    @contextlib.contextmanager
    def progress_bar(enabled: bool = True) -> Iterator[None]:
        yield

    @staticmethod
    def start(total: int, label: str = "") -> None:
        pass

    @staticmethod
    def advance(note: str = "") -> None:
        pass


def _show(message: dict[str, Any], progress: _Progress) -> None:
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


def _refused(answer: dict[str, Any]) -> None:
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
