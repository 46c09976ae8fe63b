"""The packaged reference knowledge: KSCO7/KSCO8 tables, crosswalk, titles, term stats, E-7 list."""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import orjson

from extractors.errors import ReferenceDataError
from matchers.knowledge.records import E7Occupation, TitleEntry, Unit

_T = TypeVar("_T")
_K = TypeVar("_K")

log = logging.getLogger(__name__)

# The package data files (written by matchers.buildtime.reference at `make data`).
ARTIFACTS = ("ksco7.json", "ksco8.json", "crosswalk.json", "titles.json.gz",
             "terms.json.gz", "e7.json")
# The title and duty indexes of the packaged knowledge (matchers.knowledge.index), precomputed
# from these artifacts and the curated Korean synonyms, which its "sources" name.
INDEXES = "indexes.npz"
INDEX_SYNONYMS = "synonyms_ko.csv"

__all__ = ["E7Occupation", "Knowledge", "TitleEntry", "Unit", "load_knowledge", "read_package"]


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        dup = sorted({k for k in keys if keys.count(k) > 1})[:5]
        raise ReferenceDataError(f"duplicate codes in package data: {dup}")
    return dict(pairs)


# The per-code duty term counts (7.7 MB of JSON) are parsed by orjson, which keeps the last of
# duplicate keys; their code objects are counted in the raw text instead (checking every nested
# object with a Python hook took a third of the matcher's load time).
COUNTED = ("terms.json.gz",)
_CODE_OBJECT = re.compile(rb'"\d{4,5}":\{')


def _parse(name: str, data: bytes) -> Any:
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    if name not in COUNTED:
        return json.loads(data, object_pairs_hook=_no_duplicates)
    table = orjson.loads(data)
    if not isinstance(table, dict) or len(_CODE_OBJECT.findall(data)) != len(table):
        raise ReferenceDataError(f"duplicate codes in package data: {name}")
    return table


def read_package(data_dir: Path | None = None) -> tuple[dict[str, Any], str]:
    """Artifacts and version from a data folder (default: the installed matchers/knowledge/data)."""
    root = Path(data_dir) if data_dir else package_root()
    try:
        manifest = json.loads((root / "manifest.json").read_bytes())
        artifacts = {name: _parse(name, (root / name).read_bytes()) for name in ARTIFACTS}
    except (OSError, ValueError, KeyError) as e:
        raise ReferenceDataError(f"package data unreadable in {root}: {e}") from e
    return artifacts, manifest.get("version", "")


def package_root() -> Traversable:
    return resources.files("matchers.knowledge") / "data"


def index_sources(version: str | None = None) -> dict[str, str]:
    """What the precomputed indexes are built from: the knowledge's version (default: the
    packaged manifest's) and a digest of the curated Korean synonyms."""
    root = package_root()
    try:
        if version is None:
            version = json.loads((root / "manifest.json").read_bytes()).get("version", "")
        synonyms = hashlib.sha256((root / INDEX_SYNONYMS).read_bytes()).hexdigest()[:16]
    except (OSError, ValueError) as e:
        raise ReferenceDataError(f"package data unreadable in {root}: {e}") from e
    return {"version": str(version), INDEX_SYNONYMS: synonyms}


def read_indexes() -> tuple[dict[str, Any], np.lib.npyio.NpzFile]:
    """The packaged precomputed indexes: their metadata (sources, a digest of each index's
    inputs) and their arrays, read on access. Raises ReferenceDataError when the file is missing
    or was built from other package data than the installed one (never used stale)."""
    path = package_root() / INDEXES
    try:
        arrays = np.load(io.BytesIO(path.read_bytes()))
        meta: dict[str, Any] = json.loads(arrays["meta"].tobytes())
    except (OSError, ValueError, KeyError) as e:
        raise ReferenceDataError(f"precomputed indexes {path} unreadable ({e}): run `make data`") from e
    built_from = meta.get("sources", {})
    stale = [k for k, v in index_sources().items() if built_from.get(k) != v]
    if stale:
        raise ReferenceDataError(f"precomputed indexes {path} were built from other package data "
                                 f"({', '.join(stale)} differ): run `make data`")
    return meta, arrays


class Knowledge:
    """Validated, indexed reference data; build with `load_knowledge()` or `from_artifacts`."""

    def __init__(self, artifacts: dict[str, Any], version: str) -> None:
        self.version = version
        self.ksco7: dict[str, dict[str, Any]] = artifacts["ksco7.json"]
        self.ksco8: dict[str, dict[str, Any]] = artifacts["ksco8.json"]
        self.crosswalk: dict[str, dict[str, Any]] = artifacts["crosswalk.json"]
        self.terms: dict[str, dict[str, Any]] = artifacts["terms.json.gz"]
        self.titles = [TitleEntry(code=c, title=t, kind=k) for c, t, k in artifacts["titles.json.gz"]]
        self.e7_occupations = [E7Occupation(**o) for o in artifacts["e7.json"]]
        validate(self)
        self._units = {c: self._make_unit(c) for c, r in self.ksco7.items() if r["level"] == "unit"}
        self._titles_by_code = _group(self.titles, lambda t: t.code)
        self._e7_by_code = _group_many(self.e7_occupations, lambda o: o.ksco7_codes)
        details = [(c, r) for c, r in self.ksco7.items() if r["level"] == "detailed"]
        self._details = _group(details, lambda cr: cr[1]["parent_code"])

    @classmethod
    def from_artifacts(cls, artifacts: dict[str, object], version: str = "in-memory") -> Knowledge:
        return cls(artifacts, version)

    def _make_unit(self, code: str) -> Unit:
        row, link = self.ksco7[code], self.crosswalk.get(code, {})
        code8 = link.get("ksco8")
        row8 = self.ksco8.get(code8 or "", {})
        return Unit(code=code, name_ko=row["name_ko"], name_en=row["name_en"] or row8.get("name_en")
                    or None, ksco8_code=code8, ksco8_name_ko=row8.get("name_ko"),
                    crosswalk=link.get("method", "unresolved"), collision=link.get("collision"))

    @property
    def units(self) -> list[Unit]:
        return list(self._units.values())

    def unit(self, code: str) -> Unit | None:
        """KSCO7 unit for a 4-digit code (a 5-digit detail code gives its unit)."""
        return self._units.get(code[:4] if len(code) == 5 else code)

    def name(self, code: str, *, revision: str = "KSCO7") -> str | None:
        table = self.ksco7 if revision == "KSCO7" else self.ksco8
        return table.get(code, {}).get("name_ko")

    def details(self, code: str) -> list[tuple[str, str]]:
        """KSCO7 5-digit detail codes and names under a unit."""
        return [(c, r["name_ko"]) for c, r in self._details.get(code, ())]

    def ksco7_for_ksco8(self, code8: str) -> list[str]:
        """KSCO7 units linked to a KSCO8 unit by the crosswalk."""
        return sorted(c for c, v in self.crosswalk.items() if v.get("ksco8") == code8)

    def e7_for_code(self, code: str) -> list[E7Occupation]:
        """E-7 occupations whose resolved KSCO7 units include this 4-digit code."""
        return list(self._e7_by_code.get(code[:4] if len(code) == 5 else code, ()))

    def titles_for(self, code: str) -> list[TitleEntry]:
        return list(self._titles_by_code.get(code, ()))


def _group(items: Iterable[_T], key: Callable[[_T], _K]) -> dict[_K, list[_T]]:
    out: defaultdict[_K, list[_T]] = defaultdict(list)
    for item in items:
        out[key(item)].append(item)
    return dict(out)


def _group_many(items: Iterable[_T], keys: Callable[[_T], Iterable[_K]]) -> dict[_K, list[_T]]:
    out: defaultdict[_K, list[_T]] = defaultdict(list)
    for item in items:
        for k in keys(item):
            out[k].append(item)
    return dict(out)


def validate(kb: Knowledge) -> None:
    """Raise ReferenceDataError unless the tables, links and E-7 list are consistent."""
    for name, table in (("KSCO7", kb.ksco7), ("KSCO8", kb.ksco8)):
        orphans = [c for c, r in table.items() if r["parent_code"] and r["parent_code"] not in table]
        if orphans:
            raise ReferenceDataError(f"{name} codes with a missing parent: {orphans[:5]}")
    bad_links = [c for c, v in kb.crosswalk.items()
                 if c not in kb.ksco7 or (v.get("ksco8") and v["ksco8"] not in kb.ksco8)]
    if bad_links:
        raise ReferenceDataError(f"crosswalk links to unknown codes: {bad_links[:5]}")
    bad_titles = sorted({t.code for t in kb.titles if t.code not in kb.ksco7})
    if bad_titles:
        raise ReferenceDataError(f"titles under unknown KSCO7 codes: {bad_titles[:5]}")
    for occ in kb.e7_occupations:
        _validate_e7(kb, occ)


def _validate_e7(kb: Knowledge, occ: E7Occupation) -> None:
    if not occ.ksco7_codes:
        if not occ.resolution.startswith("unresolved"):
            raise ReferenceDataError(f"E-7 {occ.seq} has no KSCO7 code and no unresolved reason")
        return
    unknown = [c for c in occ.ksco7_codes if kb.ksco7.get(c, {}).get("level") != "unit"]
    unknown += [c for c in occ.ksco8_codes if kb.ksco8.get(c, {}).get("level") != "unit"]
    if unknown or not occ.ksco8_codes:
        raise ReferenceDataError(f"E-7 {occ.seq} resolves to unknown or no units: {unknown}")


@functools.cache
def load_knowledge() -> Knowledge:
    """The packaged knowledge, validated; loaded once per process."""
    artifacts, version = read_package()
    kb = Knowledge(artifacts, version)
    log.info("reference data %s loaded: %d units, %d titles", version, len(kb.units), len(kb.titles))
    return kb
