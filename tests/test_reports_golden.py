"""Golden files: the masked JSON of a fixed result and its HTML report.

Regenerate with `KSOC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_reports_golden.py`, then
review the diff of tests/golden/ before committing it."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from test_reports_samples import failed_result, ok_result

from reports.pii import mask_result
from reports.render import render_document_reports

GOLDEN = Path(__file__).parent / "golden"


def update_requested(env) -> bool:
    """True when golden files should be rewritten; refused on CI, where they must only be read."""
    update = env.get("KSOC_UPDATE_GOLDEN", "") not in ("", "0")
    if update and env.get("CI"):
        raise RuntimeError("KSOC_UPDATE_GOLDEN is set on CI: golden files must not be rewritten")
    return update


UPDATE = update_requested(os.environ)


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {name}; run with KSOC_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; see module docstring"


def normalise_html(html: str) -> str:
    """Drop what changes without the content changing: the run time and the stylesheet."""
    html = re.sub(r"<time>[^<]*</time>", "<time>TIME</time>", html)
    return re.sub(r"<style>.*?</style>", "<style>CSS</style>", html, flags=re.DOTALL)


def test_golden_json_is_the_masked_model_dump() -> None:
    data = mask_result(ok_result()).model_dump(mode="json")
    _check("document.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@pytest.mark.parametrize(("name", "result"), [("document.html", ok_result()),
                                              ("failed.html", failed_result())])
def test_golden_html(name: str, result, tmp_path: Path) -> None:
    html = render_document_reports(result, tmp_path, pdf=False)["html"].read_text(encoding="utf-8")
    _check(name, normalise_html(html))


def test_golden_update_flag_is_off_in_ci() -> None:
    ci = bool(os.environ.get("CI"))
    flag = os.environ.get("KSOC_UPDATE_GOLDEN", "")
    assert not (ci and flag not in ("", "0")), "KSOC_UPDATE_GOLDEN must not be set on CI"


@pytest.mark.parametrize(("env", "expected"), [({}, False), ({"KSOC_UPDATE_GOLDEN": "1"}, True),
                                               ({"CI": "true", "KSOC_UPDATE_GOLDEN": "0"}, False)])
def test_update_requested(env: dict, expected: bool) -> None:
    assert update_requested(env) is expected


def test_update_requested_refuses_ci() -> None:
    with pytest.raises(RuntimeError):
        update_requested({"CI": "true", "KSOC_UPDATE_GOLDEN": "1"})


def test_normalise_html_only_touches_volatile_parts() -> None:
    html = "<style>a{}</style><p>x</p><time>2025-01-01T00:00:00+00:00</time>"
    assert normalise_html(html) == "<style>CSS</style><p>x</p><time>TIME</time>"
