"""Build the meaning component's unit vectors: one multilingual-e5-small vector per KSCO7 unit.

Each unit's vector is the mean of its embedded texts: up to MAX_TITLES dictionary job titles
(KSCO7 rows of ksco_job_titles.csv, sorted, plus the KSCO unit name) as passages, and up to
MAX_DUTIES dictionary entries ("title: duty summary" from ksco_job_duties.csv, file order). Only
vectors are shipped (float16), never the sentences: they are set into the shipped spaCy pipeline's
`ksco_meaning` component (matchers/knowledge/data/pipeline/ksco_meaning/units.npz), which
`make data` keeps when it retrains the pipeline.

Embedding every entry takes ~10 minutes on one core; the per-entry vectors are cached under
bench/out/semantic/ (keyed by the data files' hash) so benchmarks can rebuild unit vectors without
held-out entries (`unit_vectors(..., exclude=...)`).

    .venv/bin/python scripts/build_semantic.py [DATA_DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from matchers.occupation.semantic import load_encoder

MAX_TITLES = 15
MAX_DUTIES = 12
BATCH = 64
CACHE = REPO / "bench" / "out" / "semantic"
SOURCES = ("ksco7.csv", "ksco_job_titles.csv", "ksco_job_duties.csv")


def entries(data: Path) -> list[tuple[str, str, str, str]]:
    """(code, kind, key, text): kind 'title' or 'duty'; key = djob_cd (duties) or the title."""
    names = {r["code"]: r["name_ko"] for r in _rows(data / "ksco7.csv") if len(r["code"]) == 4}
    titles: dict[str, set[str]] = {}
    for r in _rows(data / "ksco_job_titles.csv"):
        if r["ksco_revision"] == "KSCO7":
            titles.setdefault(r["code"], set()).add(r["title_ko"])
    duties: dict[str, list[dict]] = {}
    for r in _rows(data / "ksco_job_duties.csv"):
        duties.setdefault(r["code"], []).append(r)
        titles.setdefault(r["code"], set()).add(r["title_ko"])
    out = []
    for code in sorted(set(names) | set(duties)):
        for t in sorted(titles.get(code, ()))[:MAX_TITLES] + ([names[code]] if code in names else []):
            out.append((code, "title", t, t))
        for r in duties.get(code, [])[:MAX_DUTIES]:
            out.append((code, "duty", r["djob_cd"], f"{r['title_ko']}: {r['work_sum']}"))
    return out


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def data_key(data: Path) -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((data / name).read_bytes())
    digest.update(f"{MAX_TITLES}/{MAX_DUTIES}".encode())
    return digest.hexdigest()[:16]


def units_key(data: Path) -> str:
    """Version of the unit vectors: the dictionary data and the phrase table."""
    from matchers.buildtime.phrases import phrases_key

    return f"{data_key(data)}+{phrases_key()}"


def entry_vectors(data: Path, *, progress=print) -> tuple[list[tuple[str, str, str, str]], np.ndarray]:
    """Every entry and its passage vector (computed once per data version, then cached)."""
    items = entries(data)
    return items, _embedded(items, CACHE / f"entries-{data_key(data)}.npy", progress)


def _embedded(items: list[tuple[str, str, str, str]], cache: Path, progress) -> np.ndarray:
    """Passage vectors of the items' texts, from `cache` when it is there (written once)."""
    if cache.exists():
        return np.load(cache)
    encoder, texts, out = load_encoder(), [e[3] for e in items], []
    started = time.monotonic()
    for i in range(0, len(texts), BATCH):
        out.append(np.asarray(encoder.passage(texts[i:i + BATCH]), dtype=np.float32))
        done = min(i + BATCH, len(texts))
        rate = done / max(time.monotonic() - started, 1e-6)
        progress(f"semantic: embedded {done}/{len(texts)} texts, ~{(len(texts) - done) / rate:.0f} s left")
    vectors = np.vstack(out)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def phrase_vectors(*, progress=print) -> tuple[list[tuple[str, str, str, str]], np.ndarray]:
    """HR's duty phrases (matchers/buildtime/data/hr_duty_phrases.csv) as (code, 'phrase', key,
    text) items and their passage vectors, cached under the table's digest. Each unit's phrases are
    a third kind beside its titles and dictionary entries in `unit_vectors`."""
    from matchers.buildtime.phrases import keyed_phrases, phrases_key

    items = [(code, "phrase", key, text) for key, code, text in keyed_phrases()]
    return items, _embedded(items, CACHE / f"phrases-{phrases_key()}.npy", progress)


def all_vectors(data: Path, *, progress=print) -> tuple[list[tuple[str, str, str, str]], np.ndarray]:
    """Dictionary entries and HR phrases with their vectors (`entry_vectors`, `phrase_vectors`)."""
    items, vectors = entry_vectors(data, progress=progress)
    extra, more = phrase_vectors(progress=progress)
    return items + extra, np.vstack([vectors, more])


def unit_vectors(items, vectors: np.ndarray, *, exclude: set[str] = frozenset()) -> tuple[list[str], np.ndarray]:
    """Per code: the mean of its normalised title and duty vectors, each kind weighted equally;
    `exclude` = djob_cd of duty entries (and titles) to leave out."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms == 0, 1.0, norms)
    by_code: dict[str, dict[str, list[int]]] = {}
    for i, (code, kind, key, _) in enumerate(items):
        if key in exclude:
            continue
        by_code.setdefault(code, {}).setdefault(kind, []).append(i)
    codes = sorted(by_code)
    rows = []
    for code in codes:
        parts = [unit[idx].mean(axis=0) for idx in by_code[code].values()]
        rows.append(np.mean(parts, axis=0))
    return codes, np.vstack(rows)


def install(units: tuple[list[str], np.ndarray, str], folder: Path) -> None:
    """Set `units` into the pipeline saved in `folder` (its trained components unchanged)."""
    import shutil
    import tempfile

    import spacy

    import matchers.occupation.textcat  # noqa: F401 - registers the ksco_textcat factory
    from matchers.buildtime.train import add_meaning

    nlp = spacy.load(folder)
    add_meaning(nlp, units)
    with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
        nlp.to_disk(Path(tmp) / "pipeline")
        shutil.rmtree(folder)
        shutil.move(str(Path(tmp) / "pipeline"), folder)


def main(argv: list[str] | None = None) -> int:
    from matchers.occupation.nlp import pipeline_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(REPO / ".." / "shared" / "data"))
    parser.add_argument("--pipeline", default=str(pipeline_dir()), help="pipeline folder to update")
    args = parser.parse_args(argv)
    data = Path(args.data_dir)
    items, vectors = all_vectors(data)
    codes, units = unit_vectors(items, vectors)
    install((codes, units, units_key(data)), Path(args.pipeline))
    print(f"semantic: {len(codes)} unit vectors from {len(items)} texts -> {args.pipeline}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
