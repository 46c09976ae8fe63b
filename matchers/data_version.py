"""Versions of the packaged reference data, read without loading it (a cache lookup needs
them; loading the knowledge takes about a second and imports numpy)."""

from __future__ import annotations

import functools
import json
from importlib import resources

from extractors.errors import ReferenceDataError


@functools.cache
def knowledge_version() -> str:
    """The packaged knowledge's version (`load_knowledge().version`), from its manifest."""
    root = resources.files("matchers") / "data"
    try:
        return json.loads((root / "manifest.json").read_bytes()).get("version", "")
    except (OSError, ValueError) as e:
        raise ReferenceDataError(f"package data unreadable in {root}: {e}") from e
