"""Crash safety: SIGKILL a real batch in the middle, start it again, and check that nothing is
lost, nothing is processed twice and no half-written output survives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.manifest import MANIFEST_NAME, STATE_DIR
from reports.audit import file_sha256
from tests.ops_helpers import DELAY_ENV, TRACE_ENV, make_contracts, traced

ROOT = Path(__file__).resolve().parents[1]
DOCS = 8
LAUNCHER = str(ROOT / "tests" / "run_batch.py")  # batches of 3, the threads runner, HTML reports
TRACED = "tests.ops_helpers:traced_audit"


def _start(inputs: Path, out: Path, trace: Path, delay: float) -> subprocess.Popen:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PYTHONPATH": str(ROOT), TRACE_ENV: str(trace), DELAY_ENV: str(delay),
           "PREFECT_API_URL": PREFECT_API_URL.value()}  # the session's server: no cold start
    return subprocess.Popen([sys.executable, LAUNCHER, str(inputs), str(out), TRACED],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _committed(out: Path) -> list[dict]:
    path = out / STATE_DIR / MANIFEST_NAME
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return [json.loads(line) for line in lines if line.endswith("\n") and line.strip()]


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, proc.stderr.read().decode(errors="replace")[-2000:]
        assert time.monotonic() < deadline, "the batch never got going"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the process and any worker it started
    proc.wait(timeout=30)


@pytest.mark.slow
def test_sigkill_mid_batch_then_restart(prefect_harness, tmp_path):
    inputs, out = tmp_path / "in", tmp_path / "out"
    docs = make_contracts(inputs, DOCS)
    first = _start(inputs, out, tmp_path / "trace1", delay=0.5)
    _kill_when(first, lambda: len(_committed(out)) >= 2)
    done_before = {line["entry"]["sha256"] for line in _committed(out)}
    assert 2 <= len(done_before) < DOCS, "the kill must land in the middle of the batch"

    second = _start(inputs, out, tmp_path / "trace2", delay=0)
    assert second.wait(timeout=120) == 0, second.stderr.read().decode(errors="replace")[-2000:]

    redone = traced(tmp_path / "trace2")
    assert not done_before & set(redone), "a committed document was processed again"
    assert sorted(redone) == sorted({file_sha256(d) for d in docs} - done_before)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["documents"]) == DOCS
    assert {d["sha256"] for d in summary["documents"] if d["reused"]} == done_before
    for entry in summary["documents"]:
        json.loads((out / entry["result"]).read_text(encoding="utf-8"))  # complete JSON
        assert (out / entry["result"]).with_suffix(".html").read_text(encoding="utf-8").rstrip() \
            .endswith("</html>")
    committed = [line["key"] for line in _committed(out)]
    assert len(committed) == len(set(committed)) == DOCS, "each document committed exactly once"
    leftovers = [p.name for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == [], "half-written files survived the restart"
