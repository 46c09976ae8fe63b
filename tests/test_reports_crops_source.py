"""Crops cut from what extraction kept: a generated scanned contract through the real pipeline.

Extraction keeps the page image OCR read (a PNG in the document's work folder) and its word
boxes; the reports cut the crops from them and never open the audited file nor run OCR (the
tests delete or move the source before rendering, and forbid building an engine). The OCR
engine is DrawingOcrEngine (word boxes of the drawing, scaled to the image it is given) except
in the tests marked `ocr`, which run the real Tesseract end to end."""

from __future__ import annotations

import base64
import functools
import io
import logging
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scan_fixture import (
    DPI,
    LINES,
    TABLE_COLUMNS,
    DrawingOcrEngine,
    arn_box,
    write_scan,
    write_table_scan,
)

import flows.documents
from extractors.pipeline import extract_document
from extractors.records import Extraction, FieldValue, PageText, Route
from flows.discover import Input
from flows.documents import DocumentJob, ReportsMode, audit_file, audit_one, write_outputs
from reports.audit import analyse_extraction
from reports.crops import crop_fields
from reports.records import DocumentResult
from reports.render import render_document_reports

OCR_FIELDS = {"job_title", "duties", "salary", "employer", "workplace", "birth_date",
              "contract_start", "contract_end"}


def audit(path: Path, work: Path, **engine) -> tuple[Extraction, DocumentResult]:
    extraction = extract_document(path, ocr=DrawingOcrEngine(**engine), work_dir=work)
    return extraction, analyse_extraction(extraction)


def layouts(extraction: Extraction) -> dict:
    return {p.page: p.layout for p in extraction.pages if p.layout is not None}


@pytest.fixture(autouse=True)
def no_ocr_in_reports(monkeypatch):
    """Building an OCR engine fails: reports must never need one."""
    def refuse(*args, **kwargs):
        raise AssertionError("an OCR engine was built")

    monkeypatch.setattr("extractors.tesseract.build_engine", refuse)
    monkeypatch.setattr("extractors.pipeline.build_engine", refuse)


@pytest.fixture
def scans(tmp_path) -> dict[str, Path]:
    """Fresh copies per test: tests delete or move them before rendering."""
    folder = tmp_path / "scans"
    folder.mkdir()
    return {name: write_scan(folder / name, upside_down=name.startswith("flipped"))
            for name in ("upright.pdf", "flipped.pdf", "upright.png", "flipped.png")}


@pytest.fixture
def work(tmp_path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def picture(data_uri: str) -> Image.Image:
    assert data_uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))).convert("L")


def html_crops(html: str) -> dict[str, str]:
    """Field key -> data URI of the crop shown under that field's row."""
    rows = re.findall(r'<tr class="crop-row" id="crop-(\w+)">(.*?)</tr>', html, flags=re.DOTALL)
    return {key: m.group(1) for key, row in rows
            if (m := re.search(r'<img class="crop" src="([^"]+)"', row))}


def with_nationality(result: DocumentResult) -> DocumentResult:
    """The result with nationality read from the line that also holds the ARN (the generated
    page puts both on one line, so the crop of that value spans the number)."""
    nationality = FieldValue(value="베트남", found=True, page=1, route=Route.ocr, confidence=0.9,
                             snippet=LINES[-1], label="국적")
    return result.model_copy(update={"fields": result.fields.model_copy(
        update={"nationality": nationality})})


def test_ocr_pages_keep_the_image_read_and_its_word_boxes_in_memory_only(scans, work) -> None:
    engine = DrawingOcrEngine()
    extraction = extract_document(scans["upright.pdf"], ocr=engine, work_dir=work)
    layout = extraction.pages[0].layout
    assert layout is not None and (layout.width, layout.height) == engine.sizes[-1]
    assert Path(layout.image).parent == work and Path(layout.image).suffix == ".png"
    with Image.open(layout.image) as kept:
        assert kept.size == engine.sizes[-1]
    assert {w.text for w in layout.words} == {word for line in LINES for word in line.split()}
    assert "layout" not in extraction.pages[0].model_dump()
    assert "layout" not in extraction.model_dump_json()
    again = PageText.model_validate(extraction.pages[0].model_dump())
    assert again.layout is None and again.text == extraction.pages[0].text


def test_without_a_work_folder_boxes_are_kept_but_no_image(scans) -> None:
    extraction = extract_document(scans["upright.pdf"], ocr=DrawingOcrEngine())
    layout = extraction.pages[0].layout
    assert layout.words and layout.image is None


def test_a_given_hash_is_not_taken_again(scans, work, monkeypatch) -> None:
    import hashlib
    from types import SimpleNamespace

    def no_hashing(*args, **kwargs):
        raise AssertionError("hashed again")

    digest = hashlib.sha256(scans["upright.png"].read_bytes()).hexdigest()
    monkeypatch.setattr("extractors.pipeline.hashlib", SimpleNamespace(sha256=no_hashing))
    extraction = extract_document(scans["upright.png"], ocr=DrawingOcrEngine(), sha256=digest,
                                  work_dir=work)
    assert extraction.document.sha256 == digest
    assert extraction.document.size_bytes == scans["upright.png"].stat().st_size


@pytest.mark.parametrize("name", ["upright.pdf", "flipped.pdf", "upright.png", "flipped.png"])
def test_report_shows_a_crop_for_every_scanned_value_without_the_source(scans, work, name,
                                                                        tmp_path) -> None:
    _, result = audit(scans[name], work, upside_down=name.startswith("flipped"))
    assert {k for k in OCR_FIELDS if getattr(result.fields, k).route is Route.ocr} == OCR_FIELDS
    scans[name].unlink()  # the reports never open the audited file
    written = render_document_reports(result, tmp_path / "out", pdf=False)
    crops = html_crops(written["html"].read_text(encoding="utf-8"))
    assert set(crops) == OCR_FIELDS
    for uri in crops.values():
        image = picture(uri)
        assert image.width <= 900 and image.height <= 400
        assert len(uri) < 60_000  # small enough to inline


def test_crops_of_a_turned_page_are_upright(scans, tmp_path) -> None:
    def crops(name: str) -> dict[str, np.ndarray]:
        work = tmp_path / name
        work.mkdir()
        extraction, result = audit(scans[name], work, upside_down=name.startswith("flipped"))
        found = crop_fields(result.fields, layouts(extraction))
        return {k: np.asarray(picture(c.data_uri), dtype=np.float32) for k, c in found.items()}

    upright, flipped = crops("upright.png"), crops("flipped.png")
    title, turned = upright["job_title"], flipped["job_title"]
    assert title.shape == turned.shape
    assert np.abs(title - turned).mean() < 6  # the same picture (resampling aside)
    assert np.abs(title - turned[::-1, ::-1]).mean() > 4 * np.abs(title - turned).mean()
    assert (title < 128).mean() > 0.05  # and there is text in it


def test_identifier_inside_a_crop_is_blacked_out(scans, work) -> None:
    extraction, result = audit(scans["upright.png"], work)
    result = with_nationality(result)
    kept = layouts(extraction)
    masked = crop_fields(result.fields, kept)["nationality"]
    plain = crop_fields(result.fields, kept, redact=False)["nationality"]
    assert masked.redacted == 1 and plain.redacted == 0
    dark_masked = np.asarray(picture(masked.data_uri)) < 10
    dark_plain = np.asarray(picture(plain.data_uri)) < 10
    changed = np.argwhere(dark_masked & ~dark_plain)
    # Where the pictures differ is the ARN's box (page -> crop scale applies to both sides).
    left, top, right, bottom = arn_box(300 / DPI)
    scale = dark_plain.shape[0] / (bottom - top + 2 * 14)
    width = (changed[:, 1].max() - changed[:, 1].min()) / scale
    assert abs(width - (right - left)) < 0.15 * (right - left)
    assert dark_masked[changed[:, 0].min():changed[:, 0].max() + 1,
                       changed[:, 1].min():changed[:, 1].max() + 1].mean() > 0.97


def test_report_masks_by_default_and_shows_with_show_pii(scans, work, tmp_path) -> None:
    _, result = audit(scans["upright.pdf"], work)
    result = with_nationality(result)
    counts = {}
    for show in (False, True):
        written = render_document_reports(result, tmp_path / str(show), pdf=False, show_pii=show)
        image = picture(html_crops(written["html"].read_text(encoding="utf-8"))["nationality"])
        counts[show] = int((np.asarray(image) < 10).sum())
    assert counts[False] > counts[True] + 500


def test_pdf_report_embeds_the_crops(scans, work, tmp_path) -> None:
    _, result = audit(scans["upright.pdf"], work)
    written = render_document_reports(result, tmp_path)
    pictures = set(html_crops(written["html"].read_text(encoding="utf-8")).values())
    assert len(pictures) >= 6  # the two contract dates share a line, hence a picture
    assert written["pdf"].read_bytes().count(b"/Subtype /Image") == len(pictures)


def test_audit_one_crops_from_what_extraction_kept_then_removes_it(scans, tmp_path,
                                                                  monkeypatch) -> None:
    # The one document path: extraction keeps the page images in a work folder under the
    # run's temporary root; the reports are cut from them (the source is moved away first);
    # the folder is gone once the document's outputs are written.
    engine = DrawingOcrEngine(upside_down=True)
    monkeypatch.setattr(flows.documents, "audit_file", functools.partial(audit_file, ocr=engine))
    real_write = flows.documents.write_outputs
    seen: dict[str, list[Path]] = {}

    def write_without_source(result, job):
        shutil.move(scans["flipped.pdf"], tmp_path / "elsewhere.pdf")
        seen["images"] = [Path(p.layout.image) for p in result.pages if p.layout]
        assert all(image.is_file() for image in seen["images"])
        return real_write(result, job)

    monkeypatch.setattr(flows.documents, "write_outputs", write_without_source)
    out = tmp_path / "out"
    item = Input(str(scans["flipped.pdf"]), "flipped.pdf", None)
    outcome = audit_one(item, DocumentJob(out_dir=str(out), reports=ReportsMode.html))
    html = (out / outcome.entry.result).with_suffix(".html").read_text(encoding="utf-8")
    assert set(html_crops(html)) == OCR_FIELDS
    assert len(engine.sizes) == 2  # one page: read, turned, read again; never read for crops
    temp_root = out / ".ksoc-audit" / "tmp"
    assert seen["images"] and all(temp_root in image.parents for image in seen["images"])
    assert not any(image.exists() for image in seen["images"])
    assert not [p for p in temp_root.rglob("*") if p.is_file()]


def test_a_result_read_back_from_json_has_no_crops_and_reads_nothing(scans, work,
                                                                    tmp_path) -> None:
    _, result = audit(scans["flipped.pdf"], work, upside_down=True)
    reloaded = type(result).model_validate_json(result.model_dump_json())
    assert all(page.layout is None for page in reloaded.pages)
    rel = write_outputs(reloaded, DocumentJob(out_dir=str(tmp_path), reports=ReportsMode.html))
    html = (tmp_path / rel).with_suffix(".html").read_text(encoding="utf-8")
    assert html_crops(html) == {}


def test_values_read_from_a_text_layer_get_no_crop(scans, work) -> None:
    extraction, result = audit(scans["upright.pdf"], work)
    typed = result.fields.model_copy(update={
        key: value.model_copy(update={"route": Route.text_layer})
        for key, value in result.fields if isinstance(value, FieldValue)})
    assert crop_fields(typed, layouts(extraction)) == {}


def test_page_image_that_does_not_fit_its_boxes_gives_no_crop(scans, work, tmp_path,
                                                               caplog) -> None:
    extraction, result = audit(scans["upright.pdf"], work)
    with Image.open(extraction.pages[0].layout.image) as image:
        image.rotate(90, expand=True).save(extraction.pages[0].layout.image)
    with caplog.at_level(logging.WARNING, logger="reports.crops"):
        written = render_document_reports(result, tmp_path / "out", pdf=False)
    assert "<img" not in written["html"].read_text(encoding="utf-8")
    assert "does not match its layout" in caplog.text


def test_crop_failure_never_fails_the_report(scans, work, tmp_path, monkeypatch, caplog) -> None:
    _, result = audit(scans["upright.pdf"], work)

    def broken(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr("reports.crops.png_data_uri", broken)
    with caplog.at_level(logging.WARNING, logger="reports.crops"):
        written = render_document_reports(result, tmp_path / "out", pdf=False)
    assert "<img" not in written["html"].read_text(encoding="utf-8")
    assert "MemoryError" in caplog.text


# Real Tesseract, end to end ---------------------------------------------------------------

@pytest.fixture
def real_run(scans, tmp_path, monkeypatch):
    """The flow's per-document stage on the generated scan, with the real Tesseract."""
    monkeypatch.undo()  # the real engine is built for extraction
    out = tmp_path / "real"
    item = Input(str(scans["upright.pdf"]), "upright.pdf", None)
    outcome = audit_one(item, DocumentJob(out_dir=str(out), reports=ReportsMode.html))
    result = DocumentResult.model_validate_json((out / outcome.entry.result).read_text("utf-8"))
    return result, (out / outcome.entry.result).with_suffix(".html").read_text(encoding="utf-8")


def _ocr(image: Image.Image) -> str:
    import pytesseract

    # Crops are downscaled for the report; Tesseract reads them better at twice the size.
    image = image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
    return re.sub(r"\s+", "", pytesseract.image_to_string(image, lang="kor+eng", config="--psm 6"))


@pytest.mark.ocr
def test_real_run_shows_title_and_salary_crops(real_run) -> None:
    result, html = real_run
    assert result.fields.job_title.route is Route.ocr and result.fields.salary.route is Route.ocr
    crops = html_crops(html)
    assert {"job_title", "salary"} <= set(crops)
    assert "소프트웨어" in _ocr(picture(crops["job_title"]))
    assert "800,000" in _ocr(picture(crops["salary"]))
    for uri in crops.values():  # the identifier shows in no picture
        assert "5123456" not in _ocr(picture(uri))


@pytest.mark.ocr
def test_real_ocr_boxes_mask_the_identifier(scans, work, monkeypatch) -> None:
    monkeypatch.undo()
    extraction = extract_document(scans["upright.pdf"], work_dir=work)
    result = with_nationality(analyse_extraction(extraction))
    kept = layouts(extraction)
    assert kept[1].words  # Tesseract's boxes were kept: no second reading needed
    masked = crop_fields(result.fields, kept)["nationality"]
    plain = crop_fields(result.fields, kept, redact=False)["nationality"]
    assert masked.redacted >= 1
    assert "5123456" in _ocr(picture(plain.data_uri)).replace("-", "")  # the test can fail
    read = _ocr(picture(masked.data_uri))
    assert "5123456" not in read.replace("-", "") and "등록번호" in read  # label still shown


@pytest.mark.ocr
def test_real_ocr_table_cells_are_cropped_and_masked_whole(tmp_path, work, monkeypatch) -> None:
    # Ruled tables are read from a strip of cells; the layout keeps one box per cell instead.
    monkeypatch.undo()
    path = write_table_scan(tmp_path / "table.png")
    extraction = extract_document(path, work_dir=work)
    cells = [w for w in extraction.pages[0].layout.words if w.line.startswith("t")]
    assert len(cells) == 12 and {c.line for c in cells} == {"t0.r0", "t0.r1", "t0.r2"}
    result = analyse_extraction(extraction)
    if not result.fields.nationality.found:
        result = with_nationality(result)
    crops = crop_fields(result.fields, layouts(extraction))
    assert {"job_title", "salary", "nationality"} <= set(crops)
    assert crops["nationality"].redacted == 1 and crops["job_title"].redacted == 0
    plain = crop_fields(result.fields, layouts(extraction), redact=False)["nationality"]
    masked_dark = np.asarray(picture(crops["nationality"].data_uri)) < 10
    plain_image = np.asarray(picture(plain.data_uri))
    rows, cols = np.nonzero(masked_dark & (plain_image > 128))  # blacked-out paper
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    assert masked_dark[box].mean() > 0.97 and (plain_image[box] < 128).mean() > 0.02
    cell = TABLE_COLUMNS[2] - TABLE_COLUMNS[1]  # the ARN's whole cell, not more
    wide = TABLE_COLUMNS[-1] - TABLE_COLUMNS[0]
    assert 0.8 * cell / wide < (cols.max() - cols.min()) / masked_dark.shape[1] < 1.1 * cell / wide
