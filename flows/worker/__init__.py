"""The audit worker: one long-lived local process, started by `ksoc-audit server start` beside
the Prefect server, that has already imported the pipeline, loaded the reference data and the
matching models, imported WeasyPrint and audited a small generated contract once, so that
`ksoc-audit audit FILE --out DIR` costs the audit itself and not the start-up.

    record.py     what runs: STATE/server/worker.{pid,json,sock,log}, the code stamp and the
                  environment a request must share with the worker
    wire.py       the Unix socket (mode 0600 in a 0700 folder; peers of another user are
                  refused, SO_PEERCRED) and its line-by-line JSON protocol; `ping`
    lifecycle.py  start / stop / status (`ksoc-audit server start|stop|status`)
    client.py     the CLI side: `hand_over`
    service.py    the worker process: accepts, queues and runs requests
    warm.py       warming the worker and its audit processes
    __main__.py   `python -m flows.worker serve`

What a request does: the CLI (`hand_over`) sends its own command line, working folder, umask,
code stamp and the few environment settings that change an audit's outputs; the worker runs
the very same `flows.cli` audit command in its process (the flow run is recorded in the
Prefect server, the documents are audited by its warm process pool) and streams back the
progress, what the command prints and its exit code. One request runs at a time; up to
QUEUE_MAX more wait (the CLI says so); beyond that the CLI audits by itself.

The CLI audits by itself, as without a worker, whenever the worker cannot do exactly what the
command would: no worker or no server, another Prefect API (PREFECT_API_URL), `--verbose`,
another runner or worker count, another umask, Tesseract or OCR setting, or a worker running
other code than the CLI's (the stamp: package version and a hash of the installed sources).
A worker whose own sources changed on disk since it started is outdated: it refuses, stops,
and the CLI starts a current one in the background as it exits. A worker that dies during an
audit loses nothing: the CLI audits by itself and reuses every document the worker committed
to the output folder's manifest; one that stops answering for SILENCE_TIMEOUT_S is reported
(exit 70). A CLI that is interrupted leaves the worker to finish the audit (its outputs are
complete and reused by the next run).

No module of this package imports Prefect at module level: the CLI imports it to hand work
over.
"""

from flows.worker.client import LOCAL_HERE, hand_over
from flows.worker.lifecycle import (
    WorkerError,
    default_workers,
    start_worker,
    status_lines,
    stop_worker,
)
from flows.worker.record import (
    WorkerFiles,
    WorkerInfo,
    code_stamp,
    is_audit_worker,
    read_worker,
    worker_files,
)
from flows.worker.service import serve
from flows.worker.warm import warm_process
from flows.worker.wire import ping

__all__ = ["LOCAL_HERE", "WorkerError", "WorkerFiles", "WorkerInfo", "code_stamp",
           "default_workers", "hand_over", "is_audit_worker", "ping", "read_worker", "serve",
           "start_worker", "status_lines", "stop_worker", "warm_process", "worker_files"]
