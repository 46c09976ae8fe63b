"""Launcher of the subprocess tests (test_crash, test_hostile_runs): puts a test function in
place of flows.documents.audit_file, then runs a small-batch audit as the CLI would.

    python tests/run_batch.py INPUTS OUT module:function
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    inputs, out, audit = argv
    from tests.ops_helpers import install_audit

    install_audit(audit)
    from flows.audit import audit_contracts

    audit_contracts(paths=[inputs], out_dir=out, runner="threads", workers=2, reports="html",
                    batch_size=3)


if __name__ == "__main__":
    main(sys.argv[1:])
