"""Build the packaged knowledge (KSCO tables, crosswalk, titles, term statistics, E-7 list).

Callable on an in-memory subset of the dictionary so benchmarks can hold entries out. The
packaged knowledge's title and duty indexes are precomputed beside it (`write_indexes`).
Duty sentences are never stored: only per-code feature counts derived from them. The trained
spaCy pipeline is built beside these by `matchers.buildtime.train.build` (its term features count
the duty statistics here).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from matchers.buildtime.e7 import resolve_e7_row, split_list
from matchers.knowledge.index import precompute
from matchers.knowledge.load import INDEXES, Knowledge, index_sources, read_package
from matchers.knowledge.text import duty_features, title_entries, title_key

Features = Callable[[dict[str, Any]], Mapping[str, int]]  # a duty entry's feature counts

log = logging.getLogger(__name__)

FILES = {"k7": "ksco7.csv", "k8": "ksco8.csv", "titles": "ksco_job_titles.csv",
         "duties": "ksco_job_duties.csv", "e7": "e7_occupations.csv"}
MIN_SAME_NAME = 80  # rapidfuzz ratio above which two unit names are "the same job"
MIN_BY_TITLE = 85  # ratio needed to link units with different numbers
# KSCO7 units whose KSCO8 counterpart was renamed or split, linked by hand (reviewed names)
CURATED = {"1110": "1112", "2316": "2316", "2363": "2365", "2420": "2431", "2473": "2532",
           "2476": "2520", "2541": "2642", "2545": "2648", "3121": "3112", "3126": "3221",
           "3142": "3723", "3910": "3320", "3999": "3729", "4211": "4231", "4212": "4212",
           "4415": "4521", "6132": "6139", "6209": "6209", "7991": "7991", "9223": "9223",
           "9411": "9411", "9412": "9414"}


def read_reference(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """The five reference CSV files as lists of row dicts."""
    out = {}
    for key, name in FILES.items():
        with open(Path(data_dir) / name, encoding="utf-8", newline="") as fh:
            out[key] = list(csv.DictReader(fh))
    return out


def _table(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    cols = ("level", "name_ko", "name_en", "parent_code")
    return {r["code"]: {c: r[c] for c in cols} for r in rows}


def _name_key(name: str) -> str:
    return title_key(name).replace("및", "")


def _best_by_title(name: str, units8: dict[str, str]) -> tuple[str | None, float]:
    key = _name_key(name)
    best = max(units8, key=lambda c: fuzz.ratio(key, units8[c]), default=None)
    return best, (fuzz.ratio(key, units8[best]) if best else 0.0)


def _e7_pairs(e7_rows: list[dict[str, Any]], k7: dict[str, Any], k8: dict[str, Any]) -> dict[str, str]:
    pairs = {}
    for r in e7_rows:
        c7, c8 = r["ksco7_equiv"], r["ksco8_equiv"]
        if k7.get(c7, {}).get("level") == "unit" and k8.get(c8, {}).get("level") == "unit":
            pairs[c7] = c8
    return pairs


def build_crosswalk(k7: dict[str, Any], k8: dict[str, Any], e7_rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """KSCO7 unit -> {ksco8, method, score, collision}."""
    units8 = {c: _name_key(r["name_ko"]) for c, r in k8.items() if r["level"] == "unit"}
    pairs = _e7_pairs(e7_rows, k7, k8)
    out = {}
    for code, row in k7.items():
        if row["level"] == "unit":
            out[code] = _link_unit(code, row["name_ko"], units8, k8, pairs)
    return out


def _link_unit(code: str, name: str, units8: dict[str, Any], k8: dict[str, Any], pairs: dict[str, Any]) -> dict[str, Any]:
    same = fuzz.ratio(_name_key(name), units8[code]) if code in units8 else 0.0
    collision = None
    if code in units8 and same < MIN_SAME_NAME:
        collision = f"KSCO8 {code} is {k8[code]['name_ko']}, not {name}"
    if code in pairs:
        return {"ksco8": pairs[code], "method": "e7_list", "score": 100.0, "collision": collision}
    if code in CURATED:
        return {"ksco8": CURATED[code], "method": "curated", "score": same, "collision": collision}
    if same >= MIN_SAME_NAME:
        return {"ksco8": code, "method": "same_code", "score": same, "collision": None}
    best, score = _best_by_title(name, units8)
    if best and score >= MIN_BY_TITLE:
        return {"ksco8": best, "method": "by_title", "score": score, "collision": collision}
    return {"ksco8": None, "method": "unresolved", "score": score, "collision": collision}


def build_titles(title_rows: list[dict[str, Any]], duty_rows: list[dict[str, Any]], *,
                 exclude: AbstractSet[str] = frozenset(), e7: Sequence[dict[str, Any]] = ()
                 ) -> list[list[str]]:
    """[code, title, kind] rows, one per (code, title key, kind); `exclude` holds title keys."""
    seen, out = set(), []

    def add(code: str, title: str, kind: str) -> None:
        key = title_key(title)
        if key and key not in exclude and (code, key, kind) not in seen:
            seen.add((code, key, kind))
            out.append([code, title.strip(), kind])

    for r in title_rows:
        add(r["code"], r["title_ko"], r["title_type"].split("(")[0])
    for r in duty_rows:
        for alias in split_list(r["aliases"]):
            add(r["code"], alias, "alias")
    for occ in e7:
        if len(occ["ksco7_codes"]) == 1:
            for example in occ["included_examples"]:
                add(occ["ksco7_codes"][0], example, "e7_example")
    return out


def build_terms(duty_rows: list[dict[str, Any]], features: Features | None = None
                ) -> dict[str, dict[str, Any]]:
    """Per code: number of entries and summed duty feature counts (no text kept)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    entries: Counter[str] = Counter()
    for r in duty_rows:
        feats = features(r) if features else duty_features(f"{r['work_sum']} {r['do_work']}")
        counts[r["code"]].update(feats)
        entries[r["code"]] += 1
    return {code: {"entries": entries[code], "counts": dict(c)} for code, c in counts.items()}


def build_artifacts(ref: dict[str, list[dict[str, Any]]], *, holdout: AbstractSet[str] = frozenset(),
                    with_e7_examples: bool = True, features: Features | None = None
                    ) -> dict[str, object]:
    """All package data in memory; `holdout` = djob_cd of dictionary entries to leave out;
    `features(row)`: a duty entry's features (default: `duty_features` of its text)."""
    k7, k8 = _table(ref["k7"]), _table(ref["k8"])
    crosswalk = build_crosswalk(k7, k8, ref["e7"])
    links = {c: v["ksco8"] for c, v in crosswalk.items()}
    e7 = [resolve_e7_row(r, k7, k8, links) for r in ref["e7"]]
    duties = [r for r in ref["duties"] if r["djob_cd"] not in holdout]
    excluded = _holdout_keys(ref["duties"], holdout)
    titles = build_titles([r for r in ref["titles"] if r["djob_cd"] not in holdout], duties,
                          exclude=excluded, e7=e7 if with_e7_examples else ())
    return {"ksco7.json": k7, "ksco8.json": k8, "crosswalk.json": crosswalk,
            "titles.json.gz": titles, "terms.json.gz": build_terms(duties, features),
            "e7.json": e7}


def _holdout_keys(duty_rows: list[dict[str, Any]], holdout: AbstractSet[str]) -> set[str]:
    keys = set()
    for r in duty_rows:
        if r["djob_cd"] in holdout:
            keys.add(title_key(r["title_ko"]))
            keys.update(title_key(a) for a in split_list(r["aliases"]))
    return keys


def _dump(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_hash(artifacts: dict[str, object]) -> str:
    """Reference-data version: sha256 over the canonical JSON of every artifact."""
    digest = hashlib.sha256()
    for name in sorted(artifacts):
        digest.update(name.encode() + b"\0" + _dump(artifacts[name]))
    return digest.hexdigest()[:16]


def write_artifacts(artifacts: dict[str, object], out_dir: Path, *, source: str = "") -> dict[str, Any]:
    """Write every artifact plus manifest.json; returns the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, obj in artifacts.items():
        data = _dump(obj)
        if name.endswith(".gz"):
            data = gzip.compress(data, compresslevel=9, mtime=0)
        (out_dir / name).write_bytes(data)
    manifest = {"version": content_hash(artifacts), "source": source,
                "files": sorted(artifacts), "counts": _counts(artifacts)}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def _counts(artifacts: dict[str, Any]) -> dict[str, int]:
    e7 = artifacts["e7.json"]
    return {"ksco7": len(artifacts["ksco7.json"]), "ksco8": len(artifacts["ksco8.json"]),
            "titles": len(artifacts["titles.json.gz"]), "term_codes": len(artifacts["terms.json.gz"]),
            "e7": len(e7), "e7_unresolved": sum(1 for o in e7 if not o["ksco7_codes"])}


def write_indexes(out_dir: Path) -> str:
    """Precompute the title and duty indexes of the knowledge in `out_dir` as the matcher builds
    them (titles with the curated synonyms) into its indexes.npz, which
    `matchers.knowledge.index` reads when its inputs are these; byte-identical on rerun. Returns
    the file's sha256."""
    kb = Knowledge(*read_package(out_dir))
    entries = title_entries([(t.code, t.title, t.kind) for t in kb.titles], kb.ksco7)
    data = npz_bytes(precompute(entries, kb.terms, index_sources(kb.version)))
    (out_dir / INDEXES).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz (read by `numpy.load`) with fixed member dates and order, so the same arrays give
    the same bytes (numpy.savez stamps the time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]),
                                      allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.getvalue())
    return out.getvalue()
