"""Helpers of the operations tests: generated contracts and traced per-document functions.

The per-document functions run the real pipeline (flows.documents.audit_file); they only add
a trace line per call, an optional delay, or a one-off transient problem. A test puts one in
place of flows.documents.audit_file: in this process with `patched_audit` (the threads runner
audits here), in a Dask worker with `install_audit` (client.run), in a subprocess with the
launcher tests/run_batch.py.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import flows.documents
from extractors.records import Problem, Status
from flows.documents import audit_file
from reports.records import DocumentResult

TRACE_ENV = "KSOC_TEST_TRACE"  # file that receives "<sha256> <pid>" per audit
DELAY_ENV = "KSOC_TEST_DELAY"  # seconds to sleep before each audit
FLAKY_ENV = "KSOC_TEST_FLAKY_DIR"  # folder of markers: the first audit of a file is flaky


def make_contracts(folder: Path, count: int, *, seed: int = 0, prefix: str = "contract") -> list[Path]:
    """`count` distinct born-digital contracts (the fixtures package) written into `folder`."""
    from fixtures import CONTRACT_LAYOUTS, make_spec, render_pdf

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        layout = ("moel_standard", "table_form", "article")[i % 3]
        assert layout in CONTRACT_LAYOUTS
        path = folder / f"{prefix}-{seed}-{i:03d}.pdf"
        path.write_bytes(render_pdf(make_spec(seed * 1000 + i), layout))
        paths.append(path)
    return paths


def traced_audit(path: Path, **options) -> DocumentResult:
    """The real audit, after an optional delay, with one trace line per completed call."""
    time.sleep(float(os.environ.get(DELAY_ENV) or 0))
    result = audit_file(path, **options)
    trace = os.environ.get(TRACE_ENV)
    if trace:
        with open(trace, "a", encoding="utf-8") as fh:
            fh.write(f"{result.document.sha256} {os.getpid()}\n")
    return result


def flaky_audit(path: Path, **options) -> DocumentResult:
    """The real audit; the first call per file adds a transient OCR timeout on page 1."""
    result = traced_audit(path, **options)
    marker = Path(os.environ[FLAKY_ENV]) / result.document.sha256
    if marker.exists():
        return result
    marker.touch()
    problem = Problem(code="ocr_timeout", message="page 1 timed out", page=1)
    return result.model_copy(update={"status": Status.partial,
                                     "problems": [*result.problems, problem]})


def broken_audit(path: Path, **options) -> DocumentResult:
    """A bug on files whose name contains "bug", the real audit otherwise."""
    if "bug" in Path(path).name:
        raise RuntimeError("simulated bug")
    return traced_audit(path, **options)


TRACED, FLAKY, BROKEN = traced_audit, flaky_audit, broken_audit


@contextmanager
def patched_audit(fn: Callable[..., DocumentResult] = traced_audit) -> Iterator[None]:
    """Documents audited in this process go through `fn` instead of the real audit_file."""
    original = flows.documents.audit_file
    flows.documents.audit_file = fn
    try:
        yield
    finally:
        flows.documents.audit_file = original


def install_audit(name: str) -> None:
    """Put `name` ("module:function", a test function) in place of audit_file in this process
    for good: a Dask worker (client.run) or a launched subprocess (tests/run_batch.py)."""
    module, _, attr = name.partition(":")
    flows.documents.audit_file = getattr(importlib.import_module(module), attr)


def traced(trace: Path) -> list[str]:
    """The sha256 of every traced audit, in order."""
    if not trace.exists():
        return []
    return [line.split()[0] for line in trace.read_text(encoding="utf-8").splitlines() if line]
