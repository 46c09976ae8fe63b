"""The committed JSON Schemas match the records."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _gen_module():
    spec = importlib.util.spec_from_file_location("gen_schemas", ROOT / "scripts" / "gen_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_schemas_are_current():
    for name, text in _gen_module().render_schemas().items():
        committed = (ROOT / "schemas" / name).read_text(encoding="utf-8")
        assert committed == text, f"schemas/{name} is stale: run `make schemas`"


def test_result_schema_names_the_output_contract_keys():
    text = _gen_module().render_schemas()["result.schema.json"]
    for key in ("job_title", "value_en", "amount_krw", "annual_krw", "needs_review", "findings"):
        assert f'"{key}"' in text


def test_person_schema_names_the_person_record_keys():
    text = _gen_module().render_schemas()["person.schema.json"]
    for key in ("periods", "qualification", "sponsored_match", "qualifying_years",
                "earliest_qualifying_date", "fast_track", "fixes", "deadline", "timeline_issues"):
        assert f'"{key}"' in text
