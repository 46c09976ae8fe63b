"""Shared test fixtures: state folders, the Prefect test harness (started once per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL_FORMS = SHARED / "real_forms"

# Prefect must never write to the user's home nor phone home during tests.
os.environ.setdefault("KSOC_AUDIT_HOME", str(ROOT / ".state" / "test"))
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".state" / "test" / "prefect"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # Prefect will not make parents


@pytest.fixture(scope="session")
def prefect_harness():
    """One embedded Prefect server for the whole session (cold start is ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def real_forms() -> Path:
    if not REAL_FORMS.is_dir():
        pytest.skip("../shared/real_forms is not present")
    return REAL_FORMS
