"""Machine-readable outputs: per-document JSON and summary.json, written atomically, PII masked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reports.audit import pipeline_version, reference_version, with_verdict
from reports.paths import atomic_write_text, document_base
from reports.pii import mask_data, mask_result
from reports.records import BatchSummary, DocumentResult, SkippedEntry, SummaryEntry, SummaryProblem
from reports.verdict import verdict_line

SUMMARY_NAME = "summary.json"


def result_relpath(source: str, sha256: str, *, client: str | None = None) -> str:
    """Where the per-document JSON of `source` lives, relative to the output folder."""
    return document_base(source, sha256, client) + ".json"


def write_result(result: DocumentResult, out_dir: Path, *, show_pii: bool = False) -> str:
    """Write one document's JSON; returns its path relative to `out_dir`."""
    rel = result_relpath(result.document.path, result.document.sha256, client=result.client)
    shown = result if show_pii else mask_result(result)
    atomic_write_text(Path(out_dir) / rel, dump_json(shown.model_dump(mode="json"), show_pii))
    return rel


def read_result(out_dir: Path, rel: str) -> DocumentResult:
    """Load a per-document JSON written by `write_result`."""
    return DocumentResult.model_validate_json((Path(out_dir) / rel).read_text(encoding="utf-8"))


def summary_entry(result: DocumentResult, rel: str | None, *, source: str) -> SummaryEntry:
    """The summary.json line for one audited document."""
    best = result.occupation.candidates[0].code if result.occupation.candidates else None
    if result.verdict is None:
        result = with_verdict(result)
    verdict = result.verdict
    assert verdict is not None  # with_verdict fills it in
    occupation = result.occupation
    return SummaryEntry(
        source=source,
        sha256=result.document.sha256 or None,
        status=result.status,
        result=rel,
        problems=[SummaryProblem(code=p.code, message=p.message) for p in result.problems],
        client=result.client,
        findings=[f.rule for f in result.findings],
        worst_severity=result.worst_severity,
        best_code=best,
        verdict=verdict.kind,
        verdict_text=verdict_line(verdict),
        recommended_code=occupation.recommended_code,
        recommended_name_ko=occupation.recommended_name_ko,
        recommended_e7_subcategory=occupation.recommended_e7_subcategory,
        needs_review=occupation.needs_review if occupation.recommended_code else None,
        reused=result.reused,
    )


def build_summary(entries: list[SummaryEntry], skipped: Sequence[SkippedEntry] = ()) -> BatchSummary:
    """Summary of a batch, entries sorted by source path for stable output."""
    return BatchSummary(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        pipeline_version=pipeline_version(),
        reference_version=reference_version(),
        documents=sorted(entries, key=lambda e: (e.client or "", e.source)),
        skipped=sorted(skipped, key=lambda s: s.source),
    )


def write_summary(summary: BatchSummary, out_dir: Path, *, show_pii: bool = False) -> Path:
    """Write summary.json atomically; returns its path."""
    path = Path(out_dir) / SUMMARY_NAME
    atomic_write_text(path, dump_json(summary.model_dump(mode="json"), show_pii))
    return path


def dump_json(data: dict[str, Any], show_pii: bool) -> str:
    """Stable, readable JSON; identifiers masked unless `show_pii`."""
    payload = data if show_pii else mask_data(data)
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
