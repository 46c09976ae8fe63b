"""`ksoc-audit watch INBOX --out DIR`: audit every complete file dropped into a folder (one
Prefect flow run per wave of files), then move it to processed/ or quarantine/ (flows.inbox)."""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from extractors.errors import ConfigError
from extractors.records import Record
from flows.documents import ReportsMode
from flows.inbox import InboxLayout, Settler, candidates, claim, place, staged, tidy_staging
from reports.names import display_path
from reports.paths import atomic_write_text
from reports.pii import mask_text
from reports.records import BatchSummary, SummaryEntry

log = logging.getLogger(__name__)

LOCK_NAME = ".ksoc-audit-watch.lock"
TICK_MS = 500  # how often a quiet watcher re-checks files that are still settling
RETRY_AFTER_S = 15.0  # pause after a wave failed as a whole (e.g. the Prefect API was down)


class WatchOptions(Record):
    inbox: str  # the watched folder
    out_dir: str  # where results and reports go
    processed: str | None = None  # default INBOX/processed
    quarantine: str | None = None  # default INBOX/quarantine
    client: str | None = None  # every document belongs to this client
    per_client_folders: bool = False  # INBOX/<client>/... subfolders name the client
    show_pii: bool = False  # do not mask identifiers in outputs
    reports: ReportsMode = ReportsMode.all  # all | html | json
    runner: str | None = None  # see flows.runners
    workers: int | None = None  # documents in parallel
    dask_address: str | None = None  # existing Dask scheduler
    batch_size: int = 100  # documents per sub-batch flow run
    docs_per_task: int | None = None  # documents per Prefect task run (None: runner default)
    settle_seconds: float = 3.0  # a file is complete once unchanged this long
    poll: bool = False  # poll instead of OS events (network shares send none)
    rescan_seconds: float = 30.0  # full rescan even without events


@dataclass
class WatchStats:
    processed: int = 0
    quarantined: int = 0
    actionable: int = 0  # documents with high or medium findings

    def add(self, entry: SummaryEntry | None, quarantined: bool) -> None:
        self.quarantined += quarantined
        self.processed += not quarantined
        self.actionable += bool(entry and entry.worst_severity in ("high", "medium"))

    def exit_code(self) -> int:
        """Like `audit`: 2 when something was quarantined, 1 for actionable findings, else 0."""
        return 2 if self.quarantined else (1 if self.actionable else 0)


def watch(options: WatchOptions, *, once: bool = False,
          stop: threading.Event | None = None) -> WatchStats:
    """Process what is in the inbox, then (unless `once`) keep watching until `stop` is set."""
    layout = InboxLayout.create(Path(options.inbox), out_dir=Path(options.out_dir),
                                processed=_path(options.processed),
                                quarantine=_path(options.quarantine))
    stats = WatchStats()
    with _inbox_lock(layout):
        drain(layout, options, stats)  # files a crashed watcher had claimed
        settler = Settler(options.settle_seconds)
        if once:
            _until_empty(layout, settler, options, stats)
        else:
            _forever(layout, settler, options, stats, stop or threading.Event())
    return stats


def _until_empty(layout: InboxLayout, settler: Settler, options: WatchOptions,
                 stats: WatchStats) -> None:
    while files := candidates(layout):
        if not _handle(layout, settler.ready(files), options, stats):
            time.sleep(min(TICK_MS / 1000, options.settle_seconds / 2 or 0.05))


def _forever(layout: InboxLayout, settler: Settler, options: WatchOptions, stats: WatchStats,
             stop: threading.Event) -> None:
    last_scan = 0.0
    for changes in _events(layout, options, stop):
        due = time.monotonic() - last_scan >= options.rescan_seconds
        if changes or settler.pending or due or staged(layout):
            last_scan = time.monotonic()
            try:
                _handle(layout, settler.ready(candidates(layout)), options, stats)
            except Exception as exc:  # noqa: BLE001 - keep watching; files stay claimed
                log.error("audit wave failed (%s); retrying in %.0f s", type(exc).__name__,
                          RETRY_AFTER_S)
                stop.wait(RETRY_AFTER_S)


def _events(layout: InboxLayout, options: WatchOptions, stop: threading.Event
            ) -> Iterator[AbstractSet[tuple[object, str]]]:  # (change, path) pairs
    """Batches of changes from watchfiles (empty on a quiet tick). watchfiles gives up on a
    name that is not UTF-8 (a CP949 name from a Windows zip tool); from then on the inbox is
    rescanned every tick instead, so the watcher keeps going."""
    import watchfiles

    try:
        yield from watchfiles.watch(layout.inbox, stop_event=stop, yield_on_timeout=True,
                                    rust_timeout=TICK_MS, force_polling=options.poll or None,
                                    watch_filter=lambda _change, path: _outside(layout, path))
        return
    except Exception as exc:  # noqa: BLE001 - watchfiles' Rust errors have no public type
        log.warning("file events unavailable (%s); rescanning the inbox every %.1f s instead",
                    type(exc).__name__, TICK_MS / 1000)
    while not stop.wait(TICK_MS / 1000):
        yield {("rescan", "")}


def _handle(layout: InboxLayout, ready: list[Path], options: WatchOptions,
            stats: WatchStats) -> bool:
    """Claim the complete files and audit everything claimed; False when nothing was ready."""
    claimed = [c for c in (claim(layout, p) for p in ready) if c is not None]
    if not claimed and not staged(layout):
        return False
    drain(layout, options, stats)
    return True


def drain(layout: InboxLayout, options: WatchOptions, stats: WatchStats) -> None:
    """Audit every claimed file in one flow run, then move each to its final place."""
    files = staged(layout)
    if not files:
        return
    summary = audit_staged(layout, options)
    # sources are display forms (reports.names): match each staged file by its display form
    entries = {e.source: e for e in summary.documents}
    out_dir = Path(options.out_dir)
    placed: list[SummaryEntry] = []
    for path in files:
        entry = entries.get(display_path(str(path)))
        target = place(layout, path, entry, out_dir=out_dir)
        quarantined = target.is_relative_to(layout.quarantine)
        stats.add(entry, quarantined)
        log.info("document %s %s", ((entry and entry.sha256) or "unknown")[:12],
                 "quarantined" if quarantined else "processed")
        if entry is not None:
            entry = settled_entry(entry, layout, target, out_dir, show_pii=options.show_pii)
            placed.append(entry)
        line = announce(path, entry, target, out_dir, quarantined=quarantined)
        print(line if options.show_pii else mask_text(line), flush=True)
    tidy_staging(layout)
    if placed:
        update_batch_outputs(out_dir, placed, show_pii=options.show_pii)


def settled_entry(entry: SummaryEntry, layout: InboxLayout, target: Path, out_dir: Path, *,
                  show_pii: bool) -> SummaryEntry:
    """`entry` naming the original where it now lies (relative to the inbox), in summary.json
    and in the result JSON, instead of the staging path it was audited from."""
    try:
        where = display_path(str(target.relative_to(layout.inbox)))
    except ValueError:
        where = display_path(str(target))
    if entry.result and (out_dir / entry.result).is_file():
        from reports.output import dump_json

        path = out_dir / entry.result
        data = json.loads(path.read_text(encoding="utf-8"))
        data.setdefault("document", {})["path"] = where
        atomic_write_text(path, dump_json(data, show_pii))
    return entry.model_copy(update={"source": where})


def announce(staged_path: Path, entry: SummaryEntry | None, target: Path, out_dir: Path, *,
             quarantined: bool) -> str:
    """One line per file: `processed contract.pdf: action needed (generic title) -> report`."""
    from reports.verdict import rule_name

    name = display_path(staged_path.name)
    if entry is None or quarantined:
        reason = entry.problems[0].code if entry and entry.problems else "not audited"
        return f"quarantined {name}: {reason} -> {display_path(str(target))}"
    verdict = (entry.verdict_text.split(" / ", 1)[-1] if entry.verdict_text else "audited")
    label = verdict.split(":", 1)[0].lower()
    actionable = [rule for rule in entry.findings if not rule.startswith("f27_")]
    detail = f" ({rule_name(actionable[0]).en.lower()})" if actionable else ""
    report = out_dir / Path(entry.result).with_suffix(".html") if entry.result else None
    shown = report if report is not None and report.exists() else (
        out_dir / entry.result if entry.result else target)
    return f"processed {name}: {label}{detail} -> {display_path(str(shown))}"


def update_batch_outputs(out_dir: Path, entries: list[SummaryEntry], *, show_pii: bool) -> None:
    """summary.json, summary.csv, summary.xlsx and index.html in `out_dir` covering every
    document audited there: the entries of earlier waves kept, those of this wave added."""
    from flows.audit import _render_batch
    from reports.output import SUMMARY_NAME, build_summary, write_summary

    previous: list[SummaryEntry] = []
    path = out_dir / SUMMARY_NAME
    if path.is_file():
        try:
            previous = BatchSummary.model_validate_json(path.read_text(encoding="utf-8")).documents
        except ValueError:
            log.warning("summary.json in the output folder is unreadable; starting a new one")
    fresh = {(e.client, e.result or e.sha256) for e in entries}
    kept = [e for e in previous if (e.client, e.result or e.sha256) not in fresh
            and (not e.result or (out_dir / e.result).is_file())]
    summary = build_summary(kept + entries)
    write_summary(summary, out_dir, show_pii=show_pii)
    _render_batch(summary, out_dir, show_pii)


def audit_staged(layout: InboxLayout, options: WatchOptions) -> BatchSummary:
    """One `audit_contracts` flow run over the staging folder (visible in the Prefect UI)."""
    from flows.audit import audit_contracts, run_audit

    name = "inbox-" + datetime.now().strftime("%Y%m%d-%H%M%S")
    return run_audit(
        flow=audit_contracts.with_options(flow_run_name=name),
        paths=[str(layout.staging)], out_dir=options.out_dir, client=options.client,
        per_client_folders=options.per_client_folders, show_pii=options.show_pii,
        reports=options.reports.value, runner=options.runner, workers=options.workers,
        dask_address=options.dask_address, batch_size=options.batch_size,
        batch_reports=False, docs_per_task=options.docs_per_task,
    )


def _outside(layout: InboxLayout, path: str) -> bool:
    here = Path(path)
    return not any(here.is_relative_to(folder) for folder in layout.excluded)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


@contextmanager
def _inbox_lock(layout: InboxLayout) -> Iterator[None]:
    """One watcher per inbox: a second one would race for the same files."""
    with open(layout.inbox / LOCK_NAME, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError("another watcher is running on this inbox",
                              advice="stop it first, or watch another folder") from None
        yield
