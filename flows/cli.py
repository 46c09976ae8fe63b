"""`ksoc-audit` command line.

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
import logging
import sys
from pathlib import Path

from flows.settings import configure_environment

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2
EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_INTERNAL = 64, 69, 70


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors; 2 means "documents failed" here, so use 64.
    Options are never abbreviated: `--title` must not silently mean `--title-en`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ksoc-audit", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="show Prefect run logs")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_audit(sub)
    _add_match(sub)
    sub.add_parser("rules", help="list the visa rules")
    sub.add_parser("doctor", help="check Tesseract, Korean data, fonts, Prefect home, data")
    _add_operations(sub)
    return parser


def _add_audit(sub) -> None:
    p = sub.add_parser("audit", help="audit contract files and folders (recursive)")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--client", help="relocation-firm client the documents belong to")
    p.add_argument("--per-client-folders", action="store_true",
                   help="treat each first-level subfolder of an input folder as a client")
    p.add_argument("--show-pii", action="store_true",
                   help="do not mask ID, passport, phone and account numbers in outputs")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="audit files that symbolic links inside an input folder point to outside it")


def _add_match(sub) -> None:
    p = sub.add_parser("match", help="match a title/duties to KSCO codes")
    p.add_argument("title", nargs="?", help="job title (Korean or English)")
    p.add_argument("--title", dest="title_option", metavar="TITLE",
                   help="job title, as an option (instead of the positional TITLE)")
    p.add_argument("--duties", help="duties text")
    p.add_argument("--title-en", help="English job title")
    p.add_argument("--jsonl", metavar="FILE", help="JSON lines input ('-' for stdin)")


def _add_operations(sub) -> None:
    try:
        from flows.operations_cli import add_operation_commands
    except ImportError:
        return
    add_operation_commands(sub)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # Before the parser: building it imports the operations commands, which import Prefect, and
    # Prefect reads its settings (home, log level) once, at import.
    configure_environment(verbose=any(a in ("-v", "--verbose") for a in argv))
    args = build_parser().parse_args(argv)
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


def cmd_audit(args) -> int:
    from flows.discover import missing_paths

    missing = missing_paths(args.paths)
    if missing:
        from reports.names import display_path

        print(f"ksoc-audit: no such file or folder: {', '.join(map(display_path, missing))}",
              file=sys.stderr)
        return EXIT_USAGE
    from extractors.errors import ConfigError
    from flows import progress
    from flows.audit import run_audit
    from flows.runners import resolve_runner

    options = _run_options(args)
    try:  # a bad runner choice is a usage error, found before any flow run starts
        resolve_runner(options.get("runner"), options.get("workers"), options.get("dask_address"),
                       options.get("docs_per_task"))
    except ConfigError as exc:
        print(f"ksoc-audit audit: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out).resolve()
    with progress.progress_bar(enabled=not args.no_progress):
        summary = run_audit(
            paths=[str(Path(p)) for p in args.paths], out_dir=str(out), client=args.client,
            per_client_folders=args.per_client_folders, show_pii=args.show_pii,
            follow_symlinks=args.follow_symlinks, **options,
        )
    _print_audit_summary(summary, out, show_pii=args.show_pii)
    return audit_exit_code(summary)


def _run_options(args) -> dict:
    """--runner, --workers, --dask-address, --batch-size, --reports (flows.operations_cli)."""
    if not hasattr(args, "runner"):
        return {}
    from flows.operations_cli import audit_options

    return audit_options(args)


def audit_exit_code(summary) -> int:
    """0 clean, 1 actionable findings, 2 failures (failures win)."""
    if any(d.status == "failed" for d in summary.documents):
        return EXIT_FAILED
    actionable = any(d.worst_severity in ("high", "medium") for d in summary.documents)
    return EXIT_FINDINGS if actionable else EXIT_OK


def _print_audit_summary(summary, out: Path, *, show_pii: bool = False) -> None:
    counts: dict[str, int] = {}
    for doc in summary.documents:
        counts[doc.status] = counts.get(doc.status, 0) + 1
    flagged = sum(1 for d in summary.documents if d.worst_severity in ("high", "medium"))
    parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"Audited {len(summary.documents)} document(s): {parts}; {flagged} need attention.")
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


def cmd_match(args) -> int:
    from matchers.cli_match import format_top5, run_match_jsonl
    from matchers.match import match_texts

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


def cmd_rules(args) -> int:
    from matchers.rules import format_rules_table

    print(format_rules_table())
    return EXIT_OK


def cmd_doctor(args) -> int:
    from flows.doctor import run_doctor

    return EXIT_OK if run_doctor() else EXIT_ENVIRONMENT


_COMMANDS = {"audit": cmd_audit, "match": cmd_match, "rules": cmd_rules, "doctor": cmd_doctor}


if __name__ == "__main__":
    sys.exit(main())
