"""`ksoc-audit` command line.

Masking: ID, passport, phone and bank-account numbers are masked in every output, and the
employee's name in every report (JSON, HTML, PDF, CSV, XLSX, dashboard), unless --show-pii.
The addendum DOCX keeps the parties' real names (they sign it); its identifiers are masked.

Exit codes:
    0   every document audited, no finding that needs action
    1   findings of high or medium severity present (the contracts need attention)
    2   at least one document failed (see summary.json problems)
    64  usage error (bad arguments, missing input path)
    69  environment error (Tesseract, Korean data or fonts missing: run `ksoc-audit doctor`)
    70  internal error
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from flows.settings import configure_environment

if TYPE_CHECKING:  # only for annotations: the CLI imports the pipeline's packages lazily
    from flows.discover import Input
    from flows.runners import RunnerSpec
    from flows.server import ServerInfo
    from reports.records import BatchSummary

    Subparsers = argparse._SubParsersAction["_Parser"]  # the subcommands' parsers are _Parser

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2
EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_INTERNAL = 64, 69, 70
EXIT_CODES_HELP = """exit codes:
  0   every document audited, no finding that needs action (F-2-7 notes may be present)
  1   findings of high or medium severity: some contracts need action
  2   at least one document failed (its problem is in summary.json)
  64  usage error (bad arguments, missing input path, no contract files found)
  69  environment error (run `ksoc-audit doctor`)
  70  internal error"""
MASKING_HELP = ("ID, passport, phone and bank-account numbers are masked in every output, and the "
                "employee's name in the reports (JSON, HTML, PDF, CSV, XLSX, index.html); the "
                "addendum DOCX keeps the parties' real names, which they sign.")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ksoc-audit")
    except PackageNotFoundError:
        return "0+unknown"


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors; 2 means "documents failed" here, so use 64.
    Options are never abbreviated: `--title` must not silently mean `--title-en`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ksoc-audit", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="show Prefect run logs")
    parser.add_argument("--version", action="version", version=f"ksoc-audit {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_audit(sub)
    _add_match(sub)
    _subcommand(sub, "rules", "list the visa rules",
                "Print the visa rules table: rule id, severity, what it checks, source.",
                "ksoc-audit rules", codes="exit codes:\n  0   always")
    _subcommand(sub, "doctor", "check Tesseract, Korean data, fonts, Prefect home, data",
                "Check that everything an audit needs is installed: Tesseract with Korean "
                "data, the Nanum fonts, the Prefect home and the packaged reference data.",
                "ksoc-audit doctor",
                codes="exit codes:\n  0   everything found\n  69  something is missing")
    _add_operations(sub)
    _add_server(sub)
    return parser


def _subcommand(sub: Subparsers, name: str, help_text: str, description: str, example: str, *,
                codes: str = EXIT_CODES_HELP) -> argparse.ArgumentParser:
    """A subcommand whose --help shows a description, an example and its exit codes."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=description,
                          epilog=f"example:\n  {example}\n\n{codes}",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    return parser


def _add_audit(sub: Subparsers) -> None:
    p = _subcommand(
        sub, "audit", "audit contract files and folders (recursive)",
        "Audit employment contracts (PDF, scanned PDF, photos, DOCX, HWPX) before an E-7 "
        "filing: per contract a JSON result, HTML and PDF reports with a verdict (조치 필요 / "
        "Action needed, 검토 필요 / Review, 문제 없음 / No action) and, where it fixes the "
        "problem, an addendum DOCX; per batch summary.json, summary.csv, summary.xlsx and "
        "index.html. Notes and data in input folders (.md, .txt, .json, .csv) are skipped and "
        "counted. " + MASKING_HELP,
        "ksoc-audit audit contracts/ --out out   # then open out/index.html")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--client", help="relocation-firm client the documents belong to")
    p.add_argument("--per-client-folders", action="store_true",
                   help="treat each first-level subfolder of an input folder as a client")
    p.add_argument("--show-pii", action="store_true",
                   help="do not mask ID, passport, phone and account numbers, nor the "
                        "employee's name, in outputs")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="audit files that symbolic links inside an input folder point to outside it")
    from flows.people import add_people_arguments

    add_people_arguments(p)


def _add_match(sub: Subparsers) -> None:
    p = _subcommand(sub, "match", "match a title/duties to KSCO codes",
                    "Match a job title and/or duties to KSCO occupation codes and E-7 "
                    "sub-categories; prints the top 5 candidates with their evidence.",
                    'ksoc-audit match "백엔드 개발자" --duties "웹 서비스의 서버 API를 개발한다"',
                    codes="exit codes:\n  0   matched\n  64  usage error (no title, duties or "
                          "--jsonl)")
    p.add_argument("title", nargs="?", help="job title (Korean or English)")
    p.add_argument("--title", dest="title_option", metavar="TITLE",
                   help="job title, as an option (instead of the positional TITLE)")
    p.add_argument("--duties", help="duties text")
    p.add_argument("--title-en", help="English job title")
    p.add_argument("--jsonl", metavar="FILE", help="JSON lines input ('-' for stdin)")


def _add_operations(sub: Subparsers) -> None:
    from flows.operations_cli import add_operation_commands

    add_operation_commands(sub)


def _add_server(sub: Subparsers) -> None:
    p = _subcommand(
        sub, "server", "keep a Prefect server with its UI running in the background",
        "start: run one Prefect server with its UI in the background (127.0.0.1 only, its "
        "database, PID file and log under the ksoc-audit state folder); audit, watch and serve "
        "then use it instead of starting a temporary server each time (an explicit "
        "PREFECT_API_URL still wins). start also starts the audit worker: a process that keeps "
        "the pipeline, reference data, matching models and report renderers loaded, so that "
        "`audit` hands its work to it and takes seconds (see docs/OPERATIONS.md). status: the "
        "address, the worker and the flow runs of the last day. stop: stop both.",
        "ksoc-audit server start   # then open the address it prints",
        codes="exit codes:\n  0   done (status: the server runs)\n  3   status: no server "
              "runs\n  69  the server could not be started")
    p.add_argument("action", choices=("start", "stop", "status"))
    p.add_argument("--port", type=int,
                   help="port on 127.0.0.1 (default 4200, or the next free one)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="start: warm audit processes of the audit worker (default: CPU cores; "
                        "0.4-1 GB each); 0: no audit worker")


def main(argv: list[str] | None = None) -> int:
    """Run a command; as the program itself (no `argv` given), exit without the interpreter's
    teardown (see `_exit_now`). Called with `argv` (tests, scripts), return the exit code."""
    if argv is None:
        _exit_now(_main(sys.argv[1:]))
    return _main(list(argv))


def _exit_now(code: int) -> NoReturn:
    """Exit as the interpreter would, minus its teardown of every imported module: with
    Prefect loaded that teardown alone takes about half a second of CPU. Non-daemon threads
    are joined and atexit handlers run (the worker pool stops, logs are flushed) first."""
    import atexit
    import os
    import threading

    try:
        # what a normal exit does first: join non-daemon threads (private: not in typeshed)
        threading._shutdown()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a private hook; a normal exit is the fallback
        sys.exit(code)
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code if isinstance(code, int) else 1)


def _main(argv: list[str]) -> int:
    # Before the parser: building it imports the operations commands, which import Prefect, and
    # Prefect reads its settings (home, log level) once, at import.
    configure_environment(verbose=any(a in ("-v", "--verbose") for a in argv))
    args = build_parser().parse_args(argv)
    args.argv = list(argv)  # what the audit worker is handed (flows.worker.hand_over)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    handler = _COMMANDS.get(args.command)
    if handler is None:
        from flows.operations_cli import run_operation_command

        return run_operation_command(args)
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


def cmd_audit(args: argparse.Namespace) -> int:
    handed = _hand_to_worker(args)  # the audit worker runs this very command, checks included
    if handed is not None:
        return handed
    from flows.discover import missing_paths
    from flows.people import people_setup

    people, error = people_setup(args)  # --person narrows args.paths to the person's folder
    if error:
        print(f"ksoc-audit audit: {error}", file=sys.stderr)
        return EXIT_USAGE
    missing = missing_paths(args.paths)
    if missing:
        from reports.names import display_path

        print(f"ksoc-audit: no such file or folder: {', '.join(map(display_path, missing))}",
              file=sys.stderr)
        return EXIT_USAGE
    from extractors.errors import ConfigError
    from flows import progress
    from flows.runners import resolve_runner

    options = _run_options(args)
    try:  # a bad runner choice is a usage error, found before any flow run starts
        spec = resolve_runner(options.get("runner"), options.get("workers"),
                              options.get("dask_address"), options.get("docs_per_task"))
    except ConfigError as exc:
        print(f"ksoc-audit audit: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    items = _contract_files(args)
    if not items:
        print("ksoc-audit audit: no contract files found in "
              f"{', '.join(args.paths)} (notes and data such as .md, .txt, .json, .csv are "
              "skipped)", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out).resolve()
    _prestart_workers(items, out, args, options, spec)
    _use_running_server()
    from flows.audit import run_audit  # imports Prefect: after PREFECT_API_URL is settled

    with progress.progress_bar(enabled=not args.no_progress):
        summary = run_audit(
            paths=[str(Path(p)) for p in args.paths], out_dir=str(out), client=args.client,
            per_client_folders=args.per_client_folders, show_pii=args.show_pii,
            follow_symlinks=args.follow_symlinks, **options, **_excluded(args),
        )
    _print_audit_summary(summary, out, show_pii=args.show_pii)
    if people is not None:
        from flows.people import people_after_audit

        return people_after_audit(args, people, summary, out, audit_exit_code(summary),
                                  pdf=(options.get("reports") or "all") == "all")
    return audit_exit_code(summary)


def _excluded(args: argparse.Namespace) -> dict[str, Any]:
    """The manifest is no document to audit, even inside an input folder."""
    return {"exclude": [str(Path(args.manifest).resolve())]} if getattr(args, "manifest", None) else {}


def _hand_to_worker(args: argparse.Namespace) -> int | None:
    """The exit code of the audit done by the audit worker (`ksoc-audit server start`), or None
    when this command audits by itself (no worker, or it cannot serve this command)."""
    from flows.worker import hand_over

    return hand_over(args)


def _use_running_server() -> str:
    """Use the background server (`ksoc-audit server start`) when it runs; before Prefect is
    imported. Otherwise say, in one line, that starting one makes the next run faster."""
    from flows.server import use_running_server

    return use_running_server(announce=lambda line: print(line, file=sys.stderr))


def _contract_files(args: argparse.Namespace) -> list[Input]:
    """The files of the inputs to audit (skipped files do not count)."""
    from flows.discover import discover

    return discover(list(args.paths), client=args.client,
                    per_client_folders=args.per_client_folders,
                    exclude=[str(Path(args.out).resolve())] + _excluded(args).get("exclude", []),
                    follow_symlinks=getattr(args, "follow_symlinks", False))


def _prestart_workers(items: list[Input], out: Path, args: argparse.Namespace,
                      options: dict[str, Any], spec: RunnerSpec) -> int:
    """Start the worker pool now when documents need auditing (none for a cached batch), one
    worker per such document up to the cores: the workers load the pipeline and reference
    data while this process imports Prefect and opens the flow run. Returns the count."""
    from flows.documents import DocumentJob, ReportsMode, count_to_audit
    from flows.runners import RunnerKind, pool_started, prestart_pool

    if spec.kind is not RunnerKind.processes or pool_started():  # the audit worker's own pool
        return 0
    job = DocumentJob(out_dir=str(out), show_pii=args.show_pii,
                      reports=ReportsMode(options.get("reports") or "all"))
    todo = count_to_audit(items, job)
    if todo:
        prestart_pool(min(spec.workers, todo))
    return todo


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    """--runner, --workers, --dask-address, --batch-size, --reports (flows.operations_cli)."""
    if not hasattr(args, "runner"):
        return {}
    from flows.operations_cli import audit_options

    return audit_options(args)


def audit_exit_code(summary: BatchSummary) -> int:
    """0 clean, 1 actionable findings, 2 failures (failures win)."""
    if any(d.status == "failed" for d in summary.documents):
        return EXIT_FAILED
    actionable = any(d.worst_severity in ("high", "medium") for d in summary.documents)
    return EXIT_FINDINGS if actionable else EXIT_OK


def _print_audit_summary(summary: BatchSummary, out: Path, *, show_pii: bool = False) -> None:
    counts: dict[str, int] = {}
    for doc in summary.documents:
        counts[doc.status] = counts.get(doc.status, 0) + 1
    flagged = sum(1 for d in summary.documents if d.worst_severity in ("high", "medium"))
    parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    skipped = f" {len(summary.skipped)} file(s) skipped." if summary.skipped else ""
    print(f"Audited {len(summary.documents)} document(s): {parts}; {flagged} need attention."
          + skipped)
    from reports.names import display_path
    from reports.pii import mask_text

    def shown(text: str) -> str:
        return text if show_pii else mask_text(text)

    for doc in summary.documents:
        if doc.status == "failed":
            reason = doc.problems[0].message if doc.problems else "unknown"
            print(f"  FAILED {shown(doc.source)}: {shown(reason)}")
    for skip in summary.skipped:
        print(f"  SKIPPED {shown(skip.source)}: {skip.reason}")
    print(f"Summary: {display_path(out / 'summary.json')}")
    index = out / "index.html"
    if index.exists():
        print(f"Reports: {display_path(index)}")


def cmd_match(args: argparse.Namespace) -> int:
    from flows.cli_match import format_top5, run_match_jsonl
    from matchers.occupation.match import match_texts

    if args.jsonl == "-":
        run_match_jsonl(sys.stdin, sys.stdout)
        return EXIT_OK
    if args.jsonl:
        with open(args.jsonl, encoding="utf-8") as stream:
            run_match_jsonl(stream, sys.stdout)
        return EXIT_OK
    if args.title and args.title_option and args.title != args.title_option:
        print("ksoc-audit match: give the title once (TITLE or --title)", file=sys.stderr)
        return EXIT_USAGE
    args.title = args.title or args.title_option
    if not (args.title or args.duties or args.title_en):
        print("ksoc-audit match: give a TITLE, --duties or --jsonl FILE", file=sys.stderr)
        return EXIT_USAGE
    print(format_top5(match_texts(title=args.title, title_en=args.title_en, duties=args.duties)))
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from matchers.rules import format_rules_table

    print(format_rules_table())
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from flows.doctor import run_doctor

    return EXIT_OK if run_doctor() else EXIT_ENVIRONMENT


def cmd_server(args: argparse.Namespace) -> int:
    from flows import server

    if args.action == "start":
        try:
            info, started = server.start_server(args.port)
        except server.ServerError as exc:
            print(f"ksoc-audit server: {exc}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        state = "started" if started else "already running"
        print(f"ksoc-audit server: {state} (pid {info.pid}); UI {info.url}, log {info.log}")
        print("audit, watch and serve use it from now on; `ksoc-audit server stop` stops it")
        return _start_worker(info, args.workers)
    if args.action == "stop":
        from flows.worker import stop_worker

        worker_pid = stop_worker()
        if worker_pid:
            print(f"ksoc-audit server: audit worker stopped (pid {worker_pid})")
        pid = server.stop_server()
        print(f"ksoc-audit server: stopped (pid {pid})" if pid else
              "ksoc-audit server: not running")
        return EXIT_OK
    running, lines = server.status_lines()
    if running:
        from flows.worker import status_lines

        at = next((i for i, line in enumerate(lines) if line.startswith("flow runs")), len(lines))
        lines[at:at] = status_lines()
    print("\n".join(lines))
    return EXIT_OK if running else EXIT_NOT_RUNNING


def _start_worker(info: ServerInfo, workers: int | None) -> int:
    """`server start`: the audit worker beside the server (flows.worker), ready when it returns."""
    from flows import worker

    if workers is not None and workers < 1:
        pid = worker.stop_worker()
        print("ksoc-audit server: no audit worker" + (f" (stopped pid {pid})" if pid else ""))
        return EXIT_OK
    print("ksoc-audit server: starting the audit worker (loads the pipeline once) ...",
          flush=True)
    try:
        started, what = worker.start_worker(info, workers=workers)
    except worker.WorkerError as exc:
        print(f"ksoc-audit server: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    print(f"ksoc-audit server: audit worker {what} (pid {started.pid}, {started.workers} warm "
          f"audit process(es)); `audit` hands its work to it, log {started.log}")
    return EXIT_OK


EXIT_NOT_RUNNING = 3  # `server status` when no server runs (as `systemctl status`)

_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "audit": cmd_audit, "match": cmd_match, "rules": cmd_rules, "doctor": cmd_doctor,
    "server": cmd_server}


if __name__ == "__main__":
    sys.exit(main())
