"""Find the documents to audit under the paths a user gave.

Paths are kept as the operating system gives them (undecodable bytes as surrogates, PEP 383)
for every file operation; `Input.source` is the display form (reports.names.display_path).
What cannot be audited as a file is listed as skipped with its reason, never dropped silently:
FIFOs and other special files, dangling symlinks, symlinked folders (not followed: they may
loop or lead anywhere) and, unless `follow_symlinks`, symlinks that leave the input folder.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reports.names import display_path

_SKIP_NAMES = {"Thumbs.db", "desktop.ini"}

SKIP_REASONS = {
    "special_file": "not a regular file (FIFO, socket or device); not read",
    "dangling_symlink": "a symbolic link whose target does not exist",
    "symlinked_folder": "a symbolic link to a folder; not followed (give the folder itself)",
    "symlink_outside": "a symbolic link leaving the input folder; not followed by default",
    "unreadable_folder": "a folder that cannot be listed (permissions)",
    "not_a_document": "notes or data (.md, .txt, .json, .csv ...), not a contract document",
}
# Files in an input folder that are notes or data beside the contracts: skipped and counted.
# (A file given by name is audited whatever its suffix.)
NOT_DOCUMENT_SUFFIXES = frozenset({".md", ".txt", ".json", ".csv", ".tsv", ".log", ".xml",
                                   ".yaml", ".yml", ".ini", ".toml", ".py", ".sh"})


@dataclass(frozen=True)
class Input:
    path: str  # file path as discovered (absolute; may hold surrogate-escaped bytes)
    source: str  # path as the user would recognise it (relative to what they passed), display form
    client: str | None  # relocation-firm client, if any
    sha256: str = ""  # content hash, once the run has taken it (flows.documents.with_hash)


@dataclass(frozen=True)
class Skipped:
    source: str  # display form of the path
    code: str  # a key of SKIP_REASONS

    @property
    def reason(self) -> str:
        return SKIP_REASONS[self.code]


def discover(
    paths: list[str], *, client: str | None = None, per_client_folders: bool = False,
    exclude: list[str] | None = None, skipped: list[Skipped] | None = None,
    follow_symlinks: bool = False,
) -> list[Input]:
    """Expand files and folders (recursively) into unique inputs, in a stable order.

    `skipped`, when given, receives what was found but cannot be audited (see the module doc).
    """
    excluded = [Path(p).resolve() for p in exclude or []]
    seen: dict[Path, Input] = {}
    dropped: dict[str, Skipped] = {}
    for raw in paths:
        root = Path(raw)
        for file, code in _entries_under(root, follow_symlinks):
            if code is not None:
                dropped.setdefault(display_path(str(file)), Skipped(display_path(str(file)), code))
                continue
            real = file.resolve()
            if real in seen or any(real.is_relative_to(x) for x in excluded):
                continue
            seen[real] = Input(str(real), display_path(str(file)),
                               client or _client_of(root, file, per_client_folders))
    if skipped is not None:
        skipped.extend(sorted(dropped.values(), key=lambda s: s.source))
    return sorted(seen.values(), key=lambda i: (i.client or "", i.source))


def missing_paths(paths: list[str]) -> list[str]:
    """The given paths that do not exist."""
    return [p for p in paths if not Path(p).exists()]


def _entries_under(root: Path, follow_symlinks: bool) -> Iterator[tuple[Path, str | None]]:
    """(path, None) for each file to audit, (path, skip code) for each one to list as skipped."""
    if not root.is_dir():
        yield root, (None if root.is_file() else "special_file")
        return
    inside = root.resolve()
    failed: list[OSError] = []
    for here, dirs, files in os.walk(root, onerror=failed.append):
        folder = Path(here)
        rel = folder.relative_to(root).parts
        kept = []
        for name in sorted(dirs):
            if name.startswith((".", "~$")):
                continue
            if (folder / name).is_symlink():
                yield folder / name, "symlinked_folder"
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if name.startswith((".", "~$")) or name in _SKIP_NAMES or any(
                    p.startswith((".", "~$")) for p in rel):
                continue
            path = folder / name
            if path.suffix.lower() in NOT_DOCUMENT_SUFFIXES:
                yield path, "not_a_document"
                continue
            yield path, _file_problem(path, inside, follow_symlinks)
    for error in failed:
        if error.filename and Path(error.filename) != root:
            yield Path(error.filename), "unreadable_folder"


def _file_problem(path: Path, inside: Path, follow_symlinks: bool) -> str | None:
    try:
        mode = path.stat().st_mode  # follows a symlink
    except FileNotFoundError:
        return "dangling_symlink" if path.is_symlink() else None
    except OSError:
        return None  # unreadable: audited, and reported as unreadable_file
    if path.is_symlink() and not follow_symlinks and not path.resolve().is_relative_to(inside):
        return "symlink_outside"
    if not stat.S_ISREG(mode):
        return "special_file"
    return None


def _client_of(root: Path, file: Path, per_client_folders: bool) -> str | None:
    if not per_client_folders or root.is_file():
        return None
    parts = file.relative_to(root).parts
    return display_path(parts[0]) if len(parts) > 1 else None
