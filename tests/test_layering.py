"""Imports go one way (extractors <- matchers <- reports <- flows); only flows imports Prefect;
no product package imports the benchmarks (bench) or the tests (tests)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["extractors", "matchers", "reports", "flows"]
NOT_PRODUCT = {"bench", "tests"}  # benchmarks, fixtures and fake engines stay out of the product


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def forbidden_edges(package: str) -> list[str]:
    rank = LAYERS.index(package)
    higher = set(LAYERS[rank + 1:])
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        mods = imported_modules(path)
        for bad in sorted(mods & (higher | NOT_PRODUCT)):
            problems.append(f"{path.relative_to(ROOT)} imports {bad}")
        if package != "flows" and "prefect" in mods:
            problems.append(f"{path.relative_to(ROOT)} imports prefect")
    return problems


@pytest.mark.parametrize("package", LAYERS)
def test_no_import_against_the_layer_order(package):
    assert forbidden_edges(package) == []


def test_checker_catches_a_forbidden_edge(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("import prefect\nfrom reports.records import DocumentResult\n")
    assert imported_modules(bad) == {"prefect", "reports"}


def test_lazy_imports_inside_functions_are_checked_too(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("def f():\n    from flows.audit import audit_contracts\n")
    assert "flows" in imported_modules(bad)


def test_product_importing_bench_or_tests_is_caught(tmp_path, monkeypatch):
    package = tmp_path / "extractors"
    package.mkdir()
    (package / "m.py").write_text("from bench.docgen import corpus\n"
                                  "def f():\n    from tests.ocr_fakes import FakeOcrEngine\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert forbidden_edges("extractors") == ["extractors/m.py imports bench",
                                             "extractors/m.py imports tests"]
