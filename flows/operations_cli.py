"""`ksoc-audit watch` and `ksoc-audit serve`, and the runner options of `ksoc-audit audit`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.errors import KsocAuditError

if TYPE_CHECKING:
    from flows.cli import Subparsers

log = logging.getLogger(__name__)

EXIT_OK, EXIT_USAGE, EXIT_INTERNAL = 0, 64, 70
# The values of flows.runners.RunnerKind and flows.documents.ReportsMode, spelled out: building
# the parser must not import Prefect nor the pipeline (tests/test_server.py keeps them equal).
RUNNER_CHOICES = ("processes", "threads", "dask")
REPORTS_CHOICES = ("all", "html", "json")


def add_operation_commands(subparsers: Subparsers) -> None:
    """Add `watch` and `serve`; give `audit` the runner options (see `audit_options`)."""
    audit = subparsers.choices.get("audit")
    if audit is not None:
        add_run_options(audit)
    _add_watch(subparsers)
    _add_serve(subparsers)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where documents run (docs/OPERATIONS.md)")
    group.add_argument("--runner", choices=RUNNER_CHOICES,
                       help="processes (default), threads or dask")
    group.add_argument("--workers", type=int, help="documents in parallel (default: CPU cores)")
    group.add_argument("--dask-address", metavar="tcp://HOST:8786",
                       help="run the documents on this existing Dask cluster")
    group.add_argument("--docs-per-task", type=int, metavar="N",
                       help="documents per Prefect task run (default 8 locally, 1 on Dask)")
    group.add_argument("--batch-size", type=int, default=100,
                       help="documents per sub-batch flow run (bounds memory; default 100)")
    group.add_argument("--reports", choices=REPORTS_CHOICES, default="all",
                       help="per-document reports: all (JSON, HTML, PDF), html or json")


def audit_options(args: argparse.Namespace) -> dict[str, Any]:
    """The `audit_contracts` keyword arguments of the options added by `add_run_options`."""
    return {"runner": args.runner, "workers": args.workers, "dask_address": args.dask_address,
            "batch_size": args.batch_size, "reports": args.reports,
            "docs_per_task": args.docs_per_task}


def _add_watch(sub: Subparsers) -> None:
    p = sub.add_parser("watch", help="audit contracts dropped into a folder, then file them away",
                       description="Audit every complete file dropped into INBOX and move it to "
                                   "INBOX/processed/YYYY-MM-DD/ or INBOX/quarantine/ with a "
                                   ".reason.json beside it (verdict, worst severity, report "
                                   "paths). After each wave summary.json, summary.csv, "
                                   "summary.xlsx and index.html in --out cover every document "
                                   "audited there; one line per file is printed.",
                       epilog="example:\n  ksoc-audit watch inbox/ --out out --once\n\n"
                              "exit codes (with --once; a running watcher exits on Ctrl-C):\n"
                              "  0   every file processed, no finding that needs action\n"
                              "  1   findings of high or medium severity\n"
                              "  2   a file was quarantined\n"
                              "  64  usage error (no such folder, bad options)",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inbox", help="folder to watch")
    p.add_argument("--out", required=True, help="output folder for results and reports")
    p.add_argument("--processed", help="where audited files go (default INBOX/processed)")
    p.add_argument("--quarantine", help="where unreadable files go (default INBOX/quarantine)")
    p.add_argument("--client", help="relocation-firm client of every dropped document")
    p.add_argument("--per-client-folders", action="store_true",
                   help="INBOX/<client>/ subfolders name the client")
    p.add_argument("--show-pii", action="store_true", help="do not mask identifiers in outputs")
    p.add_argument("--settle", type=float, default=3.0, metavar="SECONDS",
                   help="a file is complete once unchanged this long (default 3)")
    p.add_argument("--poll", action="store_true",
                   help="poll the folder (network shares do not send change events)")
    p.add_argument("--once", action="store_true", help="process what is there, then exit")
    add_run_options(p)


def _add_serve(sub: Subparsers) -> None:
    p = sub.add_parser("serve", help="run the scheduled audit jobs of a TOML config",
                       description="Register each [[jobs]] entry as a Prefect deployment with "
                                   "its cron schedule and run the scheduled audits.")
    p.add_argument("--config", required=True, help="TOML file (see ksoc-audit.example.toml)")
    p.add_argument("--check", action="store_true",
                   help="validate the config, print each job's next run, and exit")
    p.add_argument("--limit", type=int, default=1,
                   help="scheduled audits running at the same time (default 1)")


def run_operation_command(args: argparse.Namespace) -> int:
    handler = {"watch": cmd_watch, "serve": cmd_serve}[args.command]
    try:
        return handler(args)
    except KsocAuditError as exc:
        print(f"ksoc-audit {args.command}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE if exc.code == "config_error" else EXIT_INTERNAL
    except KeyboardInterrupt:
        return EXIT_OK


def _use_running_server() -> str:
    """Before Prefect is imported: the background server when it runs (flows.server)."""
    from flows.server import use_running_server

    return use_running_server(announce=lambda line: print(line, file=sys.stderr))


def cmd_watch(args: argparse.Namespace) -> int:
    from flows.watch import WatchOptions, watch

    if not Path(args.inbox).is_dir():
        print(f"ksoc-audit watch: no such folder: {args.inbox}", file=sys.stderr)
        return EXIT_USAGE
    options = WatchOptions(
        inbox=args.inbox, out_dir=str(Path(args.out).resolve()), processed=args.processed,
        quarantine=args.quarantine, client=args.client,
        per_client_folders=args.per_client_folders, show_pii=args.show_pii,
        settle_seconds=args.settle, poll=args.poll, **audit_options(args))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # service managers stop with SIGTERM
    _use_running_server()
    stats = watch(options, once=args.once, stop=stop)
    print(f"Processed {stats.processed}, quarantined {stats.quarantined} document(s).")
    return stats.exit_code() if args.once else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.config import load_config

    config = load_config(args.config)
    if args.check:
        from flows.serve import describe_jobs

        print("\n".join(describe_jobs(config)))
        return EXIT_OK
    _use_running_server()
    from flows.serve import serve_jobs

    serve_jobs(config, limit=max(1, args.limit))
    return EXIT_OK
