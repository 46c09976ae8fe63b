"""The result cache of an output folder: an append-only, fsynced journal of finished documents.

`OUT/.ksoc-audit/manifest.jsonl` holds one JSON line per document whose outputs are complete,
keyed by content hash, pipeline version, reference-data version and the output options. A line
is appended only after the document's JSON and reports are in place (atomic writes), so after a
crash every line names complete outputs and every document without a line is simply redone.
A torn last line (the process died mid-append) is ignored when the journal is read.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from extractors.records import Record
from reports.paths import atomic_write_text
from reports.pii import mask_text
from reports.records import SummaryEntry

log = logging.getLogger(__name__)

STATE_DIR = ".ksoc-audit"
MANIFEST_NAME = "manifest.jsonl"
LOCK_NAME = "run.lock"
TEMP_DIR = "tmp"  # temporary files of a run's processes, one folder per process
# Temporary files of reports.paths.atomic_write_bytes: ".<name>.<12 hex>.tmp".
_TEMP_FILE = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")
# Rewrite the journal when superseded lines outnumber live ones by this much.
_COMPACT_SLACK = 200


class CacheKey(Record):
    """Everything that, when it changes, makes a stored result stale."""

    sha256: str  # content hash of the input file
    pipeline_version: str  # reports.audit.pipeline_version()
    reference_version: str  # reports.audit.reference_version()
    client: str | None = None  # client folder the outputs live in
    show_pii: bool = False  # masked and unmasked outputs are different files' contents
    reports: str = "all"  # which reports were written

    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class ManifestEntry(Record):
    key: str  # CacheKey.digest()
    cache: CacheKey  # the key in clear, for people reading the journal
    entry: SummaryEntry  # the summary line as first computed
    committed_at: str  # ISO time the outputs were complete


class Manifest:
    """The journal of one output folder, loaded once; `commit` appends durably."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / STATE_DIR / MANIFEST_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._entries, self._lines = _read_journal(self.path)

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: CacheKey) -> ManifestEntry | None:
        return self._entries.get(key.digest())

    def commit(self, key: CacheKey, entry: SummaryEntry) -> ManifestEntry:
        """Record that `entry`'s outputs are complete (call only after they are written).

        The journal is a file like the outputs: without `show_pii` the source path is kept
        masked (an ID or phone number in a file name), as in summary.json."""
        if not key.show_pii:
            entry = entry.model_copy(update={"source": mask_text(entry.source)})
        record = ManifestEntry(key=key.digest(), cache=key, entry=entry,
                               committed_at=datetime.now(UTC).isoformat(timespec="seconds"))
        line = record.model_dump_json() + "\n"
        with self._lock:
            _append_synced(self.path, line.encode("utf-8"))
            self._entries[record.key] = record
            self._lines += 1
        return record

    def compact(self) -> None:
        """Rewrite the journal without superseded lines (only while no other run is active)."""
        if self._lines - len(self._entries) < _COMPACT_SLACK:
            return
        text = "".join(e.model_dump_json() + "\n" for e in self._entries.values())
        atomic_write_text(self.path, text)
        self._lines = len(self._entries)


@contextmanager
def output_session(out_dir: Path, *, wait_message: str | None = None) -> Iterator[Manifest]:
    """Open the output folder's manifest for a run, holding the folder's lock until it ends.

    One run at a time per output folder: a second run waits for the first (logging
    `wait_message` once), then reuses what it committed instead of redoing the same documents,
    and writes a summary of its own inputs. Holding the folder alone, a run sweeps temporary
    files left by a killed process and compacts the journal.
    """
    state = Path(out_dir) / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    with open(state / LOCK_NAME, "a+b") as lock:
        if not _try_lock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB):
            log.warning(wait_message or "another ksoc-audit run is writing to this output folder; "
                        "waiting for it to finish")
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        manifest = Manifest(out_dir)
        sweep_run_temp(Path(out_dir))
        removed = sweep_temp_files(Path(out_dir))
        if removed:
            log.warning("removed %d unfinished temporary file(s) of an earlier run", removed)
        manifest.compact()
        yield manifest


def run_temp_root(out_dir: Path) -> Path:
    """Where the processes of a run keep their temporary files (flows.documents.use_run_temp_dir)."""
    return Path(out_dir) / STATE_DIR / TEMP_DIR


def own_temp_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def sweep_run_temp(out_dir: Path) -> int:
    """Remove the temporary folders of earlier runs (page images of a killed OCR, WeasyPrint
    folders); called holding the folder's lock, so no other run is using them. This process's
    own folder stays (a watcher's next wave); idle workers re-create theirs per document."""
    root = run_temp_root(out_dir)
    if not root.is_dir():
        return 0
    removed = 0
    for folder in root.iterdir():
        if folder.name != own_temp_name():
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def sweep_temp_files(out_dir: Path) -> int:
    """Delete atomic-write temporaries under `out_dir` (left only by a killed process)."""
    removed = 0
    for path in out_dir.rglob(".*.tmp"):
        if path.is_file() and _TEMP_FILE.match(path.name):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _try_lock(fd: int, flags: int) -> bool:
    try:
        fcntl.flock(fd, flags)
    except BlockingIOError:
        return False
    return True


def _read_journal(path: Path) -> tuple[dict[str, ManifestEntry], int]:
    entries: dict[str, ManifestEntry] = {}
    lines = 0
    if not path.exists():
        return entries, 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lines, line in enumerate(fh, start=1):
            record = _parse_line(line)
            if record is not None:
                entries[record.key] = record
    return entries, lines


def _parse_line(line: str) -> ManifestEntry | None:
    if not line.endswith("\n"):
        return None  # torn by a crash mid-append
    try:
        return ManifestEntry.model_validate_json(line)
    except ValueError:
        log.warning("skipping an unreadable manifest line")
        return None


def _append_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # appends of concurrent runs never interleave
        if _ends_torn(fd):
            os.write(fd, b"\n")  # a crash left half a line: end it so ours starts clean
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _ends_torn(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"

