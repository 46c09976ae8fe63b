"""Versions of the packaged reference data, read without loading it (a cache lookup needs
them; loading the knowledge takes about a second and imports numpy, and importing the rules
wing imports the matcher). The files are found under the `matchers` package as plain folders,
so neither `matchers.knowledge` nor `matchers.rules` is imported here."""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources

from extractors.errors import ReferenceDataError

# Trained and precomputed artifacts beside the knowledge: a retrained pipeline or re-embedded
# units changes matches without changing the reference data, so they are part of the version.
MODEL_FILES = ("pipeline/config.cfg", "pipeline/meta.json", "pipeline/textcat_title/model.npz",
               "pipeline/textcat_duties/model.npz", "pipeline/ksco_meaning/units.npz")
THRESHOLDS_FILE = "visa_thresholds.toml"  # hand-maintained year table (matchers/rules/data)
REFERENCE_FILE = "visa_reference.json"  # built by scripts/import_visa_data.py (matchers/rules/data)


@functools.cache
def knowledge_version() -> str:
    """The packaged knowledge's version (`load_knowledge().version`, from its manifest) and a
    digest of the trained pipeline and the encoder's unit vectors."""
    root = resources.files("matchers") / "knowledge" / "data"
    try:
        version = json.loads((root / "manifest.json").read_bytes()).get("version", "")
        digest = hashlib.sha256()
        for name in MODEL_FILES:
            digest.update(name.encode() + b"\0" + root.joinpath(*name.split("/")).read_bytes())
    except (OSError, ValueError) as e:
        raise ReferenceDataError(f"package data unreadable in {root}: {e}") from e
    return f"{version}.{digest.hexdigest()[:8]}"


def visa_text(name: str) -> str:
    """A visa data file of the rules wing (`matchers/rules/data`)."""
    try:
        return (resources.files("matchers") / "rules" / "data" / name).read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ReferenceDataError(f"visa package data {name} is missing") from e


@functools.cache
def visa_data_version() -> str:
    """Short hash of the packaged visa data; changes whenever a threshold or GNI figure does."""
    digest = hashlib.sha256()
    for name in (THRESHOLDS_FILE, REFERENCE_FILE):
        digest.update(visa_text(name).encode("utf-8"))
    return digest.hexdigest()[:16]
