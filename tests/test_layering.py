"""Imports go one way (extractors <- matchers <- reports <- flows); only flows imports Prefect;
no product package imports the benchmarks (bench), the test fixtures (fixtures) or the tests
(tests). Inside matchers the wings
go one way too (knowledge <- occupation <- rules), and no run-time module imports the build code
(matchers.buildtime: reference import, E-7 resolution, pipeline training)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["extractors", "matchers", "reports", "flows"]
# Benchmarks, the test-fixture package (the document generator) and the tests' fake engines stay
# out of the product.
NOT_PRODUCT = {"bench", "fixtures", "tests"}
WINGS = ["knowledge", "occupation", "rules"]  # matchers' wings, lowest first
BUILD = "buildtime"  # matchers.buildtime: build time only (make data, bench.match)


def imported_names(path: Path) -> set[str]:
    """Every absolute module name a file imports (at any depth, lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def imported_modules(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_names(path)}


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


def test_product_importing_bench_fixtures_or_tests_is_caught(tmp_path, monkeypatch):
    package = tmp_path / "extractors"
    package.mkdir()
    (package / "m.py").write_text("from bench.ops import main\nfrom fixtures import corpus\n"
                                  "def f():\n    from tests.ocr_fakes import FakeOcrEngine\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert forbidden_edges("extractors") == ["extractors/m.py imports bench",
                                             "extractors/m.py imports fixtures",
                                             "extractors/m.py imports tests"]


def _wing(name: str) -> str | None:
    """The matchers wing (or build) a module name belongs to."""
    parts = name.split(".")
    if len(parts) > 1 and parts[0] == "matchers" and parts[1] in (*WINGS, BUILD):
        return parts[1]
    return None


def wing_problems(root: Path = ROOT) -> list[str]:
    problems = []
    for path in sorted((root / "matchers").rglob("*.py")):
        rel = path.relative_to(root)
        own = rel.parts[1] if len(rel.parts) > 2 else None  # matchers/<wing>/module.py
        if own == BUILD:
            continue
        allowed = set(WINGS[:WINGS.index(own) + 1]) if own in WINGS else set(WINGS)
        wings = {_wing(name) for name in imported_names(path)} - {None}
        for wing in sorted(w for w in wings if w == BUILD or w not in allowed):
            problems.append(f"{rel} imports matchers.{wing}")
    return problems


def test_matchers_wings_import_one_way_and_never_the_build_code():
    assert wing_problems() == []


def test_wing_checker_catches_a_wing_going_up(tmp_path):
    for wing in ("knowledge", "occupation", "buildtime"):
        (tmp_path / "matchers" / wing).mkdir(parents=True)
    (tmp_path / "matchers" / "knowledge" / "m.py").write_text(
        "from matchers.occupation.match import Matcher\n"
        "def f():\n    from matchers.buildtime import train\n")
    (tmp_path / "matchers" / "occupation" / "m.py").write_text("import matchers.rules.e7\n")
    (tmp_path / "matchers" / "buildtime" / "m.py").write_text("import matchers.rules\n")
    assert wing_problems(tmp_path) == [
        "matchers/knowledge/m.py imports matchers.buildtime",
        "matchers/knowledge/m.py imports matchers.occupation",
        "matchers/occupation/m.py imports matchers.rules"]
