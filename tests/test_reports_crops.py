"""Crops of scanned values with identifiers blacked out (reports.crops)."""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_reports_samples import EMPLOYEE, PHONE, kept_page, ok_result, scanned_page

from extractors.records import Route
from reports.crops import MAX_WIDTH, WordBox, crop_fields
from reports.render import render_document_reports


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, list[WordBox]]:
    return scanned_page(tmp_path_factory.mktemp("scan") / "page-2.png")


def _image(data_uri: str) -> Image.Image:
    assert data_uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))).convert("L")


def _black(image: Image.Image) -> int:
    return int((np.asarray(image) < 10).sum())


def _fields_with_scanned_name():
    fields = ok_result().fields
    name = fields.employee_name.model_copy(update={"route": Route.ocr, "page": 2})
    return fields.model_copy(update={"employee_name": name})


def test_scanned_value_gets_a_crop_of_its_line(page) -> None:
    path, words = page
    crops = crop_fields(ok_result().fields, kept_page(path, words))
    assert set(crops) == {"duties"}  # the other fields come from the text layer
    crop = _image(crops["duties"].data_uri)
    line = [w for w in words if w.line == "1.1.1"]
    assert crop.width <= MAX_WIDTH and crop.height < 3 * max(w.height for w in line)
    assert crops["duties"].page == 2


def test_identifiers_in_the_crop_are_blacked_out(page) -> None:
    path, words = page
    # A value that runs over the phone number (extractors sometimes take the rest of the line).
    duties = ok_result().fields.duties.model_copy(update={"value": f"코드 리뷰 연락처: {PHONE}"})
    fields = ok_result().fields.model_copy(update={"duties": duties})
    masked = crop_fields(fields, kept_page(path, words))["duties"]
    plain = crop_fields(fields, kept_page(path, words), redact=False)["duties"]
    phone = next(w for w in words if w.text == PHONE)
    scale = min(1.0, MAX_WIDTH / (phone.left + phone.width + 200))
    assert masked.redacted == 1 and plain.redacted == 0
    assert _black(_image(masked.data_uri)) - _black(_image(plain.data_uri)) > 0.5 * (
        phone.width * phone.height * scale * scale)


def test_crop_stops_at_the_end_of_the_value(page, monkeypatch) -> None:
    # The phone number after the duties on the same line is not part of the picture at all.
    monkeypatch.setattr("reports.crops.MAX_WIDTH", 5000)  # measure in page pixels
    path, words = page
    crop = _image(crop_fields(ok_result().fields, kept_page(path, words))["duties"].data_uri)
    phone = next(w for w in words if w.text == PHONE)
    review = next(w for w in words if w.text == "리뷰")
    assert review.left + review.width < crop.width <= phone.left


def test_employee_name_is_blacked_out_when_names_are_given(page) -> None:
    path, words = page
    fields = _fields_with_scanned_name()
    crops = crop_fields(fields, kept_page(path, words), names=(EMPLOYEE,))
    assert crops["employee_name"].redacted == 1
    shown = crop_fields(fields, kept_page(path, words), redact=False)
    assert shown["employee_name"].redacted == 0


def test_unlocatable_value_gets_no_crop(page) -> None:
    path, words = page
    unrelated = [w.model_copy(update={"text": "무관한"}) for w in words]
    assert crop_fields(ok_result().fields, kept_page(path, unrelated)) == {}


def test_missing_or_mismatched_page_image_degrades_to_no_crop(page, tmp_path, caplog) -> None:
    path, words = page
    gone = kept_page(path, words)
    gone[2] = gone[2].model_copy(update={"image": str(tmp_path / "deleted.png")})
    with caplog.at_level(logging.WARNING, logger="reports.crops"):
        assert crop_fields(ok_result().fields, gone) == {}
    assert "no crops" in caplog.text
    resized = kept_page(path, words)
    resized[2] = resized[2].model_copy(update={"width": 700})
    assert crop_fields(ok_result().fields, resized) == {}
    not_kept = kept_page(path, words)
    not_kept[2] = not_kept[2].model_copy(update={"image": None})
    assert crop_fields(ok_result().fields, not_kept) == {}


def test_report_embeds_the_crop_only_when_page_images_are_kept(page, tmp_path: Path) -> None:
    path, words = page
    with_crop = render_document_reports(ok_result(), tmp_path / "a", pdf=False,
                                        layouts=kept_page(path, words))
    html = with_crop["html"].read_text(encoding="utf-8")
    assert html.count('<img class="crop" src="data:image/png;base64,') == 1
    without = render_document_reports(ok_result(), tmp_path / "b", pdf=False)
    assert "<img" not in without["html"].read_text(encoding="utf-8")


def _line(*texts: str, gap: int = 20, top: int = 100) -> list[WordBox]:
    words, x = [], 40
    for text in texts:
        width = 24 * len(text)
        words.append(WordBox(text=text, left=x, top=top, width=width, height=30, line="1.1.1"))
        x += width + gap
    return words


def _hidden(words: list[WordBox], value: str, names: tuple[str, ...] = ()) -> int:
    from extractors.records import FieldValue
    from reports.crops import crop_value

    image = Image.new("L", (1400, 300), 255)
    field = FieldValue(value=value, found=True, page=1, route=Route.ocr, snippet=value)
    crop = crop_value(image, words, field, redact=True, names=names)
    assert crop is not None
    return crop.redacted


def test_misread_identifier_after_its_label_is_still_hidden() -> None:
    # OCR read O for 0 and l for 1: the text patterns miss it, the picture would not.
    assert _hidden(_line("외국인등록번호", ":", "95O408-5l23456", "국적", ":", "베트남"), "베트남") == 1
    assert _hidden(_line("연락처", "010", "9876", "5432", "국적", "베트남"), "베트남") == 3
    assert _hidden(_line("Passport", "No.", "AB12345X7", "Nationality", "Vietnam"), "Vietnam") == 1


def test_long_numbers_are_hidden_but_money_and_public_numbers_are_not() -> None:
    assert _hidden(_line("비상", "010987654321", "국적", "베트남"), "베트남") == 1
    assert _hidden(_line("임금", ":", "월", "3,800,000원", "지급"), "3,800,000원") == 0
    assert _hidden(_line("사업자등록번호", ":", "289-75-72359", "(주)바다무역"), "(주)바다무역") == 0
    assert _hidden(_line("계약기간", "2026-03-02", "부터"), "2026-03-02") == 0


def test_name_read_syllable_by_syllable_is_hidden() -> None:
    # The Hangul model boxes each syllable apart; close boxes still make up the name.
    syllables = _line("성명", ":", gap=20) + _line("홍", "길", "동", gap=4, top=100)
    for i, word in enumerate(syllables[2:]):
        syllables[2 + i] = word.model_copy(update={"left": 200 + 28 * i})
    assert _hidden(syllables, "홍길동", names=(EMPLOYEE,)) == 3
    assert _hidden(syllables, "홍길동") == 0


def test_crop_keeps_syllable_words_and_drops_trailing_scraps(monkeypatch) -> None:
    # Hangul is boxed syllable by syllable: the value's last syllables stay in the picture,
    # while marks and a far-off scrap (a seal, a speck read as "oa") do not widen it.
    from extractors.records import FieldValue
    from reports.crops import crop_value

    monkeypatch.setattr("reports.crops.MAX_WIDTH", 5000)
    syllables = [WordBox(text=t, left=100 + 40 * i, top=100, width=34, height=34, line="1.1.1")
                 for i, t in enumerate(["직", "종", ":", "사", "무", "보", "조", "원"])]
    scraps = [WordBox(text="oa", left=1300, top=100, width=40, height=30, line="1.1.1"),
              WordBox(text="|", left=1360, top=95, width=6, height=44, line="1.1.1")]
    field = FieldValue(value="사무보조원 oa |", found=True, page=1, route=Route.ocr)
    crop = crop_value(Image.new("L", (1500, 300), 255), syllables + scraps, field, redact=True)
    last = syllables[-1]
    assert crop is not None
    assert _image(crop.data_uri).width == (last.left + last.width + 56) - (100 - 56)


def test_specks_do_not_shrink_the_measure_of_far(monkeypatch) -> None:
    # A seal read as a row of 2-pixel "words" after the value (as on the scanned sample).
    from extractors.records import FieldValue
    from reports.crops import crop_value

    monkeypatch.setattr("reports.crops.MAX_WIDTH", 5000)
    words = [WordBox(text=t, left=x, top=100, width=w, height=h, line="1.1.1") for t, x, w, h in (
        ("국", 264, 38, 39), ("적", 317, 32, 40), (":", 369, 5, 24), ("베트남", 392, 115, 41),
        ("|", 643, 3, 3), ("2.", 1401, 2, 2), ("un", 1559, 2, 2), (",", 1729, 27, 35),
        ("|", 1964, 2, 2), ("'", 2200, 2, 2), (".", 2320, 2, 2))]
    field = FieldValue(value="베트남 | 2. un , | ' .", found=True, page=1, route=Route.ocr)
    crop = crop_value(Image.new("L", (2480, 300), 255), words, field, redact=True)
    assert crop is not None and _image(crop.data_uri).width == (392 + 115 + 56) - (264 - 56)


def test_touching_table_cells_are_masked_one_by_one() -> None:
    # A table row is one "line" of cell boxes that touch: only the number's cell goes black.
    edges = (300, 760, 1300, 1500, 1800)
    cells = [WordBox(text=t, left=a, top=100, width=b - a, height=100, line="t0.r2")
             for t, a, b in zip(("외국인등록번호", "950408-5123456", "국적", "베트남"),
                                edges, edges[1:], strict=False)]
    assert _hidden(cells, "베트남") == 1
