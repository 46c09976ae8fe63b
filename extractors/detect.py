"""Detect a file's type from its content (magic bytes), never from its extension."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from extractors.errors import CorruptDocument, EmptyDocument, EncryptedDocument, UnsupportedFormat

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
    if b"%PDF-" in head[:1024]:
        return PDF
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path, label)
    if head.startswith(_OLE_MAGIC):
        return _ole_type(path, label)
    raise UnsupportedFormat(f"{UNSUPPORTED_MESSAGE} (document {label or 'file'} is not a PDF, image, DOCX, HWPX or HWP file)")


def _read_head(path: Path, label: str) -> bytes:
    with path.open("rb") as f:
        head = f.read(4096)
    if not head.strip(b"\x00 \t\r\n"):
        raise EmptyDocument(f"document {label or path.name} is empty")
    return head


def _zip_type(path: Path, label: str) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype").strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError) as e:
        raise CorruptDocument(f"document {label} is a damaged zip archive") from e
    if "word/document.xml" in names:
        return DOCX
    if mimetype == b"application/hwp+zip" or "Contents/section0.xml" in names:
        return HWPX
    raise UnsupportedFormat(f"{UNSUPPORTED_MESSAGE} ({label} is a zip of unknown content)")


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
