"""Import /work/shared/data-style reference CSVs into the committed package data (matchers/data)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from matchers.knowledge_build import build_artifacts, read_reference, write_artifacts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", default=str(REPO / ".." / "shared" / "data"),
                        help="folder holding ksco7.csv, ksco8.csv, ksco_job_*.csv, e7_occupations.csv")
    parser.add_argument("--out", default=str(REPO / "matchers" / "data"), help="output folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ref = read_reference(Path(args.data_dir))
    manifest = write_artifacts(build_artifacts(ref), Path(args.out), source="shared/data")
    print(f"reference data version {manifest['version']}: {manifest['counts']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
