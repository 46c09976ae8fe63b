"""Type detection from content (magic bytes), never from the file name."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from PIL import Image

from extractors import detect
from extractors.errors import CorruptDocument, EmptyDocument, EncryptedDocument, UnsupportedFormat


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (32, 32), 255).save(buffer, format=fmt)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", detect.PDF),
        (b"\xef\xbb\xbf  %PDF-1.4\n", detect.PDF),  # junk before the header is tolerated
        (image_bytes("PNG"), detect.PNG),
        (image_bytes("JPEG"), detect.JPEG),
        (image_bytes("TIFF"), detect.TIFF),
        (zip_bytes({"mimetype": b"application/hwp+zip", "Contents/section0.xml": b"<a/>"}),
         detect.HWPX),
    ],
)
def test_magic_bytes_decide_the_type(tmp_path, content, media_type):
    path = tmp_path / "upload.bin"  # the extension says nothing
    path.write_bytes(content)
    assert detect.detect_media_type(path) == media_type


def test_docx_is_recognised_whatever_its_name(tmp_path):
    path = tmp_path / "contract.pdf"
    docx.Document().save(str(path))
    assert detect.detect_media_type(path) == detect.DOCX


def test_hwp5_signature_in_an_ole_file(tmp_path):
    path = tmp_path / "form.dat"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + b"HWP Document File")
    assert detect.detect_media_type(path) == detect.HWP


def test_legacy_office_file_is_unsupported(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + b"WordDocument")
    with pytest.raises(UnsupportedFormat, match="save as PDF or HWPX"):
        detect.detect_media_type(path)


def test_password_protected_office_file_is_encrypted(tmp_path):
    path = tmp_path / "locked.docx"
    name = "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + name)
    with pytest.raises(EncryptedDocument):
        detect.detect_media_type(path)


def test_unknown_zip_is_unsupported(tmp_path):
    path = tmp_path / "archive.zip"
    path.write_bytes(zip_bytes({"readme.txt": b"hello"}))
    with pytest.raises(UnsupportedFormat):
        detect.detect_media_type(path)


def test_damaged_zip_is_corrupt(tmp_path):
    path = tmp_path / "cut.docx"
    path.write_bytes(zip_bytes({"word/document.xml": b"<w/>" * 1000})[:40])
    with pytest.raises(CorruptDocument):
        detect.detect_media_type(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    with pytest.raises(EmptyDocument):
        detect.detect_media_type(path)
