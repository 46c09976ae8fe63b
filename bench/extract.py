"""Extraction accuracy and speed on generated contracts, born-digital and scanned.

    .venv/bin/python -m bench.extract            # 60 documents, a third scanned (real Tesseract)
    .venv/bin/python -m bench.extract --quick    # 15 documents
    .venv/bin/python -m bench.extract --misses   # also: expected vs got for each scanned miss
    .venv/bin/python -m bench.extract --scanned-only --misses   # iterate on OCR fields only
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.docgen import (
    CorpusItem,
    corpus,
    expected_for,
    render_pdf,
    scan,
    scan_options_for,
    scanned_pdf,
)
from extractors.records import ContractFields, Extraction
from extractors.text import squash

FIELDS = ("kind", "title", "duties", "annual_krw", "employer", "employee_name", "business_reg_no",
          "contract_start", "contract_end", "workplace", "stated_visa")
HIGH = 0.8


def actual(fields: ContractFields, name: str):
    """The extracted value compared against ground-truth key `name`."""
    if name == "kind":
        return fields.kind.value
    if name == "title":
        return fields.job_title.value
    if name == "annual_krw":
        return fields.salary.annual_krw
    return getattr(fields, name).value


SPACING_FREE = ("title", "duties", "employer", "workplace")  # Korean spacing varies, not the value
_COMPANY_FORM = re.compile(r"㈜|\(\s*주\s*\)")


def matches(name: str, got, want) -> bool:
    """Exact, except whitespace in Korean free text and the written form of 주식회사."""
    if got is None or want is None or name not in SPACING_FREE:
        return got == want
    if name == "employer":  # (주), ㈜ and 주식회사 name the same company form, in the same place
        got, want = _COMPANY_FORM.sub("주식회사", got), _COMPANY_FORM.sub("주식회사", want)
    return squash(got) == squash(want)


def _shown(name: str, value) -> str | None:
    """The value as `matches` compares it (whitespace-free Korean free text)."""
    if value is None:
        return None
    return squash(str(value)) if name in SPACING_FREE else str(value)


def write_item(item: CorpusItem, index: int, folder: Path) -> Path:
    path = folder / f"doc{index:03d}.pdf"
    if item.scanned:
        path.write_bytes(scanned_pdf(item.spec, item.layout, scan_options_for(item, index)))
    else:
        path.write_bytes(render_pdf(item.spec, item.layout))
    return path


def score(item: CorpusItem, extraction: Extraction) -> dict:
    truth = expected_for(item.spec, item.layout)
    fields = extraction.fields
    row = {"layout": item.layout, "scanned": item.scanned, "style": item.spec.salary.style,
           "results": {}, "pages": [(p.route.value, p.seconds) for p in extraction.pages]}
    row["misses"] = {}
    for name in FIELDS:
        if name in truth:
            got = actual(fields, name)
            row["results"][name] = matches(name, got, truth[name])
            if not row["results"][name]:  # generated fictional documents only: no real data
                row["misses"][name] = (_shown(name, truth[name]), _shown(name, got))
    salary = fields.salary
    row["high_conf_wrong_salary"] = bool(
        "annual_krw" in truth and salary.found and salary.confidence >= HIGH
        and salary.annual_krw != truth["annual_krw"])
    row["salary_conf"] = salary.confidence
    return row


def run(n: int, seed: int, *, scanned_only: bool = False, settings=None) -> list[dict]:
    extract_document = importlib.import_module("extractors.pipeline").extract_document
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, item in enumerate(corpus(n, seed)):
            if scanned_only and not item.scanned:
                continue
            path = write_item(item, index, Path(tmp))
            started = time.monotonic()
            extraction = extract_document(path, settings=settings)
            row = score(item, extraction)
            row["seconds"] = time.monotonic() - started
            row["index"] = index
            rows.append(row)
    return rows


def accuracy_table(rows: list[dict]) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for label, group in (("born-digital", [r for r in rows if not r["scanned"]]),
                         ("scanned", [r for r in rows if r["scanned"]])):
        table[label] = {}
        for name in FIELDS:
            hits = [r["results"][name] for r in group if name in r["results"]]
            if hits:
                table[label][name] = f"{100 * sum(hits) / len(hits):5.1f}% ({sum(hits)}/{len(hits)})"
    return table


def page_times(rows: list[dict]) -> dict[str, str]:
    by_route: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for route, seconds in row["pages"]:
            by_route[route].append(seconds)
    return {route: f"median {statistics.median(v):.3f} s, mean {statistics.mean(v):.3f} s "
                   f"over {len(v)} pages" for route, v in by_route.items()}


def ocr_speed(n: int, seed: int, quick: bool) -> dict | None:
    """bench.ocr's timing on the scanned corpus pages (at least 10 unless --quick, every
    layout and scan profile): ours vs raw tesseract, then pages/s with 2 workers."""
    try:
        bench_ocr = importlib.import_module("bench.ocr")
    except ImportError:
        return None
    items = [(i, it) for i, it in enumerate(corpus(max(n, 36), seed)) if it.scanned][: 2 if quick else 12]
    images = [scan(render_pdf(it.spec, it.layout), scan_options_for(it, i))[0] for i, it in items]
    speed = bench_ocr.measure_ocr_speed(images)
    speed["layouts"] = sorted({it.layout for _, it in items})
    speed["two_workers"] = bench_ocr.measure_page_rate(images, workers=2)
    return speed


def failures(rows: list[dict]) -> list[str]:
    return [f"doc{r['index']:03d} {r['layout']}{' (scan)' if r['scanned'] else ''} {r['style']}: "
            + ", ".join(k for k, ok in r["results"].items() if not ok)
            for r in rows if not all(r["results"].values())]


def misses(rows: list[dict]) -> list[str]:
    """Per scanned miss: field, expected and got, as compared (synthetic documents only)."""
    return [f"doc{r['index']:03d} {r['layout']} {name}: want {want!r} got {got!r}"
            for r in rows if r["scanned"] for name, (want, got) in r["misses"].items()]


def _settings(pairs: list[str]):
    """ExtractSettings with NAME=VALUE overrides (pydantic parses the values); None if none."""
    if not pairs:
        return None
    settings = importlib.import_module("extractors.settings").ExtractSettings
    return settings.model_validate({k: v for k, _, v in (p.partition("=") for p in pairs)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="15 documents instead of 60")
    parser.add_argument("-n", type=int, default=60, help="number of documents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--misses", "--verbose", action="store_true",
                        help="print expected vs got (normalised) for every scanned miss")
    parser.add_argument("--scanned-only", action="store_true", help="skip born-digital documents")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override an ExtractSettings field (ablations), e.g. clear_overlays=false")
    args = parser.parse_args(argv)
    n = 15 if args.quick else args.n
    rows = run(n, args.seed, scanned_only=args.scanned_only, settings=_settings(args.set))
    report = {"documents": len(rows), "scanned": sum(r["scanned"] for r in rows),
              "accuracy": accuracy_table(rows), "page_seconds_by_route": page_times(rows),
              "high_conf_wrong_salaries": sum(r["high_conf_wrong_salary"] for r in rows),
              "doc_seconds_mean": statistics.mean(r["seconds"] for r in rows),
              "ocr_speed": ocr_speed(n, args.seed, args.quick), "failures": failures(rows)}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.misses:
        print("\n".join(["scanned misses (field: want / got):", *misses(rows)]))
    if args.json:
        args.json.write_text(json.dumps({**report, "rows": rows}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
