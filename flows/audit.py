"""The Prefect flow `audit_contracts`: cached documents reused, the rest audited as tasks in
sub-batch flow runs (Prefect keeps a flow run's task states until it ends), then the summary."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.futures import as_completed
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import TaskRunner
from pydantic import model_serializer

from extractors.records import Record
from flows import progress
from flows.discover import Input, discover
from flows.documents import (
    DEFAULT_AUDIT_FN,
    DocumentJob,
    DocumentOutcome,
    ReportsMode,
    audit_one,
    failed_outcome,
    reuse_result,
)
from flows.manifest import CacheKey, Manifest, output_session
from flows.runners import call_stage, open_runner, resolve_runner
from reports.audit import file_sha256, pipeline_version, reference_version
from reports.output import build_summary, write_summary
from reports.records import BatchSummary, SummaryEntry

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 100  # documents per sub-batch flow run
TASK_RETRIES = 2  # extra attempts, for transient errors only


def _retry_transient(task, task_run, state) -> bool:
    """Retry only transient failures (an OCR timeout, a lost worker), never bad input."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - we only inspect the type
        return bool(getattr(exc, "transient", False))
    return False


def _final_attempt() -> bool:
    context = TaskRunContext.get()
    return context is None or context.task_run.run_count > context.task.retries


@task(name="audit-document", task_run_name="audit-{label}", retries=TASK_RETRIES,
      retry_delay_seconds=2, retry_condition_fn=_retry_transient, cache_policy=NO_CACHE)
def audit_document_task(item: Input, job: DocumentJob, label: str) -> DocumentOutcome:
    """Extract, match and judge one document, then write its outputs (`label`: hash prefix)."""
    return call_stage(audit_one, item, job, final_attempt=_final_attempt())


class Wave(Record):
    """One sub-batch; shown in the Prefect API by number and size only (paths name people)."""

    number: int  # 1-based position in the run
    items: tuple[Input, ...]  # the documents

    @model_serializer(mode="wrap")
    def _counts_only_in_json(self, handler, info):
        if info.mode == "json":
            return {"number": self.number, "documents": len(self.items)}
        return handler(self)


@dataclass(frozen=True)
class _Run:
    manifest: Manifest
    runner: TaskRunner
    pipeline_version: str
    reference_version: str


_run: ContextVar[_Run] = ContextVar("ksoc_audit_run")


@flow(name="audit-batch", flow_run_name="batch-{wave.number}", validate_parameters=False)
def audit_wave(wave: Wave, job: DocumentJob) -> list[SummaryEntry]:
    """Audit one sub-batch: reuse cached results, submit the rest, commit each as it ends."""
    run = _run.get()
    entries: list[SummaryEntry] = []
    pending: dict = {}
    for item in wave.items:
        key = _cache_key(item, job, run)
        cached = run.manifest.lookup(key)
        reused = reuse_result(item, cached.entry, job) if cached else None
        if reused is not None:
            entries.append(_advance(reused, item))
            continue
        params = {"item": item, "job": job, "label": key.sha256[:12] or "unreadable"}
        pending[run.runner.submit(audit_document_task, params)] = item
    for future in as_completed(list(pending)):
        item = pending.pop(future)
        entries.append(_advance(_finish(future, item, job, run.manifest), item))
    return entries


@flow(name="audit_contracts", log_prints=False)
def audit_contracts(
    paths: list[str],
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
    audit_fn: str = DEFAULT_AUDIT_FN,
) -> BatchSummary:
    """Audit every contract under `paths` and write results plus summary.json into `out_dir`.

    reports: "all" (JSON, HTML, PDF), "html" or "json"; runner: processes | threads |
    prefect-processes | dask (see flows.runners); batch_reports: write summary.json and the
    batch index; audit_fn: "module:function" auditing one file (default: the real pipeline).
    """
    out = Path(out_dir).resolve()
    items = discover(paths, client=client, per_client_folders=per_client_folders,
                     exclude=[str(out)])
    job = DocumentJob(out_dir=str(out), show_pii=show_pii, reports=ReportsMode(reports),
                      audit_fn=audit_fn)
    spec = resolve_runner(runner, workers, dask_address)
    out.mkdir(parents=True, exist_ok=True)
    progress.start(len(items))
    summary = build_summary(_audit_all(items, job, spec, max(1, batch_size)))
    if batch_reports:
        write_summary(summary, out, show_pii=show_pii)
        _render_batch(summary, out, show_pii)
    return summary


def _audit_all(items: list[Input], job: DocumentJob, spec, batch_size: int) -> list[SummaryEntry]:
    entries: list[SummaryEntry] = []
    with output_session(Path(job.out_dir)) as manifest, open_runner(spec) as runner:
        token = _run.set(_Run(manifest, runner, pipeline_version(), reference_version()))
        try:
            # One sub-batch runs inside this flow run; more get a sub-flow run each.
            audit = audit_wave if len(items) > batch_size else audit_wave.fn
            for number, chunk in enumerate(_chunks(items, batch_size), start=1):
                with _no_subflow_heartbeat():
                    entries.extend(audit(Wave(number=number, items=tuple(chunk)), job))
        finally:
            _run.reset(token)
    return entries


def _no_subflow_heartbeat():
    """Sub-flows run inside this (heartbeating) flow run; their own heartbeat thread would
    only add up to a second per sub-flow while Prefect joins it at exit."""
    return temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def _chunks(items: list[Input], size: int) -> Iterator[list[Input]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _cache_key(item: Input, job: DocumentJob, run: _Run) -> CacheKey:
    return CacheKey(sha256=file_sha256(Path(item.path)), pipeline_version=run.pipeline_version,
                    reference_version=run.reference_version, client=item.client,
                    show_pii=job.show_pii, reports=job.reports)


def _finish(future, item: Input, job: DocumentJob, manifest: Manifest) -> SummaryEntry:
    """The task's outcome (or a failed one when it crashed), committed when cacheable."""
    try:
        outcome = future.result()
    except Exception as exc:  # noqa: BLE001 - one broken document must not stop the batch
        outcome = failed_outcome(item, job, exc)
        log.error("document %s failed: %s", (outcome.entry.sha256 or "unreadable")[:12],
                  type(exc).__name__)
    if outcome.cacheable and outcome.entry.sha256:
        key = CacheKey(sha256=outcome.entry.sha256, pipeline_version=outcome.pipeline_version,
                       reference_version=outcome.reference_version, client=item.client,
                       show_pii=job.show_pii, reports=job.reports)
        manifest.commit(key, outcome.entry)
    return outcome.entry


def _advance(entry: SummaryEntry, item: Input) -> SummaryEntry:
    progress.advance(Path(item.source).name)
    return entry


def _render_batch(summary: BatchSummary, out_dir: Path, show_pii: bool) -> None:
    try:
        from reports.render import render_batch
    except ImportError:
        return
    from reports.output import read_result

    results = [read_result(out_dir, e.result) for e in summary.documents if e.result]
    render_batch(summary, results, out_dir, show_pii=show_pii)
