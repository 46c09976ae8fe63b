"""Process environment for Prefect and Tesseract; must run before Prefect is imported."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """Folder for ksoc-audit's own state (Prefect home, caches): KSOC_AUDIT_HOME or XDG state."""
    explicit = os.environ.get("KSOC_AUDIT_HOME")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "ksoc-audit"


def configure_environment(*, verbose: bool = False) -> Path:
    """Point Prefect at a writable local home with analytics off; returns the state folder."""
    home = state_dir()
    os.environ.setdefault("PREFECT_HOME", str(home / "prefect"))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    # The temporary server's first start creates its database: on a busy 2-core machine that
    # takes longer than Prefect's 20 s default, and the command would fail.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # Tesseract's own OpenMP threading is slower than one thread per process on small machines.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return home
