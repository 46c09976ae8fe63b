"""Warming the worker: Prefect, the flow and the batch renderer in the worker process, and its
pool of audit processes, each of which loads the pipeline, the reference data and the models
and audits a small generated contract once (WeasyPrint, fonts, templates), so that a request
costs the audit itself. The audit processes log warnings to the worker log, other libraries'
messages withheld (they may name a file)."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)


def warm_this_process(workers: int) -> None:
    """Prefect and the flow (pointed at the server), the batch renderer, and the pool of
    `workers` audit processes, each warmed by `warm_process`."""
    from flows.settings import configure_environment

    configure_environment()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    from flows import cli, logmask, runners

    cli.build_parser()  # imports the operation commands (and Prefect)
    import flows.audit  # noqa: F401
    import reports.render  # noqa: F401 - summary.xlsx and index.html

    logmask.install()
    runners.set_pool_initializer(warm_process)
    pool = runners.prestart_pool(workers)
    seen: set[int] = set()
    for _ in range(20):  # every process has run its initializer once one of its tasks ran
        seen.update(f.result() for f in [pool.submit(_process_id) for _ in range(workers)])
        if len(seen) >= workers:
            break


def _process_id() -> int:
    time.sleep(0.2)  # long enough for the other processes to take the other probes
    return os.getpid()


def warm_process() -> None:
    """Initializer of the worker's audit processes: flows.documents.warm_up (pipeline,
    reference data, models), then one audit of a small generated contract with every report
    (WeasyPrint, fonts, templates, DOCX), written to a temporary folder and removed."""
    from flows.documents import warm_up

    _private_logging()
    warm_up()
    previous = tempfile.tempdir, os.environ.get("TMPDIR")
    folder = Path(tempfile.mkdtemp(prefix="ksoc-warm-"))
    try:
        _audit_generated_contract(folder)
    except Exception as exc:  # noqa: BLE001 - each document will report its own problem
        log.warning("audit worker warm-up: %s", type(exc).__name__)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        tempfile.tempdir = previous[0]
        if previous[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous[1]


OWN_LOGGERS = ("extractors", "matchers", "reports", "flows")  # name documents by hash only


class _WithheldMessage(logging.Filter):
    """The worker's log must not name a file or a person: other libraries' messages may quote
    a path (a crop image, a font file) and are reduced to their logger and level, once per
    kind of message (WeasyPrint warns about the same CSS on every report)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(OWN_LOGGERS):
            return True
        kind = (record.name, record.levelno, str(record.msg))
        if kind in self.seen:
            return False
        self.seen.add(kind)
        record.msg, record.args = ("(message withheld: it may name a file; not repeated)", ())
        record.exc_info, record.exc_text = None, None
        return True


def _private_logging() -> None:
    """Logging of an audit process of the worker: warnings to the worker log, filtered."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s (audit process): "
                                           "%(message)s"))
    handler.addFilter(_WithheldMessage())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


WARM_CONTRACT = """<html><head><meta charset="utf-8"></head><body>
<h1>근로계약서</h1>
<p>1. 근로계약기간: 2026.03.02 부터 2027.03.01 까지</p>
<p>2. 근무장소: 서울특별시 강남구</p>
<p>3. 업무의 내용: 직종: 웹 개발자 / 담당업무: 웹 서비스의 서버 API를 설계하고 개발한다</p>
<p>4. 임금: 월 3,500,000원</p>
<p>Job title: Web Developer</p>
</body></html>"""


def _audit_generated_contract(folder: Path) -> None:
    from weasyprint import HTML

    from flows.discover import Input
    from flows.documents import DocumentJob, audit_one

    pdf = folder / "warm-up.pdf"
    HTML(string=WARM_CONTRACT).write_pdf(str(pdf))
    audit_one(Input(str(pdf), pdf.name, None), DocumentJob(out_dir=str(folder / "out")))
