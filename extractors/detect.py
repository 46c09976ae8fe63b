"""Detect a file's type from its content (magic bytes), never from its extension."""

from __future__ import annotations

import logging
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

from extractors.errors import (
    ArchiveTooLarge,
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    UnreadableFile,
    UnsupportedFormat,
)

log = logging.getLogger(__name__)

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HWPX = "application/hwp+zip"
HWP = "application/x-hwp"
IMAGE_TYPES = frozenset({PNG, JPEG, TIFF})

UNSUPPORTED_MESSAGE = "unsupported format: save as PDF or HWPX"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HWP_SIGNATURE = b"HWP Document File"
# Password-protected DOCX/XLSX are OLE files with an "EncryptedPackage" stream (UTF-16 name).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)


def detect_media_type(path: Path, *, label: str = "") -> str:
    """Return the media type of `path` from its bytes; raise an InputError when unusable."""
    head = _read_head(path, label)
    # A zip first: a PDF stored uncompressed in a zip shows "%PDF-" within its first bytes too.
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path, label)
    if b"%PDF-" in head[:1024]:
        return PDF
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head.startswith(_OLE_MAGIC):
        return _ole_type(path, label)
    raise UnsupportedFormat(f"{UNSUPPORTED_MESSAGE} (document {label or 'file'} is not a PDF, image, DOCX, HWPX or HWP file)")


def _read_head(path: Path, label: str) -> bytes:
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise UnreadableFile(f"document {label or 'file'} could not be read ({type(e).__name__})") from None
    if not head.strip(b"\x00 \t\r\n"):
        raise EmptyDocument(f"document {label or path.name} is empty")
    return head


def _zip_type(path: Path, label: str) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype")[:64].strip() if "mimetype" in names else b""
            if "word/document.xml" in names:
                kind = DOCX
            elif mimetype == b"application/hwp+zip" or "Contents/section0.xml" in names:
                kind = HWPX
            else:
                raise UnsupportedFormat(f"{UNSUPPORTED_MESSAGE} ({label} is a zip archive, not a "
                                        "DOCX or HWPX document; audit the files inside it instead)")
            check_archive(z, label)
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, zlib.error) as e:
        raise CorruptDocument(f"document {label} is a damaged zip archive") from e
    return kind


def check_archive(z: zipfile.ZipFile, label: str, limits: ArchiveLimits | None = None) -> None:
    """Refuse a zip bomb before any reader inflates it: member count, then each member's
    declared size and ratio, then its actual inflated size, streamed and stopped at the cap
    (declared sizes can lie). Raises ArchiveTooLarge."""
    limits = limits or ArchiveLimits()
    members = z.infolist()
    if len(members) > limits.max_members:
        raise ArchiveTooLarge(f"document {label} holds {len(members)} archive members "
                              f"(limit {limits.max_members})")
    declared = 0
    for info in members:
        declared += info.file_size
        _check_size(label, info.file_size, info.compress_size, declared, limits)
    total = 0
    for info in members:
        if info.is_dir():
            continue
        size = 0
        with z.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                total += len(chunk)
                _check_size(label, size, info.compress_size, total, limits)


class ArchiveLimits(NamedTuple):
    """Bounds on what a DOCX/HWPX may inflate to (a long contract with photos stays far below)."""

    max_member_bytes: int = 64 << 20  # one member inflated
    max_total_bytes: int = 256 << 20  # all members inflated
    max_ratio: float = 200.0  # inflated / compressed, for members over ratio_from_bytes
    ratio_from_bytes: int = 4 << 20  # small XML parts may compress very well: no ratio below
    max_members: int = 10_000


_CHUNK = 1 << 20


def _check_size(label: str, size: int, compressed: int, total: int, limits: ArchiveLimits) -> None:
    if size > limits.max_member_bytes or total > limits.max_total_bytes:
        raise ArchiveTooLarge(f"document {label} inflates beyond {limits.max_member_bytes >> 20} MiB "
                              f"per member or {limits.max_total_bytes >> 20} MiB in all")
    if size > limits.ratio_from_bytes and size > limits.max_ratio * max(1, compressed):
        raise ArchiveTooLarge(f"document {label} has an archive member compressed more than "
                              f"{limits.max_ratio:.0f} times")


def _ole_type(path: Path, label: str) -> str:
    # HWP 5 keeps its signature at the start of the small "FileHeader" stream; in a compound
    # file that stream lies in the first sectors, so a bounded scan finds it without parsing.
    with path.open("rb") as f:
        body = f.read(256 * 1024)
    if _HWP_SIGNATURE in body:
        return HWP
    if _ENCRYPTED_PACKAGE in body:
        raise EncryptedDocument(f"document {label} is a password-protected Office file")
    raise UnsupportedFormat(f"{UNSUPPORTED_MESSAGE} ({label} is a legacy Office file)")
