"""Safe output file names derived from input names, and atomic file replacement."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import unicodedata
from pathlib import Path

from reports.pii import mask_text

log = logging.getLogger(__name__)

# Bytes kept from the readable part of a name; the whole stem stays far below the 255-byte limit.
MAX_STEM_BYTES = 80
HASH_CHARS = 8
# Anything but letters (any script, so Hangul stays readable), digits, '-', '_' and '.' goes.
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_RUNS = re.compile(r"_{2,}")
# Names Windows refuses as files whatever the extension (a share may be mounted from Windows).
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_stem(source: str, sha256: str | None) -> str:
    """Return a file-name stem for `source` that is safe on any file system.

    Identifiers in the name are masked first; only the base name counts (directories, `..` and both slash kinds are dropped), the
    extension is removed, unsafe characters become `_`, the result is cut to MAX_STEM_BYTES
    of UTF-8 and ends with `-` plus the first HASH_CHARS hex digits of `sha256` (or of the
    source string itself when the content hash is unknown), so equal names never collide.
    """
    readable = _readable_part(source)
    return f"{readable}-{_short_hash(source, sha256)}"


def safe_client(client: str) -> str:
    """Return a folder name for a relocation-firm client (readable, no traversal)."""
    readable = _readable_part(client.replace("/", "_").replace("\\", "_"), drop_extension=False)
    return f"{readable}-{hashlib.sha256(client.encode()).hexdigest()[:6]}"


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` so readers see either the old file or the whole new one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name[:60]}.{secrets.token_hex(6)}.tmp"
    try:
        _write_synced(tmp, data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Text flavour of `atomic_write_bytes` (newlines are written as given)."""
    return atomic_write_bytes(path, text.encode(encoding))


def relative_link(target: Path, start_dir: Path) -> str:
    """Return a POSIX relative path from `start_dir` to `target`, for links inside reports."""
    return Path(os.path.relpath(target, start_dir)).as_posix()


def _readable_part(name: str, *, drop_extension: bool = True) -> str:
    # Identifiers (ID, passport, phone, account numbers) never reach a file name.
    base = mask_text(unicodedata.normalize("NFC", name)).replace("\\", "/").rsplit("/", 1)[-1]
    if drop_extension and "." in base.lstrip("."):
        base = base[: base.rfind(".")]
    cleaned = _RUNS.sub("_", _UNSAFE.sub("_", base)).strip("._- ")
    cleaned = _cut_utf8(cleaned, MAX_STEM_BYTES).rstrip("._- ")
    if not cleaned or cleaned.lower() in _RESERVED:
        cleaned = f"doc_{cleaned}" if cleaned else "document"
    return cleaned


def _cut_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def _short_hash(source: str, sha256: str | None) -> str:
    digest = (sha256 or "").lower()
    if not re.fullmatch(rf"[0-9a-f]{{{HASH_CHARS},}}", digest):
        digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:HASH_CHARS]


def _write_synced(tmp: Path, data: bytes) -> None:
    # O_EXCL: never follow a planted symlink; mode 0o666 lets the user's umask decide access.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, hence best effort.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        log.debug("directory fsync not supported for %s", directory)
    finally:
        os.close(fd)


def client_folder(client: str) -> str:
    """Folder of a relocation-firm client's outputs (same rule reports.output uses for JSON)."""
    return safe_client(client)


def document_base(source: str, sha256: str | None, client: str | None = None) -> str:
    """Output path without suffix, relative to the output folder: `[client/]stem`.

    reports.output names the JSON `document_base(...) + ".json"`; the HTML, PDF and DOCX
    reports sit next to it with their own suffixes.
    """
    stem = safe_stem(source, sha256 or "0" * 12)
    return f"{client_folder(client)}/{stem}" if client else stem
