"""Folder drop: complete files only, each input filed exactly once (processed/ or quarantine/)
with a reason.json, unique names, crash between audit and move, files dropped while down."""

from __future__ import annotations

import contextvars
import json
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from extractors.errors import ConfigError
from flows.inbox import STAGING, InboxLayout, Settler, is_temporary
from flows.watch import WatchOptions, audit_staged, watch
from reports.audit import file_sha256
from tests.ops_helpers import TRACE_ENV, make_contracts, patched_audit, traced


@pytest.fixture
def trace(tmp_path, monkeypatch):
    path = tmp_path / "trace.txt"
    monkeypatch.setenv(TRACE_ENV, str(path))
    with patched_audit():  # the threads runner audits in this process
        yield path


def _options(tmp_path, **extra) -> WatchOptions:
    return WatchOptions(inbox=str(tmp_path / "inbox"), out_dir=str(tmp_path / "out"),
                        runner="threads", reports="json", settle_seconds=0.2, **extra)


def _filed(inbox: Path) -> dict[str, list[str]]:
    """Documents (not reason files) under processed/ and quarantine/, by relative path."""
    places: dict[str, list[str]] = {"processed": [], "quarantine": []}
    for kind, paths in places.items():
        for path in sorted((inbox / kind).rglob("*")):
            if path.is_file() and not path.name.endswith(".reason.json") \
                    and not path.name.startswith("."):  # a reason file being written
                paths.append(path.relative_to(inbox / kind).as_posix())
                assert path.with_name(path.name + ".reason.json").is_file(), path.name
    return places


def _remaining(inbox: Path) -> list[str]:
    skip = {"processed", "quarantine", STAGING}
    return sorted(p.name for p in inbox.rglob("*") if p.is_file()
                  and not skip & set(p.relative_to(inbox).parts) and not p.name.startswith("."))


def test_once_files_every_input_exactly_once(prefect_harness, tmp_path, trace):
    from flows.cli import main

    inbox = tmp_path / "inbox"
    make_contracts(inbox, 2)
    make_contracts(inbox / "acme", 1, seed=3)
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (inbox / "upload.pdf.crdownload").write_bytes(b"still downloading")
    code = main(["watch", str(inbox), "--out", str(tmp_path / "out"), "--once",
                 "--settle", "0.2", "--runner", "threads", "--reports", "json"])
    assert code == 2, "a quarantined file makes the exit code 2"
    today = datetime.now().strftime("%Y-%m-%d")
    assert _filed(inbox) == {
        "processed": [f"{today}/acme/contract-3-000.pdf", f"{today}/contract-0-000.pdf",
                      f"{today}/contract-0-001.pdf"],
        "quarantine": ["broken.pdf"]}
    assert _remaining(inbox) == ["upload.pdf.crdownload"], "partial downloads are left alone"
    reason = json.loads((inbox / "quarantine/broken.pdf.reason.json").read_text("utf-8"))
    assert reason["outcome"] == "quarantined" and reason["code"] != "ok"
    assert reason["sha256"] == file_sha256(inbox / "quarantine/broken.pdf") and reason["time"]
    done = json.loads((inbox / f"processed/{today}/contract-0-000.pdf.reason.json").read_text())
    assert done["outcome"] == "processed" and Path(done["result"]).is_file()


def test_same_name_dropped_twice_gets_a_unique_name(prefect_harness, tmp_path, trace):
    inbox = tmp_path / "inbox"
    first = make_contracts(inbox, 1)[0]
    watch(_options(tmp_path), once=True)
    make_contracts(tmp_path / "again", 1)[0].replace(first)  # same name, same content
    stats = watch(_options(tmp_path), once=True)
    today = datetime.now().strftime("%Y-%m-%d")
    assert _filed(inbox)["processed"] == [f"{today}/contract-0-000-2.pdf",
                                          f"{today}/contract-0-000.pdf"]
    assert stats.processed == 1 and len(traced(trace)) == 1, "the second drop reuses the result"
    second = inbox / f"processed/{today}/contract-0-000-2.pdf.reason.json"
    assert json.loads(second.read_text(encoding="utf-8"))["reused"] is True


def test_crash_between_audit_and_move_is_not_processed_twice(prefect_harness, tmp_path, trace):
    inbox = tmp_path / "inbox"
    doc = make_contracts(inbox / STAGING, 1)[0]  # claimed by a watcher that then crashed ...
    layout = InboxLayout.create(inbox, out_dir=tmp_path / "out")
    audit_staged(layout, _options(tmp_path))  # ... after the audit, before the move
    today = datetime.now().strftime("%Y-%m-%d")
    orphan = inbox / f"processed/{today}/{doc.name}.reason.json"  # and after the reason file
    orphan.parent.mkdir(parents=True)
    orphan.write_text(json.dumps({"sha256": file_sha256(doc)}), encoding="utf-8")
    stats = watch(_options(tmp_path), once=True)
    assert len(traced(trace)) == 1, "the restart reuses the committed result"
    assert stats.processed == 1 and _filed(inbox)["processed"] == [f"{today}/{doc.name}"]
    assert json.loads(orphan.read_text(encoding="utf-8"))["outcome"] == "processed"


def test_watcher_waits_for_complete_files(prefect_harness, tmp_path, trace):
    inbox, stop = tmp_path / "inbox", threading.Event()
    inbox.mkdir()
    waiting = make_contracts(tmp_path / "src", 2)
    early = make_contracts(inbox, 1, seed=5)  # dropped while the watcher was down
    expected = sorted(file_sha256(p) for p in [*waiting, *early])
    options = _options(tmp_path).model_copy(update={"settle_seconds": 1.5})
    worker = threading.Thread(target=contextvars.copy_context().run,
                              args=(watch, options), kwargs={"stop": stop})
    worker.start()
    try:
        (inbox / "renamed.pdf.part").write_bytes(waiting[0].read_bytes())
        (inbox / "renamed.pdf.part").rename(inbox / "renamed.pdf")  # temp name, then rename
        data = waiting[1].read_bytes()
        (inbox / "slow.pdf").write_bytes(data[: len(data) // 2])  # written in place, paused
        time.sleep(1.0)
        with open(inbox / "slow.pdf", "ab") as fh:
            fh.write(data[len(data) // 2:])
        _wait_for(lambda: len(_filed(inbox)["processed"]) == 3)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert sorted(traced(trace)) == expected, "each file audited once, complete"
    assert _filed(inbox)["quarantine"] == [] and _remaining(inbox) == []


def _wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the watcher did not finish in time"
        time.sleep(0.1)


def test_settler_needs_a_quiet_period(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"x")
    settler = Settler(2.0)
    start = path.stat().st_mtime
    assert settler.ready([path], now=start + 0.5) == []
    assert settler.ready([path], now=start + 1.5) == []
    path.write_bytes(b"xy")  # still growing: the clock starts again
    mtime = path.stat().st_mtime
    assert settler.ready([path], now=max(mtime, start + 1.6)) == []
    assert settler.ready([path], now=max(mtime, start + 1.6) + 2.1) == [path]


@pytest.mark.parametrize(("name", "temporary"), [
    ("contract.pdf", False), ("계약서.hwpx", False), (".hidden.pdf", True),
    ("~$contract.docx", True), ("a.pdf.part", True), ("a.crdownload", True),
    ("a.pdf.reason.json", True), ("Thumbs.db", True),
])
def test_temporary_names(name, temporary):
    assert is_temporary(name) is temporary


def test_one_watcher_per_inbox(tmp_path):
    from flows.watch import _inbox_lock

    (tmp_path / "inbox").mkdir()
    layout = InboxLayout.create(tmp_path / "inbox")
    with _inbox_lock(layout), pytest.raises(ConfigError, match="another watcher"):
        watch(_options(tmp_path), once=True)


def test_each_wave_is_a_prefect_flow_run(prefect_harness, tmp_path, trace):
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterName,
        FlowRunFilterStartTime,
    )

    make_contracts(tmp_path / "inbox", 2, seed=8)
    since = datetime.now().astimezone()
    stats = watch(_options(tmp_path), once=True)
    assert stats.processed == 2
    query = FlowRunFilter(name=FlowRunFilterName(like_="inbox-"),
                          start_time=FlowRunFilterStartTime(after_=since))
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=query)
        assert len(runs) == 1, "one flow run for the wave of dropped files"
        assert runs[0].state.is_completed()
        flow = client.read_flow(runs[0].flow_id)
    assert flow.name == "audit_contracts"
    assert runs[0].parameters["batch_reports"] is False


def test_each_wave_updates_the_batch_outputs_and_says_what_to_do(prefect_harness, tmp_path, trace,
                                                                  capsys):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    make_contracts(inbox, 1)
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    watch(_options(tmp_path), once=True)
    lines = [line for line in capsys.readouterr().out.splitlines()
             if line.startswith(("processed ", "quarantined "))]
    assert len(lines) == 2, lines
    done = next(line for line in lines if line.startswith("processed contract-0-000.pdf: "))
    assert " -> " in done and done.split(" -> ")[1].endswith(".json")  # reports=json: no HTML
    assert any(line.startswith("quarantined broken.pdf: ") for line in lines)
    today = datetime.now().strftime("%Y-%m-%d")
    reason = json.loads((inbox / f"processed/{today}/contract-0-000.pdf.reason.json").read_text())
    assert reason["verdict"] in ("action_needed", "review", "no_action")
    assert reason["verdict_text"] and "worst_severity" in reason
    assert Path(reason["reports"]["json"]).is_file()
    result = json.loads(Path(reason["result"]).read_text(encoding="utf-8"))
    assert result["document"]["path"] == f"processed/{today}/contract-0-000.pdf"
    for name in ("summary.json", "summary.csv", "summary.xlsx", "index.html"):
        assert (out / name).is_file(), name
    first = json.loads((out / "summary.json").read_text(encoding="utf-8"))["documents"]
    assert sorted(d["source"] for d in first) == [f"processed/{today}/contract-0-000.pdf",
                                                  "quarantine/broken.pdf"]
    make_contracts(inbox, 2, seed=5)  # a second wave adds to the summary, keeps the first
    watch(_options(tmp_path), once=True)
    second = json.loads((out / "summary.json").read_text(encoding="utf-8"))["documents"]
    assert len(second) == 4 and {d["source"] for d in first} <= {d["source"] for d in second}
    assert "contract-0-000.pdf" in (out / "index.html").read_text(encoding="utf-8")


def test_the_per_file_line_masks_identifiers_in_names(prefect_harness, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "M12345678_010-1234-5678.pdf").write_bytes(b"%PDF-1.4 truncated")
    watch(_options(tmp_path), once=True)
    printed = capsys.readouterr().out
    lines = [line for line in printed.splitlines() if line.startswith("quarantined ")]
    assert len(lines) == 1, printed
    assert "M12345678" not in printed and "010-1234" not in printed
