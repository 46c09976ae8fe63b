"""Find the documents to audit under the paths a user gave."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_SKIP_NAMES = {"Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class Input:
    path: str  # file path as discovered (absolute)
    source: str  # path as the user would recognise it (relative to what they passed)
    client: str | None  # relocation-firm client, if any


def discover(
    paths: list[str], *, client: str | None = None, per_client_folders: bool = False,
    exclude: list[str] | None = None,
) -> list[Input]:
    """Expand files and folders (recursively) into unique inputs, in a stable order."""
    excluded = [Path(p).resolve() for p in exclude or []]
    seen: dict[Path, Input] = {}
    for raw in paths:
        root = Path(raw)
        for file in _files_under(root):
            real = file.resolve()
            if real in seen or any(real.is_relative_to(x) for x in excluded):
                continue
            seen[real] = Input(str(real), str(file), client or _client_of(root, file, per_client_folders))
    return sorted(seen.values(), key=lambda i: (i.client or "", i.source))


def missing_paths(paths: list[str]) -> list[str]:
    """The given paths that do not exist."""
    return [p for p in paths if not Path(p).exists()]


def _files_under(root: Path):
    if root.is_file():
        yield root
        return
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root).parts
        if file.is_file() and not any(part.startswith((".", "~$")) for part in rel) \
                and file.name not in _SKIP_NAMES:
            yield file


def _client_of(root: Path, file: Path, per_client_folders: bool) -> str | None:
    if not per_client_folders or root.is_file():
        return None
    parts = file.relative_to(root).parts
    return parts[0] if len(parts) > 1 else None
