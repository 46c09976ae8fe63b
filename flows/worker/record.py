"""What runs: the worker's record under the state folder (flows.server's ProcessFiles and
record helpers), and what a request must agree on with the worker (code stamp, environment,
umask).

    STATE/server/worker.pid     the worker's process id (leader of its process group: the
                                worker and its warm audit processes)
    STATE/server/worker.json    {"pid", "socket", "api_url", "workers", "log", "started"}
    STATE/server/worker.sock    Unix socket, mode 0600 in a 0700 folder
    STATE/server/worker.log     start, ready, one line per request (exit code, seconds), stop
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from flows.server import ProcessFiles, live_argv, read_live_record, server_files

STAMPED_PACKAGES = ("extractors", "matchers", "reports", "flows")
HASHED_MAX_BYTES = 512 * 1024  # larger package files (model data) count by size and mtime
# Settings of the environment that change what an audit writes: the worker serves a command
# only when they are the same in both (the worker's values are those of `server start`).
ENV_COMPARED = ("TESSDATA_PREFIX", "OMP_THREAD_LIMIT", "TZ", "LANG", "LC_ALL", "LC_CTYPE",
                "KSOC_AUDIT_RUNNER", "KSOC_AUDIT_WORKERS", "KSOC_AUDIT_DASK_ADDRESS")
ENV_PREFIXES = ("KSOC_AUDIT_",)
ENV_IGNORED = ("KSOC_AUDIT_HOME",)


@dataclass(frozen=True)
class WorkerInfo:
    pid: int
    socket: str
    api_url: str  # the Prefect API its flow runs go to
    workers: int  # warm audit processes
    log: str
    started: str


@dataclass(frozen=True)
class WorkerFiles(ProcessFiles):
    stem: ClassVar[str] = "worker"

    @property
    def socket(self) -> Path:
        return self.folder / "worker.sock"


def worker_files() -> WorkerFiles:
    return WorkerFiles(server_files().folder)


def read_worker(files: WorkerFiles | None = None) -> WorkerInfo | None:
    """The recorded worker when its process is alive and is an audit worker, else None; a stale
    record (dead process, reused pid, unreadable files) is removed with its socket."""
    return read_live_record(files or worker_files(), WorkerInfo, is_audit_worker, clear_record)


def is_audit_worker(pid: int) -> bool:
    """True when `pid` is a live (not zombie) `python -m flows.worker serve` process."""
    argv = live_argv(pid) or []
    return b"flows.worker" in argv and b"serve" in argv


def clear_record(files: WorkerFiles) -> None:
    for path in (files.pid, files.info, files.socket):
        path.unlink(missing_ok=True)


def code_stamp() -> str:
    """The installed ksoc-audit: package version and a hash of its packages' files (sources
    and data by content; files over HASHED_MAX_BYTES by size and modification time). A worker
    serves only a CLI of the same stamp; about 10 ms (and no import of the pipeline)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("ksoc-audit")  # as reports.audit.pipeline_version
    except PackageNotFoundError:
        package = "0+unknown"
    digest = hashlib.sha256()
    for name in STAMPED_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        for here, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for file in sorted(names):
                if file.endswith((".pyc", ".pyo")):
                    continue
                path = Path(here, file)
                try:
                    stat = path.stat()
                    digest.update(f"{path.relative_to(root.parent)}\0{stat.st_size}\0".encode())
                    if stat.st_size <= HASHED_MAX_BYTES:
                        digest.update(path.read_bytes())
                    else:
                        digest.update(str(stat.st_mtime_ns).encode())
                except OSError:
                    continue
    return f"{package}/{digest.hexdigest()[:16]}"


def environment() -> dict[str, str | None]:
    """The environment settings that change an audit's outputs (ENV_COMPARED, KSOC_AUDIT_*,
    which `tesseract` runs); compared between the CLI and the worker."""
    keys = set(ENV_COMPARED) | {k for k in os.environ if k.startswith(ENV_PREFIXES)}
    env: dict[str, str | None] = {k: os.environ.get(k) for k in sorted(keys - set(ENV_IGNORED))}
    env["tesseract"] = shutil.which("tesseract")
    return env


def current_umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask
