"""Extraction accuracy and speed on generated contracts: born-digital, scanned, phone photos.

    .venv/bin/python -m bench.extract            # 60 documents, a third scanned (real Tesseract)
    .venv/bin/python -m bench.extract --quick    # 15 documents
    .venv/bin/python -m bench.extract --misses   # also: expected vs got for each scanned miss
    .venv/bin/python -m bench.extract --scanned-only --misses   # iterate on OCR fields only
    .venv/bin/python -m bench.extract --photos-only --set page_warp=false   # photo ablation

Besides the corpus, 10 phone photos (JPEG files: the page in perspective on a desk, unevenly
lit; fixtures.scan.phone_photo) of other generated contracts form their own "photo" group;
they are left out of the born-digital and scanned numbers, times and salary count.
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

from extractors.records import ContractFields, Extraction
from extractors.text import squash
from fixtures import (
    CorpusItem,
    ScanOptions,
    corpus,
    expected_for,
    render_pdf,
    scan,
    scan_options_for,
    scanned_pdf,
)

FIELDS = ("kind", "title", "duties", "annual_krw", "employer", "employee_name", "business_reg_no",
          "contract_start", "contract_end", "workplace", "stated_visa")
HIGH = 0.8
PHOTO_DOCS = 10  # phone photos in the "photo" group (4 with --quick)
PHOTO_SEED_OFFSET = 1000  # photo documents come from corpus(PHOTO_DOCS, seed + this)


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


def write_photo(item: CorpusItem, index: int, folder: Path) -> Path:
    """The item's page photographed with a phone, as the JPEG file a user would upload."""
    pages = scan(render_pdf(item.spec, item.layout), ScanOptions(photo=True, seed=item.spec.seed,
                                                                 jpeg_quality=85))
    path = folder / f"photo{index:03d}.jpg"
    if len(pages) == 1:
        path.write_bytes(_jpeg_bytes(pages[0]))
    else:  # several photos of one document: a multi-page TIFF
        path = path.with_suffix(".tif")
        pages[0].save(path, "TIFF", save_all=True, append_images=pages[1:], compression="jpeg")
    return path


def _jpeg_bytes(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def group_of(row: dict) -> str:
    return "photo" if row.get("photo") else "scanned" if row["scanned"] else "born-digital"


def score(item: CorpusItem, extraction: Extraction, *, photo: bool = False) -> dict:
    truth = expected_for(item.spec, item.layout)
    fields = extraction.fields
    row = {"layout": item.layout, "scanned": item.scanned and not photo, "photo": photo,
           "style": item.spec.salary.style,
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


def run(n: int, seed: int, *, scanned_only: bool = False, settings=None, photos: int = 0,
        engine=None) -> list[dict]:
    """Rows of the corpus (`n` documents) and then of `photos` phone photos; `engine`: the OCR
    engine (default: the one extraction builds per document)."""
    extract_document = importlib.import_module("extractors.pipeline").extract_document
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [(index, item, False) for index, item in enumerate(corpus(n, seed))
                if not scanned_only or item.scanned]
        jobs += [(index, item, True)
                 for index, item in enumerate(corpus(photos, seed + PHOTO_SEED_OFFSET))]
        for index, item, photo in jobs:
            path = (write_photo if photo else write_item)(item, index, Path(tmp))
            started = time.monotonic()
            extraction = extract_document(path, ocr=engine, settings=settings)
            row = score(item, extraction, photo=photo)
            row["seconds"] = time.monotonic() - started
            row["index"] = index
            rows.append(row)
    return rows


def accuracy_table(rows: list[dict]) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for label in ("born-digital", "scanned", "photo"):
        group = [r for r in rows if group_of(r) == label]
        if not group:
            continue
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
    marks = {"born-digital": "", "scanned": " (scan)", "photo": " (photo)"}
    return [f"{'photo' if r.get('photo') else 'doc'}{r['index']:03d} {r['layout']}{marks[group_of(r)]} "
            f"{r['style']}: "
            + ", ".join(k for k, ok in r["results"].items() if not ok)
            for r in rows if not all(r["results"].values())]


def misses(rows: list[dict]) -> list[str]:
    """Per scanned or photo miss: field, expected and got, as compared (synthetic documents only)."""
    return [f"{'photo' if r.get('photo') else 'doc'}{r['index']:03d} {r['layout']} {name}: "
            f"want {want!r} got {got!r}"
            for r in rows if r["scanned"] or r.get("photo") for name, (want, got) in r["misses"].items()]


def _settings(pairs: list[str]):
    """(ExtractSettings, OCR engine) with NAME=VALUE overrides (pydantic parses the values):
    names of extractors.tesseract.TesseractOptions fields build the engine with those options;
    None for what is not overridden."""
    if not pairs:
        return None, None
    settings = importlib.import_module("extractors.settings").ExtractSettings
    tesseract = importlib.import_module("extractors.tesseract")
    values = {k: v for k, _, v in (p.partition("=") for p in pairs)}
    engine_names = set(tesseract.TesseractOptions.model_fields)
    chosen = settings.model_validate({k: v for k, v in values.items() if k not in engine_names})
    options = {k: v for k, v in values.items() if k in engine_names}
    if not options:
        return chosen, None
    return chosen, tesseract.build_engine(chosen, tesseract.TesseractOptions.model_validate(options))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="15 documents instead of 60")
    parser.add_argument("-n", type=int, default=60, help="number of documents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--misses", "--verbose", action="store_true",
                        help="print expected vs got (normalised) for every scanned miss")
    parser.add_argument("--scanned-only", action="store_true", help="skip born-digital documents")
    parser.add_argument("--photos", type=int, default=None,
                        help=f"phone photos in the photo group (default {PHOTO_DOCS}, 4 with --quick)")
    parser.add_argument("--photos-only", action="store_true", help="only the phone photos")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override an ExtractSettings or TesseractOptions field (ablations), "
                             "e.g. clear_overlays=false or psm=4")
    args = parser.parse_args(argv)
    n = 0 if args.photos_only else 15 if args.quick else args.n
    photos = args.photos if args.photos is not None else 4 if args.quick else PHOTO_DOCS
    settings, engine = _settings(args.set)
    rows = run(n, args.seed, scanned_only=args.scanned_only, settings=settings, photos=photos,
               engine=engine)
    main_rows = [r for r in rows if not r["photo"]]
    photo_rows = [r for r in rows if r["photo"]]
    report = {"documents": len(main_rows), "scanned": sum(r["scanned"] for r in main_rows),
              "photos": len(photo_rows), "accuracy": accuracy_table(rows),
              "page_seconds_by_route": page_times(main_rows) if main_rows else {},
              "high_conf_wrong_salaries": sum(r["high_conf_wrong_salary"] for r in main_rows),
              "doc_seconds_mean": statistics.mean(r["seconds"] for r in main_rows) if main_rows else None,
              "photo": {"page_seconds": page_times(photo_rows).get("ocr"),
                        "high_conf_wrong_salaries": sum(r["high_conf_wrong_salary"] for r in photo_rows)},
              "ocr_speed": ocr_speed(n, args.seed, args.quick) if n else None,
              "failures": failures(rows)}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.misses:
        print("\n".join(["scanned and photo misses (field: want / got):", *misses(rows)]))
    if args.json:
        args.json.write_text(json.dumps({**report, "rows": rows}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
