"""Visa thresholds package data and the script that builds it."""

from __future__ import annotations

import importlib.util
import json
from itertools import pairwise
from pathlib import Path

import pytest

from matchers.rules.visa_data import load_visa_data

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def _script():
    spec = importlib.util.spec_from_file_location("import_visa_data",
                                                  REPO / "scripts" / "import_visa_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_2026_floors_and_minimum_wage():
    data = load_visa_data()
    t = data.thresholds_for(2026)
    assert t.floors_krw == {"E-7-1": 31_120_000, "E-7-2": 25_890_000,
                            "E-7-3": 25_890_000, "E-7-4": 26_000_000}
    assert data.minimum_wage_annual(2026) == 2_156_880 * 12


def test_years_without_figures_fall_back_to_closest_known_year():
    data = load_visa_data()
    assert data.thresholds_for(2031).year == max(data.years)
    assert data.thresholds_for(1999).year == min(data.years)


def test_gni_reference_is_the_prior_year():
    data = load_visa_data()
    assert data.gni_reference(2026).year == 2025
    assert data.gni_reference(2026).krw == 52_416_000
    assert data.gni_reference(2025).krw == 50_120_000  # 2024, revised figure preferred
    assert data.gni_reference(2040).year == 2025  # latest known
    assert data.gni_reference(1990) is None


def test_occupation_wage_rules_ignore_spacing():
    data = load_visa_data()
    rule = data.wage_rule_for("양식 기술자")
    assert rule is not None and rule.kind == "gni_share" and rule.share == 0.8
    assert data.wage_rule_for("송전 전기원").amount_krw == 42_000_000
    assert data.wage_rule_for("요양보호사").kind == "minimum_wage"
    assert data.wage_rule_for("응용 소프트웨어 개발자") is None


def test_f27_bands_cover_income_from_minimum_wage_up():
    bands = load_visa_data().f27_income_bands
    assert bands[0].min_krw == 100_000_000 and bands[0].points == 60
    assert bands[-1].min_is_minimum_wage and bands[-1].points == 10
    for upper, lower in pairwise(bands):
        assert lower.max_krw == upper.min_krw


@pytest.mark.parametrize("text, expected", [
    ("E-7-1 2026 floor: KRW 31.12M/yr (p.230)", None),
    ("GNI per capita (prior year) x 80%", {"kind": "gni_share", "share": 0.8}),
    ("GNI per capita (prior year) x 70%", {"kind": "gni_share", "share": 0.7}),
    ("income >= 3x GNI per capita", {"kind": "gni_share", "share": 3.0}),
    ("KRW 42M/yr (KRW 3.5M/month), 2024 basis", {"kind": "fixed", "amount_krw": 42_000_000}),
    ("minimum wage of the year", {"kind": "minimum_wage"}),
    ("monthly pay >= average of Korean staff doing the same job", {"kind": "manual"}),
])
def test_wage_rule_parsing(text, expected):
    assert _script().parse_wage_rule(text) == expected


def test_income_table_parsing():
    md = ("### Annual income (연간 소득)\n| ≥ 100M | 90-100M | min. wage – 30M |\n|---|---|---|\n"
          "| 60 | 58 | 10 |\n")
    bands = _script().f27_income_bands(md)
    assert [b["points"] for b in bands] == [60, 58, 10]
    assert bands[1]["min_krw"] == 90_000_000 and bands[1]["max_krw"] == 100_000_000
    assert bands[2]["min_is_minimum_wage"]


def test_threshold_check_rejects_a_disagreeing_year_table(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('[years.2026.floors_krw]\n"E-7-1" = 30000000\n', encoding="utf-8")
    with pytest.raises(SystemExit):
        _script().check_thresholds(path, {"E-7-1": 31_120_000})


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared reference folder not present")
def test_package_data_is_current_with_shared_reference():
    built = _script().build(SHARED)
    packaged = json.loads((REPO / "matchers" / "rules" / "data" / "visa_reference.json").read_text("utf-8"))
    assert built == packaged, "run scripts/import_visa_data.py"


def test_reference_version_covers_the_visa_thresholds():
    from matchers.knowledge.load import load_knowledge
    from matchers.versions import visa_data_version
    from reports.audit import reference_version

    version = reference_version()
    assert version.startswith(load_knowledge().version)
    assert version.endswith(visa_data_version()) and len(visa_data_version()) == 16


def test_reference_version_covers_the_trained_pipeline_and_encoder_vectors():
    from importlib import resources

    from matchers.knowledge.load import load_knowledge
    from matchers.versions import MODEL_FILES, knowledge_version

    root = resources.files("matchers.knowledge") / "data"
    assert all(root.joinpath(*name.split("/")).is_file() for name in MODEL_FILES)
    kb_version, digest = knowledge_version().split(".")
    assert kb_version == load_knowledge().version and len(digest) == 8
