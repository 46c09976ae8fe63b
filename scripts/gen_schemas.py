"""Write the JSON Schemas of the output contract (schemas/*.json) from the records."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.people.records import PeopleSummary, PersonRecord
from reports.records import BatchSummary, DocumentResult

SCHEMAS = {"result.schema.json": DocumentResult, "summary.schema.json": BatchSummary,
           "person.schema.json": PersonRecord, "people.schema.json": PeopleSummary}


def render_schemas() -> dict[str, str]:
    """Schema file name -> JSON text, deterministic."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[name] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def main() -> None:
    target = ROOT / "schemas"
    target.mkdir(exist_ok=True)
    for name, text in render_schemas().items():
        (target / name).write_text(text, encoding="utf-8")
        print(f"wrote schemas/{name}")


if __name__ == "__main__":
    main()
