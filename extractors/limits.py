"""Time limits for pure-Python work that cannot be told to stop (pdfminer on dense ruled grids).

`time_limit` arms a one-shot SIGALRM timer: when it fires, `OverBudget` is raised wherever the
code is, and the work is abandoned. Signals reach only the main thread, which is where the
per-document work runs in worker processes (the default `processes` runner) and in the CLI; in
other threads (the `threads` runner, Dask workers) the limit cannot interrupt, and callers fall
back to checking the document deadline between pages.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

_REPEAT_S = 0.05


class OverBudget(BaseException):
    """The time limit of a `time_limit` block ran out (a BaseException: the `except Exception`
    around pdfminer, which raises many unrelated types, must not swallow it)."""


def can_interrupt() -> bool:
    """True when `time_limit` can abandon work here (main thread, POSIX timers)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float) -> Iterator[bool]:
    """Raise OverBudget in the block after `seconds`; yields False when it cannot (see above)."""
    if not can_interrupt():
        yield False
        return

    def expire(_signum: int, _frame: FrameType | None) -> NoReturn:
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    # Fires again every 50 ms until the block is left: an OverBudget raised inside a __del__
    # or a weakref callback is only printed, and the work would go on.
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001), _REPEAT_S)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
