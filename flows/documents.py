"""One document's audit, without Prefect: the one module that runs a document.

`audit_one` is what the flow's task (flows.audit.audit_documents_task) calls for each document,
wherever it runs (a thread of the flow process, a local worker process, a Dask worker). Its
path, hop by hop (docs/ARCHITECTURE.md):

1. a work folder for the document under the run's temporary root (`use_run_temp_dir`);
2. `audit_file`: extraction (extractors.pipeline.extract_document, given the hash the flow took
   for the cache key and the work folder, where it keeps the page images OCR read), then
   matching, the visa rules and the verdict (reports.audit.analyse_extraction); a file that
   cannot be audited becomes a failed result (reports.audit.failed_result);
3. `write_outputs`: the HTML/PDF/DOCX reports (crops cut from the page images and word boxes
   extraction kept) and the JSON (PII masked);
4. the work folder is removed.

These functions take paths and small frozen records and return a small frozen record, so they
pickle cheaply. Tests replace `audit_file` (this module's attribute) to trace or break audits.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.errors import KsocAuditError, TransientFailure, UnreadableFile
from extractors.records import Record
from flows.discover import Input
from flows.manifest import CacheKey, Manifest, own_temp_name, run_temp_root
from reports.audit import analyse_extraction, failed_result, file_sha256
from reports.names import display_path
from reports.output import dump_json, read_result, result_relpath, summary_entry, write_result
from reports.paths import atomic_write_text
from reports.records import DocumentResult, SummaryEntry

if TYPE_CHECKING:
    from extractors.ocr import OcrEngine

log = logging.getLogger(__name__)


class ReportsMode(StrEnum):
    all = "all"  # JSON, HTML and PDF reports (plus the DOCX addendum when one is drafted)
    html = "html"  # JSON and HTML (plus DOCX); the PDF costs about 1 s per document
    json = "json"  # machine-readable JSON only


class DocumentJob(Record):
    """What every document of a run shares."""

    out_dir: str  # output folder (absolute)
    show_pii: bool = False  # do not mask identifiers in outputs
    reports: ReportsMode = ReportsMode.all  # which per-document reports to write


class DocumentOutcome(Record):
    """What the stage hands back to the flow: the summary line and the cache facts."""

    entry: SummaryEntry  # the summary.json line (source, status, result path ...)
    pipeline_version: str  # pipeline version that produced the result
    reference_version: str  # reference-data version that produced the result
    cacheable: bool  # False for internal errors and results with transient problems


def audit_one(item: Input, job: DocumentJob, *, final_attempt: bool = True) -> DocumentOutcome:
    """Audit one file and write its outputs; raise TransientFailure to ask for a retry."""
    with tempfile.TemporaryDirectory(prefix="doc-", dir=use_run_temp_dir(job.out_dir)) as work:
        result = audit_file(Path(item.path), sha256=item.sha256 or None, client=item.client,
                            work_dir=Path(work))
        transient = sorted({p.code for p in result.problems} & transient_codes())
        if transient and not final_attempt:
            raise TransientFailure(f"document {result.document.sha256[:12]}: {transient[0]}")
        rel = write_outputs(shown_path(result, item), job)
    return DocumentOutcome(
        entry=summary_entry(result, rel, source=item.source),
        pipeline_version=result.pipeline_version,
        reference_version=result.reference_version,
        cacheable=not transient,
    )


def audit_file(
    path: Path, *, sha256: str | None = None, client: str | None = None,
    work_dir: Path | None = None, ocr: OcrEngine | None = None,
) -> DocumentResult:
    """Extract, match and judge one file (no outputs written); input errors become a failed
    result, bugs propagate. `sha256`: the file's hash when the caller took it (else extraction
    hashes it); `work_dir`: where extraction keeps the page images OCR read, which the result's
    pages name for the report crops (None: no crops)."""
    from extractors.pipeline import extract_document  # PDF/OCR libraries: not in the flow process

    path = Path(path)
    try:
        extraction = extract_document(path, ocr=ocr, sha256=sha256, work_dir=work_dir)
    except KsocAuditError as exc:
        digest = file_sha256(path) if sha256 is None else sha256
        log.info("document %s failed: %s", digest[:12] or "unreadable", exc.code)
        return failed_result(path, exc.code, exc.message, client=client, page=exc.page,
                             sha256=digest)
    return analyse_extraction(extraction, client=client)


def write_outputs(result: DocumentResult, job: DocumentJob) -> str:
    """The per-document reports, then the JSON; returns the JSON path relative to out_dir.
    Crops of OCR-read values come from what extraction kept (`result.pages[].layout`)."""
    out = Path(job.out_dir)
    if job.reports is not ReportsMode.json:
        from reports.render import render_document_reports

        render_document_reports(result, out, show_pii=job.show_pii,
                                pdf=job.reports is ReportsMode.all)
    return write_result(result, out, show_pii=job.show_pii)


def shown_path(result: DocumentResult, item: Input) -> DocumentResult:
    """`result` naming its file in display form (valid UTF-8, controls escaped)."""
    document = result.document.model_copy(update={"path": display_path(item.path)})
    return result.model_copy(update={"document": document})


def use_run_temp_dir(out_dir: str) -> Path:
    """Temporary files of this process (OCR page images, WeasyPrint folders, Tesseract's) go to
    OUT/.ksoc-audit/tmp/HOST-PID: on the output's file system, never in a shared /tmp, and what a
    killed process leaves there is removed when the next run opens the folder
    (flows.manifest.sweep_run_temp)."""
    folder = run_temp_root(Path(out_dir)) / own_temp_name()
    folder.mkdir(parents=True, exist_ok=True)
    if tempfile.tempdir != str(folder):
        tempfile.tempdir = str(folder)
        os.environ["TMPDIR"] = str(folder)  # for Tesseract and other child processes
    return folder


def _readable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.R_OK)


def failed_outcome(item: Input, job: DocumentJob, error: BaseException) -> DocumentOutcome:
    """A failed result for a document whose task crashed or ran out of retries."""
    code = getattr(error, "code", "internal_error")
    if isinstance(error, KsocAuditError):
        message = error.message
    else:
        message = f"internal error ({type(error).__name__}); report it with the file hash"
    if isinstance(error, OSError) and not _readable(item.path):  # deleted or unreadable mid-run
        unreadable = UnreadableFile(f"document could not be read ({type(error).__name__})")
        code, message = unreadable.code, unreadable.message
    result = shown_path(failed_result(Path(item.path), code, message, client=item.client,
                                      sha256=item.sha256 or None), item)
    rel = write_result(result, Path(job.out_dir), show_pii=job.show_pii)
    return DocumentOutcome(entry=summary_entry(result, rel, source=item.source),
                           pipeline_version=result.pipeline_version,
                           reference_version=result.reference_version, cacheable=False)


def reuse_result(item: Input, cached: SummaryEntry, job: DocumentJob) -> SummaryEntry | None:
    """The cached result of the same content for `item`, marked reused; None if it is gone."""
    out = Path(job.out_dir)
    if not cached.result or not (out / cached.result).is_file():
        return None
    rel = result_relpath(display_path(item.path), cached.sha256 or "", client=item.client)
    if rel == cached.result:
        _mark_reused(out / rel)
    else:  # the same content under another name gets its own outputs
        result = shown_path(read_result(out, cached.result), item)
        rel = write_outputs(result.model_copy(update={"reused": True}), job)
    return cached.model_copy(update={"source": item.source, "result": rel, "reused": True})


def _mark_reused(path: Path) -> None:
    # The stored JSON is already masked (or deliberately not), so it is written back as it is.
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("reused") is not True:
        data["reused"] = True
        atomic_write_text(path, dump_json(data, show_pii=True))


@functools.cache
def transient_codes() -> frozenset[str]:
    """Problem codes of the error classes marked `transient` (worth a retry)."""
    found, todo = set(), [KsocAuditError]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.transient:
            found.add(cls.code)
    return frozenset(found)


def cache_key(item: Input, job: DocumentJob, pipeline_version: str,
              reference_version: str) -> CacheKey:
    """The manifest key of `item` audited for `job` (content hash, versions, output options):
    the one place a run hashes the file (`with_hash` hands the hash on to the audit)."""
    return CacheKey(sha256=item.sha256 or file_sha256(Path(item.path)), pipeline_version=pipeline_version,
                    reference_version=reference_version, client=item.client,
                    show_pii=job.show_pii, reports=job.reports)


def with_hash(item: Input, sha256: str) -> Input:
    """`item` carrying its content hash, so that the audit does not hash the file again."""
    return replace(item, sha256=sha256)


def count_to_audit(items: list[Input], job: DocumentJob) -> int:
    """How many of `items` the output folder's manifest cannot serve (a first look, without
    the folder's run lock: the flow run decides for good). Loads no reference data."""
    versions = documents_versions()
    manifest_file = Path(job.out_dir) / ".ksoc-audit" / "manifest.jsonl"
    if not manifest_file.is_file():
        return len(items)
    manifest = Manifest(Path(job.out_dir))
    todo = 0
    for item in items:
        try:
            cached = manifest.lookup(cache_key(item, job, *versions))
        except OSError:
            cached = None
        if cached is None or not cached.entry.result \
                or not (Path(job.out_dir) / cached.entry.result).is_file():
            todo += 1
    return todo


def documents_versions() -> tuple[str, str]:
    """(pipeline version, reference-data version) as this process computes them."""
    from reports.audit import pipeline_version, reference_version

    return pipeline_version(), reference_version()


def warm_up() -> None:
    """Load the pipeline, its reference data and the matching models once per worker process
    (about 2 s), so the worker's first document is not the slow one; the worker exits when
    its parent dies (killed with SIGKILL, it cannot stop its workers itself)."""
    exit_with_parent()
    try:
        import extractors.pipeline  # noqa: F401 - imports PDF and OCR libraries
        from matchers.occupation.match import match_texts
        from reports.audit import reference_version

        reference_version()
        match_texts(title="소프트웨어 개발자", title_en="Software Engineer",
                    duties="웹 서비스의 서버 API를 설계하고 개발한다")
    except Exception as exc:  # noqa: BLE001 - each document will report the problem itself
        log.warning("worker warm-up failed: %s", type(exc).__name__)


def exit_with_parent(interval: float = 1.0) -> threading.Thread:
    """Watch the parent process from a daemon thread and exit as soon as it is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)  # reparented: the flow process died without stopping its pool

    thread = threading.Thread(target=watch, name="ksoc-exit-with-parent", daemon=True)
    thread.start()
    return thread
