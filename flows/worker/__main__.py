"""`python -m flows.worker serve`: the worker process, started by `start_worker` (the command
line `is_audit_worker` recognises)."""

from __future__ import annotations

import sys
from pathlib import Path

from flows.worker.lifecycle import default_workers
from flows.worker.service import serve


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m flows.worker",
                                     description="the ksoc-audit audit worker (started by "
                                                 "`ksoc-audit server start`)")
    parser.add_argument("action", choices=("serve",))
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--folder", type=Path, default=None,
                        help="state folder of the server (default: the current folder)")
    args = parser.parse_args(argv)
    return serve((args.folder or Path.cwd()).resolve(), max(1, args.workers))


if __name__ == "__main__":
    sys.exit(main())
