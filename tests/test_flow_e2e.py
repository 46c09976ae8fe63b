"""End to end: the Prefect flow audits the bundled samples and honours the output contract."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_docs"


def _sample_specs() -> dict[str, tuple[object, str, object]]:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts/make_sample_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: (s, layout, scan) for name, s, layout, scan in module.samples()}


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


@pytest.fixture(scope="module")
def born_digital_run(prefect_harness, tmp_path_factory):
    from flows.audit import audit_contracts

    specs = _sample_specs()
    inputs = tmp_path_factory.mktemp("in")
    for name, (_, _, scan) in specs.items():
        if scan is None:
            (inputs / name).write_bytes((SAMPLES / name).read_bytes())
    out = tmp_path_factory.mktemp("out")
    summary = audit_contracts(paths=[str(inputs)], out_dir=str(out))
    return specs, out, summary


def test_summary_lists_every_input_with_the_contract_keys(born_digital_run):
    specs, out, _ = born_digital_run
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data["schema_version"]
    names = sorted(Path(d["source"]).name for d in data["documents"])
    assert names == sorted(n for n, (_, _, scan) in specs.items() if scan is None)
    for doc in data["documents"]:
        assert {"source", "sha256", "status", "result", "problems"} <= set(doc)
        assert doc["status"] in {"success", "partial", "failed"}
        assert (out / doc["result"]).is_file()


def test_born_digital_title_duties_and_salary_are_right(born_digital_run):
    specs, out, summary = born_digital_run
    assert summary.documents
    from fixtures import expected_for

    checked = 0
    for entry in summary.documents:
        spec, layout, _ = specs[Path(entry.source).name]
        truth = expected_for(spec, layout)
        if truth["kind"] == "not_contract":
            continue
        checked += 1
        result = json.loads((out / entry.result).read_text(encoding="utf-8"))
        fields = result["fields"]
        assert result["status"] in {"success", "partial"}, (entry.source, result["problems"])
        title = fields["job_title"]
        assert truth["title"] in {title["value"], title["value_en"]}, entry.source
        assert _norm(fields["duties"]["value"]) == _norm(truth["duties"]), entry.source
        assert fields["salary"]["annual_krw"] == truth["annual_krw"], entry.source
        for key in ("page", "snippet", "confidence"):
            assert key in title
    assert checked >= 5


def test_not_a_contract_fails_with_a_specific_problem(born_digital_run):
    _, _, summary = born_digital_run
    cert = [d for d in summary.documents if "not_a_contract" in d.source]
    assert cert and cert[0].status == "failed"
    assert cert[0].problems[0].code == "not_a_contract"


def test_results_carry_candidates_and_findings(born_digital_run):
    _, out, summary = born_digital_run
    seed = next(d for d in summary.documents if "seed_case" in d.source)
    result = json.loads((out / seed.result).read_text(encoding="utf-8"))
    cands = result["occupation"]["candidates"]
    assert cands and re.fullmatch(r"\d{4}", cands[0]["code"])
    assert {"code", "revision", "name_ko", "score", "e7_subcategory"} <= set(cands[0])
    assert any(f["rule"] in {"generic_title", "title_duties_conflict"} for f in result["findings"])


@pytest.mark.slow
def test_cli_audits_a_folder_with_a_corrupt_file_and_continues(tmp_path):
    """The real command in a subprocess: progress, summary, failed entry, exit code 2."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "good.pdf").write_bytes((SAMPLES / "03_article_e7_1_consistent.pdf").read_bytes())
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    env = {**os.environ, "KSOC_AUDIT_HOME": str(tmp_path / "state")}
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_HOME", None)
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "audit", str(inbox), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=240, env=env, cwd=ROOT, check=False,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    by_name = {Path(d["source"]).name: d for d in summary["documents"]}
    assert by_name["broken.pdf"]["status"] == "failed"
    assert by_name["broken.pdf"]["problems"][0]["code"] == "corrupt_file"
    assert by_name["good.pdf"]["status"] in {"success", "partial"}
    assert "Audited 2 document(s)" in proc.stdout


def test_no_output_file_contains_an_employee_name_or_passport_number(born_digital_run):
    specs, out, _ = born_digital_run
    secrets = {s.employee_name for s, _, scan in specs.values() if scan is None}
    secrets |= {s.passport_no for s, _, scan in specs.values() if scan is None}
    texts = [p for p in out.rglob("*") if p.suffix in {".json", ".html", ".csv"}]
    assert texts
    for path in texts:
        content = path.read_text(encoding="utf-8-sig")
        leaked = [s for s in secrets if s and s in content]
        assert not leaked, f"{path.name} leaks personal data"
