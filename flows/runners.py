"""Where the per-document tasks run: threads, local worker processes, or a Dask cluster.

Kinds (measured by bench/ops.py, see docs/OPERATIONS.md):
    processes           Prefect task runs in threads, each handing its documents (up to 8 per
                        task run: a task run costs ~35 ms of CPU in Prefect) to a shared pool
                        of worker processes (one per core): parsing is CPU-bound Python, so
                        threads alone would share one core; each document is still committed
                        to the result manifest on its own as soon as its outputs are written.
    threads             everything in threads of the flow process (OCR runs in Tesseract
                        subprocesses, so this is enough for scan-heavy batches).
    dask                prefect-dask's DaskTaskRunner on an existing cluster (`dask_address`)
                        or on a local one.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from extractors.errors import ConfigError, WorkerLost
from extractors.records import Record
from flows.documents import warm_up

if TYPE_CHECKING:  # Prefect is imported when a task runner is built, not before
    from prefect.futures import PrefectFuture
    from prefect.task_runners import TaskRunner
    from prefect.tasks import Task

log = logging.getLogger(__name__)
T = TypeVar("T")

ENV_RUNNER = "KSOC_AUDIT_RUNNER"
ENV_WORKERS = "KSOC_AUDIT_WORKERS"
ENV_DASK = "KSOC_AUDIT_DASK_ADDRESS"


class RunnerKind(StrEnum):
    processes = "processes"
    threads = "threads"
    dask = "dask"


DEFAULT_KIND = RunnerKind.processes


# Documents per Prefect task run. Each task run costs ~35 ms of CPU in the flow process and the
# Prefect server, as much as auditing a born-digital page, so local runs audit a few documents
# per task (each still committed on its own as it ends). Dask gets one per task: its tasks run
# away from the flow process and spread best one by one.
GROUPED_KINDS_DOCS_PER_TASK = 8


class RunnerSpec(Record):
    kind: RunnerKind = DEFAULT_KIND  # see the module docstring
    workers: int = 1  # documents in parallel (local kinds and a local Dask cluster)
    dask_address: str | None = None  # tcp://host:8786 of an existing Dask scheduler
    docs_per_task: int = 1  # at most this many documents per Prefect task run

    def group_size(self, count: int) -> int:
        """Documents per task for `count` documents: small batches still fill every worker."""
        slots = 2 * self.workers if self.kind is RunnerKind.processes else self.workers
        return max(1, min(self.docs_per_task, -(-count // slots)))


def resolve_runner(
    kind: str | None = None, workers: int | None = None, dask_address: str | None = None,
    docs_per_task: int | None = None,
) -> RunnerSpec:
    """Explicit values, else KSOC_AUDIT_* environment variables, else processes x cores."""
    address = dask_address or os.environ.get(ENV_DASK) or None
    chosen = kind or os.environ.get(ENV_RUNNER) or (RunnerKind.dask if address else DEFAULT_KIND)
    try:
        chosen = RunnerKind(chosen)
    except ValueError:
        choices = ", ".join(k.value for k in RunnerKind)
        raise ConfigError(f"unknown runner {chosen!r}", advice=f"use one of {choices}") from None
    if address and chosen is not RunnerKind.dask:
        raise ConfigError("a Dask address needs the dask runner", advice="drop --runner or use dask")
    count = workers or int(os.environ.get(ENV_WORKERS) or 0) or os.cpu_count() or 1
    if count < 1:
        raise ConfigError(f"workers must be at least 1, not {count}")
    grouped = chosen in (RunnerKind.processes, RunnerKind.threads)
    per_task = docs_per_task or (GROUPED_KINDS_DOCS_PER_TASK if grouped else 1)
    if per_task < 1:
        raise ConfigError(f"documents per task must be at least 1, not {per_task}")
    return RunnerSpec(kind=chosen, workers=count, dask_address=address, docs_per_task=per_task)


def build_task_runner(spec: RunnerSpec) -> TaskRunner:
    """The Prefect task runner for `spec` (not started)."""
    from prefect.task_runners import ThreadPoolTaskRunner

    if spec.kind is RunnerKind.threads:
        return ThreadPoolTaskRunner(max_workers=spec.workers)
    if spec.kind is RunnerKind.processes:
        # Task threads mostly wait on the process pool; twice the workers keeps it fed.
        return ThreadPoolTaskRunner(max_workers=2 * spec.workers)
    return _dask_runner(spec)


def _dask_runner(spec: RunnerSpec) -> TaskRunner:
    try:
        from prefect_dask.task_runners import DaskTaskRunner
    except ImportError:
        raise ConfigError("the dask runner needs prefect-dask and distributed",
                          advice="install the dask extra: pip install -e '.[dask]'") from None
    _quiet_dask_logs()
    if spec.dask_address:
        return DaskTaskRunner(address=spec.dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": spec.workers, "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})


def _quiet_dask_logs() -> None:
    """distributed logs every connection at INFO; keep it at the level of our own logs."""
    wanted = logging.getLogger().getEffectiveLevel()
    dask_log = logging.getLogger("distributed")
    if dask_log.getEffectiveLevel() < wanted:
        dask_log.setLevel(wanted)


# The pool each future of submit_stage was submitted to (read by stage_result).
_future_pools: weakref.WeakKeyDictionary[Future[Any], ProcessPoolExecutor] = weakref.WeakKeyDictionary()

# Workers of the local process pool the current flow run uses (0: run the stage in-thread).
_pool_workers: ContextVar[int] = ContextVar("ksoc_pool_workers", default=0)


class LazyRunner:
    """The task runner of a run, started at its first `submit` (a batch whose documents all
    come from the cache starts none: no threads, no Dask cluster) and closed with the run."""

    def __init__(self, spec: RunnerSpec):
        self.spec = spec
        self._runner: TaskRunner | None = None
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        return self._runner is not None

    def submit(self, task: Task[..., Any], parameters: dict[str, Any], *args: Any,
               **kwargs: Any) -> PrefectFuture[Any]:
        with self._lock:
            if self._runner is None:
                runner = build_task_runner(self.spec)
                runner.__enter__()
                self._runner = runner
        return self._runner.submit(task, parameters, *args, **kwargs)

    def close(self, *exc_info: Any) -> None:
        with self._lock:
            runner, self._runner = self._runner, None
        if runner is not None:
            runner.__exit__(*(exc_info or (None, None, None)))


@contextmanager
def open_runner(spec: RunnerSpec) -> Iterator[LazyRunner]:
    """The task runner for a flow run (started on first use); stages submitted under it use
    the local pool, which also starts only when a stage is first submitted."""
    token = _pool_workers.set(spec.workers if spec.kind is RunnerKind.processes else 0)
    runner = LazyRunner(spec)
    try:
        yield runner
    except BaseException as exc:
        runner.close(type(exc), exc, exc.__traceback__)
        raise
    else:
        runner.close()
    finally:
        _pool_workers.reset(token)


def uses_local_pool() -> bool:
    """True inside a flow run whose stages go to this process's worker pool."""
    return bool(_pool_workers.get())


def submit_stage(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
    """Start a stage function in the local worker pool when the run uses one; otherwise run it
    right here and return its already finished future. Read it with `stage_result`."""
    workers = _pool_workers.get()
    if workers:
        pool = shared_pool(workers)
        try:
            future = pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool as exc:
            future = Future()
            future.set_exception(exc)
        _future_pools[future] = pool  # to discard it if it breaks
        return future
    future = Future()
    try:
        future.set_result(fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
        future.set_exception(exc)
    return future


def stage_result(future: Future[T]) -> T:
    """The stage's return value; a dead worker process becomes the transient WorkerLost."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        pool = _future_pools.get(future)
        if pool is not None:
            _discard_pool(pool)
        raise WorkerLost("a worker process died while auditing a document") from exc


def call_stage(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a stage function in the local worker pool when the run uses one, else right here."""
    return stage_result(submit_stage(fn, *args, **kwargs))


_pool_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_cap = 0  # set by prestart_pool: the command needs no more workers than this
_pool_initializer: Callable[[], None] = warm_up  # what each worker process runs first


def set_pool_initializer(initializer: Callable[[], None]) -> None:
    """What each worker process of pools started from now on runs first (default: warm_up;
    the audit worker also warms the report renderers: flows.worker.warm_process)."""
    global _pool_initializer
    _pool_initializer = initializer


def prestart_pool(workers: int) -> ProcessPoolExecutor:
    """Start the worker pool now, before the flow run, with `workers` processes: a command
    that knows how many documents it must audit (fewer than the cores: fewer workers) lets
    the workers load the pipeline while this process imports Prefect and opens its flow run.
    Later `shared_pool` calls of the command reuse this pool."""
    global _pool_cap
    pool = shared_pool(workers)
    _pool_cap = workers
    for _ in range(workers):  # spawn them all now (ProcessPoolExecutor spawns on demand)
        pool.submit(int)
    return pool


def pool_started() -> bool:
    """True once this process has started its worker pool."""
    return _pool is not None


def shared_pool(workers: int) -> ProcessPoolExecutor:
    """One long-lived pool per process (a watcher reuses it across its flow runs)."""
    global _pool, _pool_size
    if _pool_cap:
        workers = min(workers, _pool_cap)
    with _pool_lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=False)
            # spawn: forking a process that runs Prefect's threads is unsafe.
            _pool = ProcessPoolExecutor(max_workers=workers, initializer=_pool_initializer,
                                        mp_context=multiprocessing.get_context("spawn"))
            _pool_size = workers
        return _pool


def _discard_pool(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_pool() -> None:
    """Stop the local worker processes (at exit, or when a watcher stops)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pool)

