"""Crops of scanned page images around OCR-read values, with identifiers blacked out."""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from PIL import Image, ImageDraw
from rapidfuzz import fuzz

from extractors.records import ContractFields, FieldValue, Record, Route
from reports.html import FIELD_LABELS, Crop
from reports.pii import mask_names, mask_text

log = logging.getLogger(__name__)

MIN_LINE_SCORE = 70  # rapidfuzz partial_ratio (0-100) a line needs to count as the value's line
MAX_LINES = 4  # lines a multi-line value (duties) may span in a crop
PAD = 14  # pixels around the located words
MAX_WIDTH = 900  # crops are downscaled to this width to keep reports small
OCR_TIMEOUT = 30.0  # seconds for locating words on one page


class WordBox(Record):
    text: str  # the word as recognised
    left: int  # pixel box on the page image
    top: int
    width: int
    height: int
    line: str  # identifies the word's line ("block.paragraph.line")


WordLocator = Callable[[Path], list[WordBox]]


def crop_fields(
    fields: ContractFields,
    page_images: Mapping[int, Path],
    *,
    locate: WordLocator | None = None,
    redact: bool = True,
    names: tuple[str, ...] = (),
) -> dict[str, Crop]:
    """Crop the page region of each scanned (OCR-route) value; fields that cannot be located
    are left out, so the report simply shows no picture for them."""
    locate = locate or tesseract_words
    words_by_page: dict[int, list[WordBox]] = {}
    crops: dict[str, Crop] = {}
    for key, _, _ in FIELD_LABELS:
        value: FieldValue = getattr(fields, key)
        if not _wants_crop(value, page_images):
            continue
        if value.page not in words_by_page:
            words_by_page[value.page] = _safe_locate(locate, Path(page_images[value.page]))
        crop = crop_value(Path(page_images[value.page]), words_by_page[value.page], value,
                          redact=redact, names=names)
        if crop is not None:
            crops[key] = crop
    return crops


def crop_value(
    image_path: Path, words: list[WordBox], value: FieldValue, *, redact: bool,
    names: tuple[str, ...] = (),
) -> Crop | None:
    """Crop around the lines that best match the value (or its snippet)."""
    lines = _group_lines(words)
    chosen = _matching_lines(lines, value.value or value.snippet or "")
    if not chosen:
        return None
    with Image.open(image_path) as page:
        picture = page.convert("RGB")
    box = _union([w for line in chosen for w in line], picture.size)
    hidden = _redact(picture, lines, box, names) if redact else 0
    return Crop(data_uri=png_data_uri(picture.crop(box)), page=value.page or 0, redacted=hidden)


def tesseract_words(image_path: Path) -> list[WordBox]:
    """Word boxes from Tesseract's `image_to_data` (kor+eng); the cheap, one-call route."""
    import pytesseract

    data = pytesseract.image_to_data(
        str(image_path), lang="kor+eng", config="--psm 6", timeout=OCR_TIMEOUT,
        output_type=pytesseract.Output.DICT,
    )
    return words_from_data(data)


def words_from_data(data: Mapping[str, list]) -> list[WordBox]:
    """Convert pytesseract's DICT output into WordBox records (empty words dropped)."""
    words = []
    for i, text in enumerate(data.get("text", [])):
        if not str(text).strip() or float(data["conf"][i]) < 0:
            continue
        line = f"{data['block_num'][i]}.{data['par_num'][i]}.{data['line_num'][i]}"
        words.append(WordBox(text=str(text).strip(), left=int(data["left"][i]),
                             top=int(data["top"][i]), width=int(data["width"][i]),
                             height=int(data["height"][i]), line=line))
    return words


def png_data_uri(image: Image.Image) -> str:
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _wants_crop(value: FieldValue, page_images: Mapping[int, Path]) -> bool:
    return (value.found and value.route is Route.ocr and value.page in page_images
            and bool(value.value or value.snippet))


def _safe_locate(locate: WordLocator, image_path: Path) -> list[WordBox]:
    # A crop is a convenience: a missing Tesseract or an unreadable image must not fail a report.
    try:
        return locate(image_path)
    except Exception as e:  # noqa: BLE001 - any failure only means "no crop"
        log.warning("no crops for %s: %s", image_path.name, type(e).__name__)
        return []


def _group_lines(words: list[WordBox]) -> list[list[WordBox]]:
    lines: dict[str, list[WordBox]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    return sorted(lines.values(), key=lambda line: min(w.top for w in line))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _matching_lines(lines: list[list[WordBox]], target: str) -> list[list[WordBox]]:
    target = _squash(target)
    if not target or not lines:
        return []
    scores = [fuzz.partial_ratio(_squash("".join(w.text for w in line)), target) for line in lines]
    best = max(range(len(lines)), key=scores.__getitem__)
    if scores[best] < MIN_LINE_SCORE:
        return []
    end = best + 1
    while end < len(lines) and end - best < MAX_LINES and scores[end] >= MIN_LINE_SCORE + 10:
        end += 1
    return lines[best:end]


def _union(words: list[WordBox], size: tuple[int, int]) -> tuple[int, int, int, int]:
    left = max(min(w.left for w in words) - PAD * 4, 0)
    top = max(min(w.top for w in words) - PAD, 0)
    right = min(max(w.left + w.width for w in words) + PAD * 4, size[0])
    bottom = min(max(w.top + w.height for w in words) + PAD, size[1])
    return left, top, right, bottom


def _redact(
    picture: Image.Image, lines: list[list[WordBox]], box: tuple[int, int, int, int],
    names: tuple[str, ...],
) -> int:
    """Black out words inside `box` that belong to an identifier or a person's name; whole
    lines are examined so that a keyword ("연락처") still qualifies the number after it."""
    draw = ImageDraw.Draw(picture)
    hidden = 0
    for line in lines:
        if not any(_overlaps(w, box) for w in line):
            continue
        for word in _identifier_words(line, names):
            draw.rectangle((word.left - 2, word.top - 2, word.left + word.width + 2,
                            word.top + word.height + 2), fill="black")
            hidden += 1
    return hidden


def _overlaps(w: WordBox, box: tuple[int, int, int, int]) -> bool:
    return w.left < box[2] and w.left + w.width > box[0] and w.top < box[3] and w.top + w.height > box[1]


def _identifier_words(line: list[WordBox], names: tuple[str, ...]) -> list[WordBox]:
    # Mask the joined line, then map changed character positions back to the words they hit.
    text, spans = "", []
    for w in sorted(line, key=lambda w: w.left):
        spans.append((len(text), len(text) + len(w.text), w))
        text += w.text + " "
    masked = mask_names(mask_text(text), names)
    if len(masked) != len(text):  # masking always keeps lengths; be safe if that ever changes
        return [w for _, _, w in spans]
    return [w for start, end, w in spans if masked[start:end] != text[start:end]]
