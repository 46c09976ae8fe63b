"""Fields -> match -> rules on cached page texts: one pass of the devset benchmark.

Kept free of `bench` imports so that the same file can run against an older checkout (the
baseline): `python bench/devset_pass.py CODE_DIR PAGES_DIR OUT_DIR` puts CODE_DIR first on the
path, audits every cached document with that checkout's extractors.fields and reports.audit,
and writes OUT_DIR/summary.json plus one result JSON per document, in the layout
`ksoc-audit audit --out` writes (what ../shared/devset/score.py reads).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def run_pass(pages_dir: Path, out_dir: Path) -> int:
    from extractors.errors import KsocAuditError  # noqa: F401 - the checkout must have it
    from extractors.fields import extract_fields
    from extractors.records import DocumentRef, Extraction, PageText, Problem
    from reports.audit import analyse_extraction

    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    known = set(PageText.model_fields)
    for cached in sorted(pages_dir.glob("*.json")):
        data = json.loads(cached.read_text(encoding="utf-8"))
        ref = DocumentRef.model_validate(data["document"])
        name = cached.stem[:16] + ".json"
        if data.get("error"):
            err = data["error"]
            entries.append({"sha256": ref.sha256, "status": "failed", "source": data["file"],
                            "problems": [{"code": err["code"], "message": err["message"]}],
                            "result": None})
            continue
        pages = [PageText.model_validate({k: v for k, v in p.items() if k in known}) for p in data["pages"]]
        fields, field_problems = extract_fields(pages)
        problems = [Problem.model_validate(p) for p in data["problems"]] + list(field_problems)
        result = analyse_extraction(Extraction(document=ref, pages=pages, fields=fields, problems=problems))
        payload = result.model_dump(mode="json")
        (out_dir / name).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        entries.append({"sha256": ref.sha256, "status": payload["status"], "source": data["file"],
                        "problems": [{"code": p["code"], "message": p["message"]} for p in payload["problems"]],
                        "result": name})
    (out_dir / "summary.json").write_text(json.dumps({"documents": entries}, ensure_ascii=False),
                                          encoding="utf-8")
    return len(entries)


if __name__ == "__main__":
    code_dir, pages, out = (Path(a) for a in sys.argv[1:4])
    sys.path.insert(0, str(code_dir))
    print(run_pass(pages, out))
