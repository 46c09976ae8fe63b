"""The worker's Unix socket and its protocol: one JSON object per line, each way.

A client sends one request, {"op": "ping"} or {"op": "audit", "argv", "cwd", "umask", "env",
"stamp", "api_url"}; the worker answers a ping with its state, an audit with {"refused": why}
or {"accepted": true, "pid"}, then {"queued": ...}, {"hb": 1} heartbeats, {"progress": ...},
{"out": text} / {"err": text} (what the command prints) and last {"exit": code}.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flows.worker.record import WorkerFiles, worker_files

QUEUE_MAX = 4  # requests waiting behind the running one; more are told "busy"
CONNECT_TIMEOUT_S = 2.0  # the socket accepts at once unless the worker is gone or frozen
HELLO_TIMEOUT_S = 15.0  # first answer to a request (accepted or refused)
SILENCE_TIMEOUT_S = 120.0  # a working worker sends a heartbeat every HEARTBEAT_S
HEARTBEAT_S = 2.0


@contextlib.contextmanager
def address(path: Path) -> Iterator[str]:
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


def connect(path: Path, timeout: float) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        with address(path) as where:
            sock.connect(where)
    except BaseException:
        sock.close()
        raise
    return sock


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    sock.sendall(json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n")


class Lines:
    """JSON messages read line by line from a socket (each read bounded by its timeout)."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self._buffer = b""

    def next(self, timeout: float) -> dict[str, Any] | None:
        """The next message; None at the end of the stream. socket.timeout when none came."""
        self._sock.settimeout(timeout)
        while b"\n" not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(line)
        return message


def ping(files: WorkerFiles | None = None, *, timeout: float = CONNECT_TIMEOUT_S) -> dict[str, Any] | None:
    """The worker's state ({"pid", "stamp", "ready", "busy", "waiting", "served", ...}), or None
    when nothing answers on its socket."""
    files = files or worker_files()
    try:
        with connect(files.socket, timeout) as sock:
            send(sock, {"op": "ping"})
            return Lines(sock).next(timeout)
    except (OSError, ValueError):
        return None
