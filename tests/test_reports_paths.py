"""Safe output names and atomic replacement (reports.paths)."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from reports.paths import (
    MAX_STEM_BYTES,
    atomic_write_bytes,
    atomic_write_text,
    client_folder,
    document_base,
    safe_stem,
)

SHA = hashlib.sha256(b"contract").hexdigest()


@pytest.mark.parametrize(
    "source",
    [
        "../../etc/x.pdf",
        "..\\..\\windows\\system32\\x.pdf",
        "/abs/path/x.pdf",
        "a/b/../../x.pdf",
        "..",
        ".hidden.pdf",
        "con.pdf",
        "name with spaces & <tags>.pdf",
        "x" * 1000 + ".pdf",
        "계약서" * 200 + ".pdf",
        "",
    ],
)
def test_safe_stem_is_a_plain_safe_name(source: str) -> None:
    stem = safe_stem(source, SHA)
    assert stem and "/" not in stem and "\\" not in stem
    assert not stem.startswith(".") and ".." not in stem
    assert len(stem.encode()) <= MAX_STEM_BYTES + 1 + 8
    assert stem.endswith("-" + SHA[:8])
    assert stem.split("-")[0].lower() not in {"con", "nul", "aux"}
    assert Path("/out", stem + ".html").resolve().parent == Path("/out")


def test_safe_stem_keeps_korean_readable() -> None:
    assert safe_stem("입력/근로계약서_홍길동.pdf", SHA) == f"근로계약서_홍길동-{SHA[:8]}"


def test_safe_stem_normalises_decomposed_hangul() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "계약서.pdf")
    assert safe_stem(nfd, SHA) == safe_stem("계약서.pdf", SHA)


def test_safe_stem_cuts_utf8_on_character_boundary() -> None:
    stem = safe_stem("가" * 100 + ".pdf", SHA)
    readable = stem.rsplit("-", 1)[0]
    assert set(readable) == {"가"} and len(readable.encode()) <= MAX_STEM_BYTES


def test_same_name_different_content_never_collides() -> None:
    other = hashlib.sha256(b"other").hexdigest()
    assert safe_stem("contract.pdf", SHA) != safe_stem("contract.pdf", other)


def test_missing_hash_falls_back_to_source_hash() -> None:
    assert safe_stem("a/x.pdf", None) != safe_stem("b/x.pdf", None)
    assert safe_stem("a/x.pdf", "") == safe_stem("a/x.pdf", None)


def test_client_folder_is_a_single_safe_folder() -> None:
    name = client_folder("../../삼성 Relocation/Team")
    assert "/" not in name and not name.startswith(".") and ".." not in name
    assert name.startswith("삼성_Relocation_Team-")
    assert client_folder("Acme") != client_folder("acme")


def test_document_base_puts_client_documents_in_their_folder() -> None:
    assert document_base("in/x.pdf", SHA) == f"x-{SHA[:8]}"
    assert document_base("in/x.pdf", SHA, "Acme") == f"{client_folder('Acme')}/x-{SHA[:8]}"
    assert document_base("in/x.pdf", None).endswith("-00000000")


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.html"
    atomic_write_text(target, "old")
    atomic_write_text(target, "새 보고서")
    assert target.read_text(encoding="utf-8") == "새 보고서"
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_atomic_write_failure_keeps_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "r.json"
    atomic_write_bytes(target, b"old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_atomic_write_readers_never_see_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    payloads = [bytes([i]) * 400_000 for i in range(1, 6)]
    atomic_write_bytes(target, payloads[0])
    seen: list[bytes] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.append(target.read_bytes())

    thread = threading.Thread(target=reader)
    thread.start()
    for data in payloads[1:]:
        atomic_write_bytes(target, data)
    stop.set()
    thread.join()
    assert all(s in payloads for s in seen)


def test_identifiers_never_reach_file_names() -> None:
    stem = safe_stem("계약서_900101-1234567_010-1234-5678.pdf", SHA)
    assert "1234567" not in stem and "1234-5678" not in stem and stem.startswith("계약서_900101-1")
