"""The inbox of `ksoc-audit watch`: which dropped files are complete, claiming them, and moving
each one to processed/ or quarantine/ exactly once, with a reason.json beside it.

    INBOX/contract.pdf                         dropped by HR
    INBOX/.ksoc-audit-processing/contract.pdf  claimed (renamed) while it is audited
    INBOX/processed/2026-05-04/contract.pdf    audited (success or partial)
    INBOX/processed/2026-05-04/contract.pdf.reason.json
    INBOX/quarantine/broken.pdf                could not be audited (failed)
    INBOX/quarantine/broken.pdf.reason.json

Every move is a rename on one file system (checked at start), so a file is always in exactly
one place. The reason.json is written before the rename; a crash in between leaves a reason
file without its document, which the next attempt for the same content takes over.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from extractors.errors import ConfigError
from reports.audit import file_sha256
from reports.paths import atomic_write_text
from reports.records import SummaryEntry

log = logging.getLogger(__name__)

STAGING = ".ksoc-audit-processing"
REASON_SUFFIX = ".reason.json"
# Names of files still being written by common copy tools and browsers.
TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".filepart",
                 ".swp", ".!ut", ".opdownload", ".lock")
SKIP_NAMES = {"Thumbs.db", "desktop.ini", ".DS_Store"}


@dataclass(frozen=True)
class InboxLayout:
    inbox: Path  # the watched folder
    processed: Path  # audited files go to processed/YYYY-MM-DD/
    quarantine: Path  # files that could not be audited
    staging: Path  # claimed files while they are audited
    excluded: tuple[Path, ...]  # folders never scanned for new files

    @classmethod
    def create(cls, inbox: Path, *, processed: Path | None = None,
               quarantine: Path | None = None, out_dir: Path | None = None) -> InboxLayout:
        """Resolve and create the folders; they must share the inbox's file system."""
        inbox = Path(inbox).resolve()
        if not inbox.is_dir():
            raise ConfigError(f"inbox {inbox.name} is not a folder", advice="create it first")
        processed = Path(processed or inbox / "processed").resolve()
        quarantine = Path(quarantine or inbox / "quarantine").resolve()
        outputs = (Path(out_dir).resolve(),) if out_dir else ()
        staging = inbox / STAGING
        layout = cls(inbox, processed, quarantine, staging,
                     (processed, quarantine, staging, *outputs))
        layout._make_folders()
        return layout

    def _make_folders(self) -> None:
        device = self.inbox.stat().st_dev
        for folder in (self.processed, self.quarantine, self.staging):
            folder.mkdir(parents=True, exist_ok=True)
            if folder.stat().st_dev != device:
                raise ConfigError(f"{folder.name} is on another file system than the inbox",
                                  advice="put processed/ and quarantine/ on the inbox's disk "
                                         "so moves are atomic renames")


def candidates(layout: InboxLayout) -> list[Path]:
    """Files dropped into the inbox (recursively), minus our folders and temporary names."""
    found = []
    for root, dirs, files in os.walk(layout.inbox):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and here / d not in layout.excluded)
        found += [here / f for f in sorted(files) if not is_temporary(f) and _regular(here / f)]
    return found


def _regular(path: Path) -> bool:
    """Only regular files are claimed: a FIFO would block the reader, a symlink may lead out."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def is_temporary(name: str) -> bool:
    """True for hidden, Office lock, partial-download and our own reason files."""
    lower = name.lower()
    return (name.startswith((".", "~$")) or name in SKIP_NAMES
            or lower.endswith(TEMP_SUFFIXES) or lower.endswith(REASON_SUFFIX))


@dataclass
class Settler:
    """A file is complete once its size and mtime stayed the same for `seconds`."""

    seconds: float
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)

    def ready(self, paths: list[Path], *, now: float | None = None) -> list[Path]:
        now = time.time() if now is None else now
        done, seen = [], {}
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue  # gone (renamed or deleted) since the scan
            sig = (stat.st_size, stat.st_mtime_ns)
            size, mtime, since = self._seen.get(path, (*sig, now))
            since = since if (size, mtime) == sig else now
            seen[path] = (*sig, since)
            if now - max(since, stat.st_mtime) >= self.seconds:
                done.append(path)
        self._seen = {p: v for p, v in seen.items() if p not in done}
        return done

    @property
    def pending(self) -> int:
        return len(self._seen)


def claim(layout: InboxLayout, path: Path) -> Path | None:
    """Move a complete file into the staging folder; None when it is gone or its name is busy."""
    target = layout.staging / path.relative_to(layout.inbox)
    if target.exists():
        return None  # the same name is still being audited; claim it next round
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(path, target)
    except FileNotFoundError:
        return None
    return target


def staged(layout: InboxLayout) -> list[Path]:
    """Claimed files, including those a crashed run left behind."""
    return sorted(p for p in layout.staging.rglob("*") if p.is_file())


def tidy_staging(layout: InboxLayout) -> None:
    """Remove the empty client folders left in the staging folder."""
    for folder in sorted((p for p in layout.staging.rglob("*") if p.is_dir()), reverse=True):
        with contextlib.suppress(OSError):  # not empty
            folder.rmdir()


def place(layout: InboxLayout, path: Path, entry: SummaryEntry | None, *, out_dir: Path) -> Path:
    """Write the reason.json, then rename the claimed file next to it; returns the new path."""
    sha = (entry.sha256 if entry else None) or file_sha256(path)
    failed = entry is None or entry.status == "failed"
    rel = path.relative_to(layout.staging)
    folder = (layout.quarantine if failed
              else layout.processed / datetime.now().strftime("%Y-%m-%d")) / rel.parent
    folder.mkdir(parents=True, exist_ok=True)
    target = free_name(folder, path.name, sha)
    atomic_write_text(reason_path(target), reason_json(entry, sha, failed, out_dir))
    os.rename(path, target)
    return target


def reason_path(target: Path) -> Path:
    return target.with_name(target.name + REASON_SUFFIX)


def free_name(folder: Path, name: str, sha: str) -> Path:
    """`name`, else `stem-2.ext`, `stem-3.ext` ...: the first that holds no other document.

    A reason file without its document is an interrupted move of this same content (our own
    crash between the two steps), so its name is taken over.
    """
    stem, dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    for n in range(1, 10_000):
        candidate = folder / (name if n == 1 else f"{stem}-{n}{dot}{ext}")
        reason = reason_path(candidate)
        if not candidate.exists() and (not reason.exists() or _reason_sha(reason) == sha):
            return candidate
    raise ConfigError(f"too many files named like {sha[:12]} in {folder.name}")


def _reason_sha(reason: Path) -> str | None:
    try:
        sha: str | None = json.loads(reason.read_text(encoding="utf-8")).get("sha256")
        return sha
    except (OSError, ValueError):
        return None


def _report_paths(out_dir: Path, result: str) -> dict[str, str]:
    """The reports written for a result (JSON, HTML, PDF, addendum DOCX) that exist."""
    json_path = out_dir / result
    stem = json_path.name.removesuffix(".json")
    found = {"json": json_path, "html": json_path.with_name(stem + ".html"),
             "pdf": json_path.with_name(stem + ".pdf"),
             "docx": json_path.with_name(stem + ".addendum.docx")}
    return {kind: str(path) for kind, path in found.items() if path.is_file()}


def reason_json(entry: SummaryEntry | None, sha: str, failed: bool, out_dir: Path) -> str:
    """Why the file is where it is: outcome, problem code and message, hash, result, time."""
    problems = [p.model_dump() for p in entry.problems] if entry else []
    first = problems[0] if problems else None
    data = {
        "outcome": "quarantined" if failed else "processed",
        "code": first["code"] if first else ("not_audited" if entry is None else "ok"),
        "message": first["message"] if first else ("the file was not audited; drop it again"
                                                   if entry is None else "audited"),
        "status": entry.status.value if entry else "failed",
        "sha256": sha,
        "result": str(out_dir / entry.result) if entry and entry.result else None,
        "reused": bool(entry and entry.reused),
        "findings": list(entry.findings) if entry else [],
        "verdict": entry.verdict.value if entry and entry.verdict else None,
        "verdict_text": entry.verdict_text if entry else "",
        "worst_severity": entry.worst_severity.value if entry and entry.worst_severity else None,
        "reports": _report_paths(out_dir, entry.result) if entry and entry.result else {},
        "problems": problems,
        "time": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
