"""The Prefect flow `audit_contracts`: one task per document, then the batch summary."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from prefect import flow, task
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.records import Status
from flows import progress
from flows.discover import Input, discover
from reports.audit import audit_document, failed_result
from reports.output import build_summary, summary_entry, write_result, write_summary
from reports.records import BatchSummary, SummaryEntry, SummaryProblem

log = logging.getLogger(__name__)


def _retry_transient(task, task_run, state) -> bool:
    """Retry only transient failures (an OCR timeout), never bad input."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - we only inspect the type
        return bool(getattr(exc, "transient", False))
    return False


@task(name="audit-document", retries=1, retry_condition_fn=_retry_transient)
def audit_document_task(item: Input, out_dir: str, show_pii: bool = False) -> SummaryEntry:
    """Extract, match and judge one document, then write its outputs."""
    result = audit_document(Path(item.path), client=item.client)
    rel = write_result(result, Path(out_dir), show_pii=show_pii)
    _render_document(result, Path(out_dir), show_pii)
    return summary_entry(result, rel, source=item.source)


@flow(
    name="audit_contracts",
    task_runner=ThreadPoolTaskRunner(max_workers=max(1, os.cpu_count() or 1)),
    log_prints=False,
)
def audit_contracts(
    paths: list[str],
    out_dir: str,
    client: str | None = None,
    per_client_folders: bool = False,
    show_pii: bool = False,
) -> BatchSummary:
    """Audit every contract under `paths` and write results plus summary.json into `out_dir`."""
    items = discover(paths, client=client, per_client_folders=per_client_folders, exclude=[out_dir])
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    progress.start(len(items))
    entries = _run_all(items, out_dir, show_pii)
    summary = build_summary(entries)
    write_summary(summary, Path(out_dir), show_pii=show_pii)
    _render_batch(summary, Path(out_dir), show_pii)
    return summary


def _run_all(items: list[Input], out_dir: str, show_pii: bool) -> list[SummaryEntry]:
    futures = {audit_document_task.submit(item, out_dir, show_pii): item for item in items}
    entries: list[SummaryEntry] = []
    for future in as_completed(list(futures)):
        item = futures[future]
        entries.append(_entry_or_failure(future, item, out_dir, show_pii))
        progress.advance(Path(item.source).name)
    return entries


def _entry_or_failure(future, item: Input, out_dir: str, show_pii: bool) -> SummaryEntry:
    """The task's entry, or a failed entry naming the error type when the task crashed."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - one broken document must not stop the batch
        log.error("internal error on %s: %s", Path(item.path).name, type(exc).__name__)
        message = f"internal error ({type(exc).__name__}); report it with the file hash"
        result = failed_result(Path(item.path), "internal_error", message, client=item.client)
        rel = write_result(result, Path(out_dir), show_pii=show_pii)
        return SummaryEntry(
            source=item.source, sha256=result.document.sha256 or None, status=Status.failed,
            result=rel, problems=[SummaryProblem(code="internal_error", message=message)],
            client=item.client,
        )


def _render_document(result, out_dir: Path, show_pii: bool) -> None:
    try:
        from reports.render import render_document_reports
    except ImportError:
        return
    render_document_reports(result, out_dir, show_pii=show_pii)


def _render_batch(summary: BatchSummary, out_dir: Path, show_pii: bool) -> None:
    try:
        from reports.render import render_batch
    except ImportError:
        return
    from reports.output import read_result

    results = [read_result(out_dir, e.result) for e in summary.documents if e.result]
    render_batch(summary, results, out_dir, show_pii=show_pii)
