"""Scale-out on Dask: the per-document tasks of `audit_contracts` run on a distributed cluster
started here on loopback (one worker process, two threads), through prefect-dask's
DaskTaskRunner. The checks look at the cluster itself (its task stream and the worker's process
id in the audit trace), not only at the flow ending without an error."""

from __future__ import annotations

import json
import os
import time

import distributed  # the dask extra, installed by `make setup`
import psutil
import pytest

from fixtures import CONTRACT_LAYOUTS, expected_for, make_spec
from tests.ops_helpers import TRACE_ENV, install_audit, make_contracts

LAYOUTS = ("moel_standard", "table_form", "article")  # as tests.ops_helpers.make_contracts


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster on 127.0.0.1 without dashboard; checks no process outlives it."""
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    local = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                     host="127.0.0.1", dashboard_address=None)
    client = distributed.Client(local, set_as_default=False)
    try:
        yield local, client
    finally:
        client.close()
        local.close()
    deadline = time.monotonic() + 15
    while left := _alive(me, before):
        assert time.monotonic() < deadline, f"Dask processes left running: {left}"
        time.sleep(0.2)


def _alive(me: psutil.Process, before: set[int]) -> list[tuple[int, str]]:
    """Processes started since `before` that still run (multiprocessing's resource tracker
    serves the whole test process and is not the cluster's)."""
    alive = []
    for proc in me.children(recursive=True):
        try:
            command = " ".join(proc.cmdline())
            if proc.pid in before or proc.status() == psutil.STATUS_ZOMBIE:
                continue
        except psutil.NoSuchProcess:
            continue
        if "resource_tracker" not in command:
            alive.append((proc.pid, command[:120]))
    return alive


@pytest.fixture
def trace(tmp_path, monkeypatch):
    path = tmp_path / "trace.txt"
    monkeypatch.setenv(TRACE_ENV, str(path))
    return path


def _set_env(name: str, value: str) -> None:
    os.environ[name] = value


def _audit_tasks(client, since: float) -> list[dict]:
    """Task-stream records of per-document Prefect tasks run on the cluster since `since`."""
    return [t for t in client.get_task_stream(start=since)
            if "audit_document" in str(t["key"]) or "audit-document" in str(t["key"])]


def _truth(index: int) -> dict:
    return expected_for(make_spec(index), LAYOUTS[index % 3])


def test_documents_run_on_the_dask_workers(prefect_harness, cluster, tmp_path, trace):
    from flows.audit import audit_contracts

    local, client = cluster
    assert set(LAYOUTS) <= set(CONTRACT_LAYOUTS)
    docs = make_contracts(tmp_path / "in", 3)
    client.run(_set_env, TRACE_ENV, str(trace))  # the worker process started before `trace`
    client.run(install_audit, "tests.ops_helpers:traced_audit")  # the worker's audits are traced
    worker_pids = set(client.run(os.getpid).values())
    assert os.getpid() not in worker_pids
    client.get_task_stream()  # starts the scheduler's task-stream recording
    start = time.time()
    summary = audit_contracts(paths=[str(tmp_path / "in")], out_dir=str(tmp_path / "out"),
                              runner="dask", dask_address=local.scheduler_address,
                              reports="json")

    # Correct results: every contract audited, title and annual salary as generated.
    assert [d.status for d in summary.documents] == ["success"] * 3
    for index, (doc, entry) in enumerate(zip(docs, summary.documents, strict=True)):
        assert entry.source == str(doc)
        result = json.loads((tmp_path / "out" / entry.result).read_text(encoding="utf-8"))
        truth = _truth(index)
        assert result["fields"]["job_title"]["value"] == truth["title"]
        assert result["fields"]["salary"]["annual_krw"] == truth["annual_krw"]
        assert result["occupation"]["candidates"], "matched to KSCO codes"

    # ... and they were computed in the Dask worker process, as three Dask tasks.
    pids = {line.split()[1] for line in trace.read_text(encoding="utf-8").splitlines()}
    assert pids == {str(pid) for pid in worker_pids}, "audits ran outside the Dask worker"
    tasks = _audit_tasks(client, start)
    assert len(tasks) == 3 and {t["status"] for t in tasks} == {"OK"}
    assert {t["worker"] for t in tasks} == set(local.scheduler_info["workers"])


def test_cli_dask_address_and_cache_on_the_cluster(prefect_harness, cluster, tmp_path):
    from flows.cli import main

    local, client = cluster
    make_contracts(tmp_path / "in", 2, seed=4)
    out = tmp_path / "out"
    argv = ["audit", str(tmp_path / "in"), "--out", str(out), "--runner", "dask",
            "--dask-address", local.scheduler_address, "--reports", "json", "--no-progress"]
    client.get_task_stream()
    start = time.time()
    assert main(argv) in (0, 1)
    assert len(_audit_tasks(client, start)) == 2
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [d["status"] for d in summary["documents"]] == ["success"] * 2

    again = time.time()
    assert main(argv) in (0, 1)
    assert _audit_tasks(client, again) == [], "cached documents are not sent to the cluster"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert all(d["reused"] for d in summary["documents"])


def test_dask_address_needs_the_dask_runner(tmp_path, capsys):
    from flows.cli import main

    (tmp_path / "in").mkdir()
    code = main(["audit", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                 "--runner", "threads", "--dask-address", "tcp://127.0.0.1:1"])
    assert code == 64 and "needs the dask runner" in capsys.readouterr().err
