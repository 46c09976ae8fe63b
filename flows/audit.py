"""The Prefect flow `audit_contracts`: cached documents reused, the rest audited as tasks in
sub-batch flow runs (Prefect keeps a flow run's task states until it ends), then the summary."""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.flows import Flow
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from pydantic import SerializationInfo, SerializerFunctionWrapHandler, model_serializer

from extractors.records import Record
from flows import logmask, progress, reaper
from flows.discover import Input, Skipped, discover
from flows.documents import (
    DocumentJob,
    DocumentOutcome,
    ReportsMode,
    audit_one,
    cache_key,
    failed_outcome,
    reuse_result,
    with_hash,
)
from flows.manifest import CacheKey, Manifest, output_session
from flows.runners import (
    LazyRunner,
    RunnerSpec,
    open_runner,
    resolve_runner,
    stage_result,
    submit_stage,
    uses_local_pool,
)
from reports.audit import file_sha256, pipeline_version, reference_version
from reports.output import build_summary, write_summary
from reports.paths import atomic_write_text
from reports.pii import mask_text
from reports.records import BatchSummary, SkippedEntry, SummaryEntry

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 100  # documents per sub-batch flow run
TASK_RETRIES = 2  # extra attempts per document, for transient errors only
RETRY_DELAY_S = 2.0  # pause before a document's next attempt


class GroupOutcome(Record):
    """What one task run hands back: an outcome per document, in order."""

    outcomes: tuple[DocumentOutcome, ...]
    committed: bool  # True when the task committed each document to the manifest itself


@task(name="audit-documents", task_run_name="audit-{label}", cache_policy=NO_CACHE)
def audit_documents_task(items: tuple[Input, ...], job: DocumentJob, label: str) -> GroupOutcome:
    """Extract, match and judge a few documents and write their outputs (`label`: the first
    document's hash prefix and how many more). Each document is retried on its own, and only
    for transient errors; in the flow's process each is committed as soon as it is written."""
    manifest = local_manifest()  # None on a Dask worker: the flow commits when it returns
    outcomes = audit_group(items, job, manifest)
    return GroupOutcome(outcomes=tuple(outcomes), committed=manifest is not None)


def local_manifest() -> Manifest | None:
    """The manifest of the flow run this thread works for; None in another process.

    (A module function: the task body is pickled by value for Dask and must not refer to the
    context variable itself.)"""
    run = _run.get(None)
    return run.manifest if run else None


def audit_group(items: tuple[Input, ...], job: DocumentJob,
                manifest: Manifest | None) -> list[DocumentOutcome]:
    """Audit `items` in parallel on the run's worker pool (or one after the other here)."""
    outcomes: list[DocumentOutcome | None] = [None] * len(items)
    attempts = [0] * len(items)

    def start(index: int) -> Future[DocumentOutcome]:
        last = attempts[index] >= TASK_RETRIES
        return submit_stage(audit_one, items[index], job, final_attempt=last)

    running = {start(i): i for i in range(len(items))}
    while running:
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in done:
            index = running.pop(future)
            try:
                outcome = stage_result(future)
            except Exception as exc:  # noqa: BLE001 - one document must not stop the others
                if getattr(exc, "transient", False) and attempts[index] < TASK_RETRIES:
                    attempts[index] += 1
                    log.warning("document %s: %s, attempt %d of %d", _label(items[index]),
                                getattr(exc, "code", type(exc).__name__), attempts[index] + 1,
                                TASK_RETRIES + 1)
                    time.sleep(RETRY_DELAY_S)
                    running[start(index)] = index
                    continue
                outcome = failed_outcome(items[index], job, exc)
                log.error("document %s failed: %s", (outcome.entry.sha256 or "unreadable")[:12],
                          type(exc).__name__)
            if manifest is not None:
                commit(manifest, items[index], job, outcome)
            outcomes[index] = outcome
    return cast(list[DocumentOutcome], outcomes)  # every index was filled


def _label(item: Input) -> str:
    return (item.sha256 or file_sha256(Path(item.path)))[:12] or "unreadable"


class InputPaths(Record):
    """The files and folders a run audits. The Prefect API (and its database) sees only how
    many: a path may name a person or hold an ID number, and may not even be UTF-8."""

    paths: tuple[str, ...]  # as the OS gives them (undecodable bytes as surrogates)

    @model_serializer(mode="wrap")
    def _count_only_in_json(self, handler: SerializerFunctionWrapHandler,
                            info: SerializationInfo) -> Any:
        if info.mode == "json":
            return {"inputs": len(self.paths)}
        return handler(self)


class Wave(Record):
    """One sub-batch; shown in the Prefect API by number and size only (paths name people)."""

    number: int  # 1-based position in the run
    items: tuple[Input, ...]  # the documents

    @model_serializer(mode="wrap")
    def _counts_only_in_json(self, handler: SerializerFunctionWrapHandler,
                             info: SerializationInfo) -> Any:
        if info.mode == "json":
            return {"number": self.number, "documents": len(self.items)}
        return handler(self)


@dataclass(frozen=True)
class _Run:
    manifest: Manifest
    runner: LazyRunner
    spec: RunnerSpec
    pipeline_version: str
    reference_version: str


_run: ContextVar[_Run] = ContextVar("ksoc_audit_run")


@flow(name="audit-batch", flow_run_name="batch-{wave.number}", validate_parameters=False)
def audit_wave(wave: Wave, job: DocumentJob) -> list[SummaryEntry]:
    """Audit one sub-batch: reuse cached results, submit the rest a few per task."""
    run = _run.get()
    entries: list[SummaryEntry] = []
    todo: list[tuple[Input, str]] = []
    for item in wave.items:
        key = _cache_key(item, job, run)
        cached = run.manifest.lookup(key)
        reused = reuse_result(item, cached.entry, job) if cached else None
        if reused is not None:
            entries.append(_advance(reused, item, job))
        else:
            todo.append((with_hash(item, key.sha256), key.sha256[:12] or "unreadable"))
    size = run.spec.group_size(len(todo))
    pending: dict[PrefectFuture[Any], tuple[Input, ...]] = {}
    for start in range(0, len(todo), size):
        group = todo[start:start + size]
        label = group[0][1] + (f"+{len(group) - 1}" if len(group) > 1 else "")
        items = tuple(item for item, _ in group)
        pending[run.runner.submit(audit_documents_task, {"items": items, "job": job, "label": label})] = items
    if pending and uses_local_pool():
        _preload("reports.render")  # the batch outputs, while the workers audit
    for future in as_completed(list(pending)):
        items = pending.pop(future)
        for item, outcome in zip(items, _group_outcomes(future, items, job, run), strict=True):
            entries.append(_advance(outcome.entry, item, job))
    return entries


def _preload(module: str) -> None:
    """Import `module` in a background thread: this process only waits while its worker
    processes audit, so the import (the batch renderer: Jinja, openpyxl, ~1 s) is free then."""
    if module not in sys.modules:
        threading.Thread(target=importlib.import_module, args=(module,), daemon=True,
                         name="ksoc-preload").start()


def _group_outcomes(future: PrefectFuture[Any], items: tuple[Input, ...], job: DocumentJob,
                    run: _Run) -> tuple[DocumentOutcome, ...]:
    """The task's outcomes, committed here unless the task did; failed ones if it crashed."""
    try:
        group: GroupOutcome = future.result()
    except Exception as exc:  # noqa: BLE001 - e.g. a Dask worker lost for good
        log.error("a task of %d document(s) failed: %s", len(items), type(exc).__name__)
        group = GroupOutcome(outcomes=tuple(failed_outcome(i, job, exc) for i in items),
                             committed=False)
    if not group.committed:
        for item, outcome in zip(items, group.outcomes, strict=True):
            commit(run.manifest, item, job, outcome)
    return group.outcomes


@flow(name="audit_contracts", log_prints=False)
def audit_contracts(
    paths: list[str] | InputPaths,
    out_dir: str,
    client: str | None = None,
    per_client_folders: bool = False,
    show_pii: bool = False,
    reports: str = "all",
    runner: str | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    batch_reports: bool = True,
    docs_per_task: int | None = None,
    follow_symlinks: bool = False,
    exclude: list[str] | None = None,
) -> BatchSummary:
    """Audit every contract under `paths` and write results plus summary.json into `out_dir`.

    reports: "all" (JSON, HTML, PDF), "html" or "json"; runner: processes | threads |
    dask (see flows.runners); batch_reports: write summary.json and the
    batch index;
    docs_per_task: documents per Prefect task run (default 8 on local runners, 1 on Dask);
    follow_symlinks: audit files that symlinks inside an input folder point to outside it;
    exclude: files or folders not to audit (e.g. the HR manifest inside an input folder).
    """
    logmask.install()
    reaper.embedded_server_dies_with_us()
    paths = list(paths.paths) if isinstance(paths, InputPaths) else paths
    out = Path(out_dir).resolve()
    skipped: list[Skipped] = []
    items = discover(paths, client=client, per_client_folders=per_client_folders,
                     exclude=[str(out), *(exclude or [])], skipped=skipped, follow_symlinks=follow_symlinks)
    job = DocumentJob(out_dir=str(out), show_pii=show_pii, reports=ReportsMode(reports))
    spec = resolve_runner(runner, workers, dask_address, docs_per_task)
    out.mkdir(parents=True, exist_ok=True)
    progress.start(len(items))
    summary = build_summary(_audit_all(items, job, spec, max(1, batch_size)),
                            [SkippedEntry(source=s.source, code=s.code, reason=s.reason)
                             for s in skipped])
    if batch_reports:
        _write_batch_outputs(summary, out, show_pii)
    return summary


BATCH_STAMP = "batch.json"  # under OUT/.ksoc-audit: what the batch outputs were written from


def _write_batch_outputs(summary: BatchSummary, out: Path, show_pii: bool) -> None:
    """summary.json, summary.csv, summary.xlsx and index.html, unless the ones on disk were
    written from the same summary and the same result files (a cached re-run renders nothing)."""
    stamp_path = out / ".ksoc-audit" / BATCH_STAMP
    digest = _batch_digest(summary, out, show_pii)
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        if stamp.get("digest") == digest and all((out / f).is_file() for f in stamp["files"]):
            return
    except (OSError, ValueError, KeyError, TypeError):
        pass
    stamp_path.unlink(missing_ok=True)
    written = [write_summary(summary, out, show_pii=show_pii)]
    written += list(_render_batch(summary, out, show_pii).values())
    files = sorted({str(Path(p).resolve().relative_to(out)) for p in written
                    if Path(p).resolve().is_relative_to(out)})
    atomic_write_text(stamp_path, json.dumps({"digest": digest, "files": files}))


def _batch_digest(summary: BatchSummary, out: Path, show_pii: bool) -> str:
    digest = hashlib.sha256(summary.model_dump_json(exclude={"generated_at"}).encode())
    digest.update(f"\0{show_pii}\0{_versions()}".encode())
    for entry in summary.documents:
        try:
            stat = (out / entry.result).stat() if entry.result else None
        except OSError:
            stat = None
        digest.update(f"\0{entry.result}:{stat and stat.st_mtime_ns}:{stat and stat.st_size}"
                      .encode())
    return digest.hexdigest()


def run_audit(*, flow: Flow[..., BatchSummary] | None = None, **parameters: Any) -> BatchSummary:
    """`audit_contracts` run in this process (CLI, watcher, benchmarks), without flow-run
    heartbeats: Prefect emits those for crash detection of deployment runs, and at the end
    of a run it joins their thread, which sleeps in 1 s steps (every run would round up to
    whole seconds). Scheduled runs of `ksoc-audit serve` keep Prefect's heartbeat setting.
    The input paths reach Prefect as a count only (InputPaths)."""
    if isinstance(parameters.get("paths"), list | tuple):
        parameters["paths"] = InputPaths(paths=tuple(parameters["paths"]))
    with _no_subflow_heartbeat():  # nothing to do (and ~0.25 s saved) when already off
        summary: BatchSummary = (flow or audit_contracts)(**parameters)
        return summary


def _audit_all(items: list[Input], job: DocumentJob, spec: RunnerSpec,
               batch_size: int) -> list[SummaryEntry]:
    entries: list[SummaryEntry] = []
    with output_session(Path(job.out_dir)) as manifest, _own_temp_dir(), \
            open_runner(spec) as runner:
        token = _run.set(_Run(manifest, runner, spec, *_versions()))
        try:
            # One sub-batch runs inside this flow run; more get a sub-flow run each.
            audit = audit_wave if len(items) > batch_size else audit_wave.fn
            for number, chunk in enumerate(_chunks(items, batch_size), start=1):
                with _no_subflow_heartbeat():
                    entries.extend(audit(Wave(number=number, items=tuple(chunk)), job))
        finally:
            _run.reset(token)
    return entries


@contextmanager
def _own_temp_dir() -> Iterator[None]:
    """Documents audited in this process (threads runner) set its temporary folder to the
    output's (flows.documents.use_run_temp_dir); put the previous one back after the run."""
    previous, environ = tempfile.tempdir, os.environ.get("TMPDIR")
    try:
        yield
    finally:
        tempfile.tempdir = previous
        if environ is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = environ


def _versions() -> tuple[str, str]:
    """Pipeline and reference-data versions (the cache key): read from the package metadata
    and the data manifests, without loading the reference data (nor starting the pool)."""
    return pipeline_version(), reference_version()


def _no_subflow_heartbeat() -> AbstractContextManager[Any]:
    """Sub-flows run inside this (heartbeating) flow run; their own heartbeat thread would
    only add up to a second per sub-flow while Prefect joins it at exit. (Nothing to do when
    heartbeats are already off, as in `run_audit`: new settings cost ~0.2 s to build.)"""
    if PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() is None:
        return nullcontext()
    return temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def _chunks(items: list[Input], size: int) -> Iterator[list[Input]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _cache_key(item: Input, job: DocumentJob, run: _Run) -> CacheKey:
    return cache_key(item, job, run.pipeline_version, run.reference_version)


def commit(manifest: Manifest, item: Input, job: DocumentJob, outcome: DocumentOutcome) -> None:
    """Record a document's finished outputs in the manifest, when its result may be reused."""
    if outcome.cacheable and outcome.entry.sha256:
        key = CacheKey(sha256=outcome.entry.sha256, pipeline_version=outcome.pipeline_version,
                       reference_version=outcome.reference_version, client=item.client,
                       show_pii=job.show_pii, reports=job.reports)
        manifest.commit(key, outcome.entry)


def _advance(entry: SummaryEntry, item: Input, job: DocumentJob) -> SummaryEntry:
    name = Path(item.source).name
    progress.advance(name if job.show_pii else mask_text(name))
    return entry


def _render_batch(summary: BatchSummary, out_dir: Path, show_pii: bool) -> dict[str, Path]:
    from reports.output import read_result
    from reports.render import render_batch

    results = [read_result(out_dir, e.result) for e in summary.documents if e.result]
    return render_batch(summary, results, out_dir, show_pii=show_pii)
