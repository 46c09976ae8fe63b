"""Versions of the packaged reference data, read without loading it (a cache lookup needs
them; loading the knowledge takes about a second and imports numpy)."""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources

from extractors.errors import ReferenceDataError

# Trained and precomputed artifacts beside the knowledge: a retrained pipeline or re-embedded
# units changes matches without changing the reference data, so they are part of the version.
MODEL_FILES = ("pipeline/config.cfg", "pipeline/meta.json", "pipeline/textcat_title/model.npz",
               "pipeline/textcat_duties/model.npz", "semantic.npz")


@functools.cache
def knowledge_version() -> str:
    """The packaged knowledge's version (`load_knowledge().version`, from its manifest) and a
    digest of the trained pipeline and the encoder's unit vectors."""
    root = resources.files("matchers") / "data"
    try:
        version = json.loads((root / "manifest.json").read_bytes()).get("version", "")
        digest = hashlib.sha256()
        for name in MODEL_FILES:
            digest.update(name.encode() + b"\0" + root.joinpath(*name.split("/")).read_bytes())
    except (OSError, ValueError) as e:
        raise ReferenceDataError(f"package data unreadable in {root}: {e}") from e
    return f"{version}.{digest.hexdigest()[:8]}"
