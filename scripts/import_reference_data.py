"""Import /work/shared/data-style reference CSVs into the committed package data (matchers/knowledge/data):
the knowledge artifacts, the trained spaCy pipeline (matchers/knowledge/data/pipeline) and the
title and duty indexes precomputed from the knowledge (indexes.npz). `--indexes-only` rewrites
just the indexes from the knowledge already there (after editing the curated synonyms_ko.csv)."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from matchers.buildtime.reference import read_reference, write_artifacts, write_indexes
from matchers.buildtime.train import build
from matchers.occupation.nlp import PIPELINE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", nargs="?", default=str(REPO / ".." / "shared" / "data"),
                        help="folder holding ksco7.csv, ksco8.csv, ksco_job_*.csv, e7_occupations.csv")
    parser.add_argument("--out", default=str(REPO / "matchers" / "knowledge" / "data"), help="output folder")
    parser.add_argument("--indexes-only", action="store_true",
                        help="only precompute the indexes of the knowledge in --out (no retraining)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.indexes_only:
        print(f"precomputed indexes written (sha256 {write_indexes(Path(args.out))[:16]})")
        return 0
    ref = read_reference(Path(args.data_dir))
    artifacts, nlp = build(ref)
    manifest = write_artifacts(artifacts, Path(args.out), source="shared/data")
    folder = Path(args.out) / PIPELINE
    shutil.rmtree(folder, ignore_errors=True)
    nlp.to_disk(folder)
    for stale in ("title_model.json.gz", "duty_model.json.gz"):  # replaced by the pipeline
        (Path(args.out) / stale).unlink(missing_ok=True)
    indexes = write_indexes(Path(args.out))
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    print(f"reference data version {manifest['version']}: {manifest['counts']}; spaCy pipeline "
          f"{nlp.pipe_names} in {folder} ({size / 1e6:.1f} MB); precomputed indexes (sha256 "
          f"{indexes[:16]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
