"""Crops cut from the audited file: a generated scanned contract through the real pipeline.

The OCR engine is DrawingOcrEngine (word boxes of the drawing, scaled to the image it is given)
except in the tests marked `ocr`, which run the real Tesseract end to end."""

from __future__ import annotations

import base64
import io
import logging
import re
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

from extractors.pipeline import extract_document
from extractors.records import Extraction, FieldValue, PageText, Route
from flows.documents import DocumentJob, ReportsMode, write_outputs
from reports.audit import analyse_extraction
from reports.crops import crop_document_fields
from reports.records import DocumentResult
from reports.render import render_document_reports

OCR_FIELDS = {"job_title", "duties", "salary", "employer", "workplace", "birth_date",
              "contract_start", "contract_end"}


def audit(path: Path, **engine) -> tuple[Extraction, DocumentResult]:
    extraction = extract_document(path, ocr=DrawingOcrEngine(**engine))
    return extraction, analyse_extraction(extraction)


def layouts(extraction: Extraction) -> dict:
    return {p.page: p.layout for p in extraction.pages if p.layout is not None}


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


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scans")
    return {name: write_scan(folder / name, upside_down=name.startswith("flipped"))
            for name in ("upright.pdf", "flipped.pdf", "upright.png", "flipped.png")}


def test_ocr_pages_keep_their_word_boxes_in_memory_only(scans) -> None:
    engine = DrawingOcrEngine()
    extraction = extract_document(scans["upright.pdf"], ocr=engine)
    layout = extraction.pages[0].layout
    assert layout is not None and (layout.width, layout.height) == engine.sizes[-1]
    assert layout.dpi == 300 and layout.rotation == 0
    assert {w.text for w in layout.words} == {word for line in LINES for word in line.split()}
    assert "layout" not in extraction.pages[0].model_dump()
    assert "layout" not in extraction.model_dump_json()
    again = PageText.model_validate(extraction.pages[0].model_dump())
    assert again.layout is None and again.text == extraction.pages[0].text


def test_turned_page_records_the_turn(scans) -> None:
    extraction, _ = audit(scans["flipped.pdf"], upside_down=True)
    assert extraction.pages[0].layout.rotation == 180


@pytest.mark.parametrize("name", ["upright.pdf", "flipped.pdf", "upright.png", "flipped.png"])
def test_report_shows_a_crop_for_every_scanned_value(scans, name, tmp_path) -> None:
    extraction, result = audit(scans[name], upside_down=name.startswith("flipped"))
    assert {k for k in OCR_FIELDS if getattr(result.fields, k).route is Route.ocr} == OCR_FIELDS
    written = render_document_reports(result, tmp_path, pdf=False, source=scans[name],
                                      layouts=layouts(extraction))
    crops = html_crops(written["html"].read_text(encoding="utf-8"))
    assert set(crops) == OCR_FIELDS
    for uri in crops.values():
        image = picture(uri)
        assert image.width <= 900 and image.height <= 400
        assert len(uri) < 60_000  # small enough to inline


def test_crops_of_a_turned_page_are_upright(scans) -> None:
    def crops(name: str) -> dict[str, np.ndarray]:
        extraction, result = audit(scans[name], upside_down=name.startswith("flipped"))
        found = crop_document_fields(result.fields, result.document, layouts=layouts(extraction))
        return {k: np.asarray(picture(c.data_uri), dtype=np.float32) for k, c in found.items()}

    upright, flipped = crops("upright.png"), crops("flipped.png")
    title, turned = upright["job_title"], flipped["job_title"]
    assert title.shape == turned.shape
    assert np.abs(title - turned).mean() < 6  # the same picture (resampling aside)
    assert np.abs(title - turned[::-1, ::-1]).mean() > 4 * np.abs(title - turned).mean()
    assert (title < 128).mean() > 0.05  # and there is text in it


def test_identifier_inside_a_crop_is_blacked_out(scans) -> None:
    extraction, result = audit(scans["upright.png"])
    result = with_nationality(result)
    kept = layouts(extraction)
    masked = crop_document_fields(result.fields, result.document, layouts=kept)["nationality"]
    plain = crop_document_fields(result.fields, result.document, layouts=kept,
                                 redact=False)["nationality"]
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


def test_report_masks_by_default_and_shows_with_show_pii(scans, tmp_path) -> None:
    extraction, result = audit(scans["upright.pdf"])
    result = with_nationality(result)
    counts = {}
    for show in (False, True):
        written = render_document_reports(result, tmp_path / str(show), pdf=False, show_pii=show,
                                          source=scans["upright.pdf"], layouts=layouts(extraction))
        image = picture(html_crops(written["html"].read_text(encoding="utf-8"))["nationality"])
        counts[show] = int((np.asarray(image) < 10).sum())
    assert counts[False] > counts[True] + 500


def test_pdf_report_embeds_the_crops(scans, tmp_path) -> None:
    extraction, result = audit(scans["upright.pdf"])
    written = render_document_reports(result, tmp_path, source=scans["upright.pdf"],
                                      layouts=layouts(extraction))
    pictures = set(html_crops(written["html"].read_text(encoding="utf-8")).values())
    assert len(pictures) >= 6  # the two contract dates share a line, hence a picture
    assert written["pdf"].read_bytes().count(b"/Subtype /Image") == len(pictures)


def test_write_outputs_crops_with_the_boxes_extraction_kept(scans, tmp_path, monkeypatch) -> None:
    # The flow's result carries the word boxes in memory: no page is read a second time.
    engine = DrawingOcrEngine(upside_down=True)
    monkeypatch.setattr("reports.crops.default_ocr_engine", lambda settings: engine)
    _, result = audit(scans["flipped.pdf"], upside_down=True)
    assert any(page.layout is not None for page in result.pages)
    rel = write_outputs(result, DocumentJob(out_dir=str(tmp_path), reports=ReportsMode.html))
    html = (tmp_path / rel).with_suffix(".html").read_text(encoding="utf-8")
    assert set(html_crops(html)) == OCR_FIELDS
    assert engine.sizes == []


def test_write_outputs_reads_the_page_again_for_a_result_from_json(scans, tmp_path, monkeypatch) -> None:
    # A result loaded from JSON (a cached one) has no word boxes: the page is rendered and read
    # once more, the way extraction reads a page (here: turned upright first).
    engine = DrawingOcrEngine(upside_down=True)
    monkeypatch.setattr("reports.crops.default_ocr_engine", lambda settings: engine)
    _, result = audit(scans["flipped.pdf"], upside_down=True)
    reloaded = type(result).model_validate_json(result.model_dump_json())
    assert all(page.layout is None for page in reloaded.pages)
    rel = write_outputs(reloaded, DocumentJob(out_dir=str(tmp_path), reports=ReportsMode.html))
    html = (tmp_path / rel).with_suffix(".html").read_text(encoding="utf-8")
    assert set(html_crops(html)) == OCR_FIELDS
    assert engine.sizes == [(2482, 3509)] * 2  # one page: read, turned, read again


def test_crops_without_layouts_match_those_with(scans) -> None:
    extraction, result = audit(scans["upright.png"])
    kept = crop_document_fields(result.fields, result.document, layouts=layouts(extraction))
    again = crop_document_fields(result.fields, result.document, ocr=DrawingOcrEngine())
    assert kept == again


def test_only_pages_with_scanned_values_are_rendered(scans, monkeypatch) -> None:
    import extractors.pdf

    rendered: list[int] = []
    original = extractors.pdf.render_page

    def counting(doc, index, **kw):
        rendered.append(index)
        return original(doc, index, **kw)

    monkeypatch.setattr(extractors.pdf, "render_page", counting)
    extraction, result = audit(scans["upright.pdf"])
    rendered.clear()
    assert crop_document_fields(result.fields, result.document, layouts=layouts(extraction))
    assert rendered == [0]
    typed = result.fields.model_copy(update={
        key: value.model_copy(update={"route": Route.text_layer})
        for key, value in result.fields if isinstance(value, FieldValue)})
    rendered.clear()
    assert crop_document_fields(typed, result.document, layouts=layouts(extraction)) == {}
    assert rendered == []


def test_changed_source_gives_a_report_without_crops(scans, tmp_path, caplog) -> None:
    extraction, result = audit(scans["upright.pdf"])
    other = write_scan(tmp_path / "홍길동_계약서.pdf", upside_down=True)  # not the audited content
    with caplog.at_level(logging.WARNING, logger="reports.crops"):
        written = render_document_reports(result, tmp_path / "out", pdf=False, source=other,
                                          layouts=layouts(extraction))
    assert "<img" not in written["html"].read_text(encoding="utf-8")
    assert "no crops for document" in caplog.text
    assert "홍길동" not in caplog.text and str(tmp_path) not in caplog.text


def test_layout_that_does_not_fit_the_page_gives_no_crop(scans, tmp_path, caplog) -> None:
    extraction, result = audit(scans["upright.pdf"])
    wrong = {1: extraction.pages[0].layout.model_copy(update={"rotation": 90})}
    with caplog.at_level(logging.WARNING, logger="reports.crops"):
        written = render_document_reports(result, tmp_path, pdf=False, source=scans["upright.pdf"],
                                          layouts=wrong)
    assert "<img" not in written["html"].read_text(encoding="utf-8")
    assert "does not match its layout" in caplog.text


def test_crop_failure_never_fails_the_report(scans, tmp_path, monkeypatch, caplog) -> None:
    extraction, result = audit(scans["upright.pdf"])

    def broken(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr("reports.crops.png_data_uri", broken)
    with caplog.at_level(logging.WARNING, logger="reports.crops"):
        written = render_document_reports(result, tmp_path, pdf=False, source=scans["upright.pdf"],
                                          layouts=layouts(extraction))
    assert "<img" not in written["html"].read_text(encoding="utf-8")
    assert "MemoryError" in caplog.text


# Real Tesseract, end to end ---------------------------------------------------------------

@pytest.fixture(scope="module")
def real_run(scans, tmp_path_factory):
    """The flow's per-document stage on the generated scan: audit, then write_outputs."""
    from reports.audit import audit_document

    out = tmp_path_factory.mktemp("real")
    result = audit_document(scans["upright.pdf"])
    rel = write_outputs(result, DocumentJob(out_dir=str(out), reports=ReportsMode.html))
    return result, (out / rel).with_suffix(".html").read_text(encoding="utf-8")


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
def test_real_ocr_boxes_mask_the_identifier(scans) -> None:
    extraction = extract_document(scans["upright.pdf"])
    result = with_nationality(analyse_extraction(extraction))
    kept = layouts(extraction)
    assert kept[1].words  # Tesseract's boxes were kept: no second reading needed
    masked = crop_document_fields(result.fields, result.document, layouts=kept)["nationality"]
    plain = crop_document_fields(result.fields, result.document, layouts=kept,
                                 redact=False)["nationality"]
    assert masked.redacted >= 1
    assert "5123456" in _ocr(picture(plain.data_uri)).replace("-", "")  # the test can fail
    read = _ocr(picture(masked.data_uri))
    assert "5123456" not in read.replace("-", "") and "등록번호" in read  # label still shown


@pytest.mark.ocr
def test_real_ocr_table_cells_are_cropped_and_masked_whole(tmp_path) -> None:
    # Ruled tables are read from a strip of cells; the layout keeps one box per cell instead.
    path = write_table_scan(tmp_path / "table.png")
    extraction = extract_document(path)
    cells = [w for w in extraction.pages[0].layout.words if w.line.startswith("t")]
    assert len(cells) == 12 and {c.line for c in cells} == {"t0.r0", "t0.r1", "t0.r2"}
    result = analyse_extraction(extraction)
    if not result.fields.nationality.found:
        result = with_nationality(result)
    crops = crop_document_fields(result.fields, result.document, layouts=layouts(extraction))
    assert {"job_title", "salary", "nationality"} <= set(crops)
    assert crops["nationality"].redacted == 1 and crops["job_title"].redacted == 0
    plain = crop_document_fields(result.fields, result.document, layouts=layouts(extraction),
                                 redact=False)["nationality"]
    masked_dark = np.asarray(picture(crops["nationality"].data_uri)) < 10
    plain_image = np.asarray(picture(plain.data_uri))
    rows, cols = np.nonzero(masked_dark & (plain_image > 128))  # blacked-out paper
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    assert masked_dark[box].mean() > 0.97 and (plain_image[box] < 128).mean() > 0.02
    cell = TABLE_COLUMNS[2] - TABLE_COLUMNS[1]  # the ARN's whole cell, not more
    wide = TABLE_COLUMNS[-1] - TABLE_COLUMNS[0]
    assert 0.8 * cell / wide < (cols.max() - cols.min()) / masked_dark.shape[1] < 1.1 * cell / wide
