"""Helpers of the operations tests: generated contracts and traced per-document functions.

The per-document functions run the real pipeline (reports.audit.audit_document); they only add
a trace line per call, an optional delay, or a one-off transient problem. The flow takes them
by dotted name (`audit_fn="tests.ops_helpers:traced_audit"`), also in subprocesses and workers.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from extractors.records import Problem, Status
from reports.audit import audit_document
from reports.records import DocumentResult

TRACE_ENV = "KSOC_TEST_TRACE"  # file that receives "<sha256> <pid>" per audit
DELAY_ENV = "KSOC_TEST_DELAY"  # seconds to sleep before each audit
FLAKY_ENV = "KSOC_TEST_FLAKY_DIR"  # folder of markers: the first audit of a file is flaky

TRACED = "tests.ops_helpers:traced_audit"
FLAKY = "tests.ops_helpers:flaky_audit"
BROKEN = "tests.ops_helpers:broken_audit"


def make_contracts(folder: Path, count: int, *, seed: int = 0, prefix: str = "contract") -> list[Path]:
    """`count` distinct born-digital contracts (bench.docgen) written into `folder`."""
    from bench.docgen import CONTRACT_LAYOUTS, make_spec, render_pdf

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        layout = ("moel_standard", "table_form", "article")[i % 3]
        assert layout in CONTRACT_LAYOUTS
        path = folder / f"{prefix}-{seed}-{i:03d}.pdf"
        path.write_bytes(render_pdf(make_spec(seed * 1000 + i), layout))
        paths.append(path)
    return paths


def traced_audit(path: Path, *, client: str | None = None) -> DocumentResult:
    """The real audit, after an optional delay, with one trace line per completed call."""
    time.sleep(float(os.environ.get(DELAY_ENV) or 0))
    result = audit_document(path, client=client)
    trace = os.environ.get(TRACE_ENV)
    if trace:
        with open(trace, "a", encoding="utf-8") as fh:
            fh.write(f"{result.document.sha256} {os.getpid()}\n")
    return result


def flaky_audit(path: Path, *, client: str | None = None) -> DocumentResult:
    """The real audit; the first call per file adds a transient OCR timeout on page 1."""
    result = traced_audit(path, client=client)
    marker = Path(os.environ[FLAKY_ENV]) / result.document.sha256
    if marker.exists():
        return result
    marker.touch()
    problem = Problem(code="ocr_timeout", message="page 1 timed out", page=1)
    return result.model_copy(update={"status": Status.partial,
                                     "problems": [*result.problems, problem]})


def broken_audit(path: Path, *, client: str | None = None) -> DocumentResult:
    """A bug on files whose name contains "bug", the real audit otherwise."""
    if "bug" in Path(path).name:
        raise RuntimeError("simulated bug")
    return traced_audit(path, client=client)


def traced(trace: Path) -> list[str]:
    """The sha256 of every traced audit, in order."""
    if not trace.exists():
        return []
    return [line.split()[0] for line in trace.read_text(encoding="utf-8").splitlines() if line]
