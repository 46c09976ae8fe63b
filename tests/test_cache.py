"""Caching and idempotency: unchanged documents are reused; a change of content, pipeline or
reference data reprocesses; only transient problems are retried; bugs are never cached."""

from __future__ import annotations

import json
import shutil

import pytest

from flows.documents import transient_codes
from flows.manifest import MANIFEST_NAME, STATE_DIR, CacheKey, Manifest, output_session
from reports.audit import file_sha256
from reports.records import SummaryEntry
from tests.ops_helpers import (
    BROKEN,
    FLAKY,
    TRACE_ENV,
    TRACED,
    make_contracts,
    patched_audit,
    traced,
)


@pytest.fixture
def trace(tmp_path, monkeypatch):
    path = tmp_path / "trace.txt"
    monkeypatch.setenv(TRACE_ENV, str(path))
    return path


def _audit(inputs, out, fn=TRACED, **options):
    from flows.audit import audit_contracts

    with patched_audit(fn):
        return audit_contracts(paths=[str(inputs)], out_dir=str(out), runner="threads",
                               reports="json", **options)


def _manifest_lines(out) -> list[dict]:
    text = (out / STATE_DIR / MANIFEST_NAME).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_unchanged_documents_are_reused_and_marked(prefect_harness, tmp_path, trace):
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_contracts(inputs, 3)
    first = _audit(inputs, out)
    assert len(traced(trace)) == 3 and not any(d.reused for d in first.documents)
    second = _audit(inputs, out)
    assert len(traced(trace)) == 3, "nothing may be audited again"
    assert [d.reused for d in second.documents] == [True] * 3
    assert [d.result for d in second.documents] == [d.result for d in first.documents]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert all(d["reused"] for d in summary["documents"])
    for entry in second.documents:
        assert json.loads((out / entry.result).read_text(encoding="utf-8"))["reused"] is True
    assert len(_manifest_lines(out)) == 3


def test_a_change_of_content_or_version_reprocesses(prefect_harness, tmp_path, trace, monkeypatch):
    inputs, out = tmp_path / "in", tmp_path / "out"
    docs = make_contracts(inputs, 2)
    _audit(inputs, out)
    make_contracts(tmp_path / "other", 1, seed=7)[0].replace(docs[0])  # new content, same name
    _audit(inputs, out)
    assert traced(trace)[2:] == [file_sha256(docs[0])]
    import flows.audit
    import reports.audit

    for name in ("pipeline_version", "reference_version"):
        changed = getattr(reports.audit, name)() + "-changed"
        for module in (flows.audit, reports.audit):
            monkeypatch.setattr(module, name, lambda changed=changed: changed)
        before = len(traced(trace))
        summary = _audit(inputs, out)
        assert len(traced(trace)) == before + 2, name
        assert not any(d.reused for d in summary.documents)


def test_same_content_under_a_new_name_gets_its_own_outputs(prefect_harness, tmp_path, trace):
    inputs, out = tmp_path / "in", tmp_path / "out"
    doc = make_contracts(inputs, 1)[0]
    _audit(inputs, out)
    shutil.copy(doc, inputs / "copy-of-the-same.pdf")
    summary = _audit(inputs, out)
    assert len(traced(trace)) == 1
    copy = next(d for d in summary.documents if "copy-of-the-same" in d.source)
    assert copy.reused and copy.result.startswith("copy-of-the-same")
    data = json.loads((out / copy.result).read_text(encoding="utf-8"))
    assert data["reused"] is True and data["document"]["path"].endswith("copy-of-the-same.pdf")


def test_transient_problems_are_retried_and_not_cached_until_clean(
        prefect_harness, tmp_path, trace, monkeypatch):
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_contracts(inputs, 1)
    monkeypatch.setenv("KSOC_TEST_FLAKY_DIR", str(tmp_path))
    summary = _audit(inputs, out, fn=FLAKY)
    assert len(traced(trace)) == 2, "one retry after the transient OCR timeout"
    assert [p.code for p in summary.documents[0].problems] == []
    assert len(_manifest_lines(out)) == 1


def test_bad_input_is_cached_not_retried_and_bugs_are_neither(prefect_harness, tmp_path, trace):
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    make_contracts(inputs, 1, prefix="bug")
    summary = _audit(inputs, out, fn=BROKEN)
    codes = {d.source.rsplit("/", 1)[-1]: d.problems[0].code for d in summary.documents}
    assert codes["truncated.pdf"] != "internal_error"
    assert codes["bug-0-000.pdf"] == "internal_error"
    assert len(traced(trace)) == 1, "bad input is audited once, never retried"
    lines = _manifest_lines(out)
    assert [line["entry"]["source"].rsplit("/", 1)[-1] for line in lines] == ["truncated.pdf"]
    again = _audit(inputs, out, fn=BROKEN)
    assert {d.source.rsplit("/", 1)[-1]: d.reused for d in again.documents} == {
        "truncated.pdf": True, "bug-0-000.pdf": False}


def test_torn_journal_line_is_skipped_and_the_next_append_starts_clean(tmp_path):
    manifest = Manifest(tmp_path)
    key = CacheKey(sha256="a" * 64, pipeline_version="1", reference_version="r")
    manifest.commit(key, SummaryEntry(source="a.pdf", sha256="a" * 64, status="success"))
    with open(manifest.path, "a", encoding="utf-8") as fh:
        fh.write('{"key": "half a li')  # the process died mid-append
    other = key.model_copy(update={"sha256": "b" * 64})
    reopened = Manifest(tmp_path)
    assert len(reopened) == 1
    reopened.commit(other, SummaryEntry(source="b.pdf", sha256="b" * 64, status="success"))
    final = Manifest(tmp_path)
    assert final.lookup(key) and final.lookup(other) and len(final) == 2


def test_session_sweeps_temporaries_of_a_killed_run(tmp_path):
    (tmp_path / "client").mkdir()
    stale = tmp_path / "client" / ".report.html.0123456789ab.tmp"
    stale.write_text("half")
    keep = tmp_path / ".not-ours.tmp"
    keep.write_text("x")
    with output_session(tmp_path):
        pass
    assert not stale.exists() and keep.exists()


def test_transient_codes():
    assert "ocr_timeout" in transient_codes()
    assert not {"encrypted_pdf", "corrupt_file", "internal_error"} & transient_codes()
