"""Sampling for bench.ops: RSS and CPU time of this process and its descendants (worker
processes, Tesseract; the embedded Prefect server counted apart), a progress listener sampling
after every few documents, and the slope of memory over the document count."""

from __future__ import annotations

import threading
from typing import Self

MB = 1024 * 1024


def _kind_of(proc) -> str:
    try:
        command = " ".join(proc.cmdline())
    except Exception:  # noqa: BLE001 - gone between listing and reading
        return "gone"
    if "uvicorn" in command or "prefect.server" in command or "prefect server" in command:
        return "server"
    if "resource_tracker" in command:
        return "other"
    return "audit"


def _cpu(proc, own: bool = False) -> float:
    try:
        t = proc.cpu_times()
    except Exception:  # noqa: BLE001 - the process ended
        return 0.0
    return t.user + t.system + (0.0 if own else t.children_user + t.children_system)


def cpu_used(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
             ) -> dict[str, float]:
    """CPU seconds per kind of process between two `TreeSampler.cpu` snapshots."""
    used: dict[str, float] = {}
    for pid, (kind, seconds) in after.items():
        used[kind] = used.get(kind, 0.0) + seconds - before.get(pid, (kind, 0.0))[1]
    return used


class TreeSampler:
    """Samples the RSS of this process and its descendants every `interval` seconds."""

    def __init__(self, interval: float = 0.05):
        import psutil

        self._me = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.peak_audit = 0  # this process + worker processes + Tesseract, bytes
        self.peak_server = 0  # the embedded Prefect server
        self.peak_parent = 0  # this process alone

    def sample(self) -> tuple[int, int, int]:
        """(audit tree, server, parent) RSS now, in bytes; also updates the peaks."""
        parent = self._rss(self._me)
        audit, server = parent, 0
        for child in self._me.children(recursive=True):
            kind = _kind_of(child)
            if kind == "audit":
                audit += self._rss(child)
            elif kind == "server":
                server += self._rss(child)
        with self._lock:
            self.peak_audit = max(self.peak_audit, audit)
            self.peak_server = max(self.peak_server, server)
            self.peak_parent = max(self.peak_parent, parent)
        return audit, server, parent

    def cpu(self) -> dict[int, tuple[str, float]]:
        """CPU seconds (user + system, with waited-for children such as Tesseract) per pid."""
        found = {self._me.pid: ("parent", _cpu(self._me, own=True))}
        for child in self._me.children(recursive=True):
            kind = _kind_of(child)
            if kind in ("audit", "server"):
                found[child.pid] = ("workers" if kind == "audit" else kind, _cpu(child))
        return found

    def reset(self) -> None:
        with self._lock:
            self.peak_audit = self.peak_server = self.peak_parent = 0

    @staticmethod
    def _rss(proc) -> int:
        try:
            return proc.memory_info().rss
        except Exception:  # noqa: BLE001 - the process ended
            return 0

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()


class MemoryProbe:
    """Progress listener sampling the tree's RSS after every `every` documents."""

    def __init__(self, sampler: TreeSampler, every: int):
        self.sampler = sampler
        self.every = every
        self.done = 0
        self.points: list[tuple[int, int, int]] = []  # (documents, RSS now, peak since last)

    def start(self, total: int, label: str) -> None:
        self.sampler.reset()

    def advance(self, note: str = "") -> None:
        self.done += 1
        if self.done % self.every == 0:
            now, _, _ = self.sampler.sample()
            self.points.append((self.done, now, self.sampler.peak_audit))
            self.sampler.reset()


def slope_mb_per_1000(points: list[tuple[int, int]]) -> float:
    """Least-squares slope of (documents, bytes) in MB per 1,000 documents."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return sxy / sxx / MB * 1000 if sxx else 0.0
