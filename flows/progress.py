"""A progress bar the CLI installs and the flow advances (no-op when none is installed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

_current: Listener | None = None


class Listener(Protocol):
    """Told how many documents a run has and each time one is done (from the flow's thread)."""

    def start(self, total: int, label: str) -> None: ...

    def advance(self, note: str = "") -> None: ...


class _Bar:
    def __init__(self, progress: Progress):
        self._progress = progress
        self._task: TaskID | None = None

    def start(self, total: int, label: str) -> None:
        self._task = self._progress.add_task(label, total=total)

    def advance(self, note: str = "") -> None:
        if self._task is not None:
            self._progress.update(self._task, advance=1, description=note or None)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[None]:
    """Show a progress bar on stderr while the block runs."""
    global _current
    if not enabled:
        yield
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        _current = _Bar(progress)
        try:
            yield
        finally:
            _current = None


@contextmanager
def observe(listener: Listener) -> Iterator[Listener]:
    """Let `listener` follow the runs started in the block (the audit worker forwards progress
    to the waiting command so; bench.ops samples memory so)."""
    global _current
    previous, _current = _current, listener
    try:
        yield listener
    finally:
        _current = previous


def start(total: int, label: str = "auditing") -> None:
    if _current:
        _current.start(total, label)


def advance(note: str = "") -> None:
    if _current:
        _current.advance(note)
