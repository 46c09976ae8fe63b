"""Crops of scanned page images around OCR-read values, with identifiers blacked out.

Extraction keeps, for every OCR page, the image OCR read (a PNG in the document's work folder)
and the word boxes in its pixels (`extractors.records.PageLayout`); `crop_fields` cuts the
pages holding OCR-read values from them. Reports never open the audited file nor run OCR.
A crop is a convenience: any failure only means "no picture", never a failed report.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from statistics import median

from PIL import Image, ImageDraw
from rapidfuzz import fuzz

from extractors.fields.registry import value_fields
from extractors.records import ContractFields, FieldValue, PageLayout, PageWord, Route
from reports.html import Crop
from reports.pii import mask_names, mask_text

log = logging.getLogger(__name__)

MIN_LINE_SCORE = 70  # rapidfuzz partial_ratio (0-100) a line needs to count as the value's line
MAX_LINES = 4  # lines a multi-line value (duties) may span in a crop
PAD = 14  # pixels around the located words
MAX_WIDTH = 900  # crops are downscaled to this width to keep reports small

# The word boxes OCR keeps per page (extractors.records.PageWord): text, pixel box, line key.
WordBox = PageWord
PageSource = Callable[[int], "tuple[Image.Image, list[WordBox]] | None"]


def crop_fields(
    fields: ContractFields,
    layouts: Mapping[int, PageLayout],
    *,
    redact: bool = True,
    names: tuple[str, ...] = (),
) -> dict[str, Crop]:
    """Crop the page region of each scanned (OCR-route) value from the page image and word
    boxes extraction kept (`layouts`: 1-based page -> PageLayout). Only pages holding such a
    value are opened; values that cannot be located, and pages whose image was not kept (a
    result read back from JSON) or does not match its boxes, simply get no picture."""

    def page(number: int) -> tuple[Image.Image, list[WordBox]] | None:
        layout = layouts.get(number)
        if layout is None or not layout.image or not layout.words:
            return None
        with Image.open(Path(layout.image)) as image:
            if image.size != (layout.width, layout.height):
                log.warning("no crops for page %d: page image does not match its layout", number)
                return None
            return _pixels(image), list(layout.words)

    return _crop_pages(fields, set(layouts), page, redact=redact, names=names)


def crop_value(
    image: Path | Image.Image, words: list[WordBox], value: FieldValue, *, redact: bool,
    names: tuple[str, ...] = (),
) -> Crop | None:
    """Crop around the lines that best match the value (or its snippet)."""
    lines = _group_lines(words)
    target = value.value or value.snippet or ""
    chosen = _matching_lines(lines, target, value.snippet or "")
    if not chosen and value.value and value.snippet:
        # A normalised value (a date as YYYY-MM-DD) may not be on the page as such: its snippet is.
        target = value.snippet
        chosen = _matching_lines(lines, target, target)
    if not chosen:
        return None
    if isinstance(image, Path | str):
        with Image.open(image) as page:
            picture = _pixels(page)
    else:
        picture = image.copy()
    box = _union([_through_value(line, _squash(target)) for line in chosen], lines, picture.size)
    hidden = _redact(picture, lines, box, names) if redact else 0
    return Crop(data_uri=png_data_uri(picture.crop(box)), page=value.page or 0, redacted=hidden)


def _crop_pages(
    fields: ContractFields, pages: set[int], source: PageSource, *, redact: bool,
    names: tuple[str, ...],
) -> dict[str, Crop]:
    """Crop every scanned value on `pages`; each page is loaded (and located) once."""
    loaded: dict[int, tuple[Image.Image, list[WordBox]] | None] = {}
    crops: dict[str, Crop] = {}
    for key, value in _values(fields).items():
        if not (_scanned(value) and value.page in pages):
            continue
        if value.page not in loaded:
            loaded[value.page] = _safe_page(source, value.page)
        page = loaded[value.page]
        if page is None:
            continue
        image, words = page
        try:
            crop = crop_value(image, words, value, redact=redact, names=names)
        except Exception as e:  # noqa: BLE001 - one bad crop must not cost the others
            log.warning("no crop for %s on page %d: %s", key, value.page, type(e).__name__)
            continue
        if crop is not None:
            crops[key] = crop
    return crops


def png_data_uri(image: Image.Image) -> str:
    """The picture as an inline PNG, downscaled to MAX_WIDTH (grayscale pages stay 8-bit)."""
    if image.width > MAX_WIDTH:
        size = (MAX_WIDTH, max(1, round(image.height * MAX_WIDTH / image.width)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _values(fields: ContractFields) -> dict[str, FieldValue]:
    """The values of the registry's value fields (the report's field table), in its order."""
    return {spec.name: getattr(fields, spec.name) for spec in value_fields()}


def _scanned(value: FieldValue) -> bool:
    return (value.found and value.route is Route.ocr and value.page is not None
            and bool(value.value or value.snippet))


def _pixels(image: Image.Image) -> Image.Image:
    """A loaded copy: grayscale scans stay grayscale (a third of RGB), anything else RGB."""
    return image.convert("L" if image.mode in ("L", "1", "I;16") else "RGB")


def _safe_page(source: PageSource, number: int) -> tuple[Image.Image, list[WordBox]] | None:
    try:
        return source(number)
    except Exception as e:  # noqa: BLE001 - any failure only means "no crop" for this page
        log.warning("no crops for page %d: %s", number, type(e).__name__)
        return None


def _group_lines(words: list[WordBox]) -> list[list[WordBox]]:
    lines: dict[str, list[WordBox]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    return sorted(lines.values(), key=lambda line: min(w.top for w in line))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _line_text(line: list[WordBox]) -> str:
    return _squash("".join(w.text for w in sorted(line, key=lambda w: w.left)))


def _score(text: str, target: str) -> float:
    """How well an OCR line holds `target` (0-100); a line much shorter than the target (a
    stray "1." or "-") cannot reach the threshold by matching a small part of it."""
    if not text or not target:
        return 0.0
    score = fuzz.partial_ratio(text, target)
    return score * min(1.0, len(text) / (0.6 * len(target)))


def _matching_lines(
    lines: list[list[WordBox]], target: str, snippet: str = ""
) -> list[list[WordBox]]:
    """The OCR lines showing `target`: the best line for its first line (the snippet, the
    text read around the value, decides between equal lines), then the following OCR lines as
    long as they show the target's next lines, at most MAX_LINES."""
    parts = [_squash(part) for part in target.splitlines() if part.strip()][:MAX_LINES]
    if not parts or not lines:
        return []
    texts = [_line_text(line) for line in lines]
    scores = [_score(text, parts[0]) for text in texts]
    context = _squash(snippet)
    best = max(range(len(lines)), key=lambda i: (
        scores[i], fuzz.partial_ratio(texts[i], context) if context else 0.0, -i))
    if scores[best] < MIN_LINE_SCORE:
        return []
    end = best + 1
    for part in parts[1:]:
        if end >= len(lines) or _score(texts[end], part) < MIN_LINE_SCORE:
            break
        end += 1
    return lines[best:end]


def _union(
    chosen: list[list[WordBox]], lines: list[list[WordBox]], size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The chosen words' box, padded, but never past the middle of the gap to the line above
    or below (a neighbour's name or number would otherwise peek in). Neighbours are measured by
    the median of their word boxes: a stray tall box (a rule, a seal, '|') must not stretch them."""
    words = [w for line in chosen for w in line]
    left = max(min(w.left for w in words) - PAD * 4, 0)
    right = min(max(w.left + w.width for w in words) + PAD * 4, size[0])
    inner_top = min(w.top for w in words)
    inner_bottom = max(w.top + w.height for w in words)
    top, bottom = max(inner_top - PAD, 0), min(inner_bottom + PAD, size[1])
    middle = (inner_top + inner_bottom) / 2
    for line in lines:
        if any(line is c for c in chosen) or not any(
                w.left < right and w.left + w.width > left for w in line):
            continue
        line_top, line_bottom = _extent(line)
        if line_bottom <= middle:  # above
            top = max(top, min((line_bottom + inner_top) // 2, inner_top - 2))
        elif line_top >= middle:  # below
            bottom = min(bottom, max((line_top + inner_bottom + 1) // 2, inner_bottom + 2))
    return left, top, right, bottom


def _through_value(line: list[WordBox], target: str) -> list[WordBox]:
    """The line's words from its start (the label) to the last word belonging to the value:
    OCR also reads specks, rules and seals beside a value as "words" (and a value may end in
    them), which would widen the crop and shrink its text when downscaled. Trailing marks, and
    short scraps far from the value's last real word, are left out."""
    ordered = sorted(line, key=lambda w: w.left)
    last = max((i for i, w in enumerate(ordered) if _in_value(_squash(w.text), target)), default=None)
    kept = ordered if last is None else ordered[: last + 1]
    tallest = max(w.height for w in kept)  # specks are boxed a few pixels high: not a measure
    height = median([w.height for w in kept if w.height >= tallest / 2])
    while len(kept) > 1:
        real = [w for w in kept[:-1] if not _weak(w.text)]
        far = bool(real) and kept[-1].left - (real[-1].left + real[-1].width) > 3 * height
        if not (_weak(kept[-1].text) or (far and len(_squash(kept[-1].text)) <= 4)):
            break
        kept = kept[:-1]
    return kept


def _weak(text: str) -> bool:
    """A mark rather than a word: no letter, digit or Hangul syllable ('|', ',', "'.")."""
    return not any(c.isalnum() for c in text)


def _in_value(word: str, target: str) -> bool:
    if not word:
        return False
    return word in target or (len(word) >= 3 and fuzz.partial_ratio(word, target) >= 85)


def _extent(line: list[WordBox]) -> tuple[int, int]:
    """(top, bottom) of a line: the medians of its words' tops and bottoms."""
    return (int(median(w.top for w in line)), int(median(w.top + w.height for w in line)))


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
    """Words of the line to hide: those the output masking changes (identifiers, the names),
    plus every number after an identifier label or long enough to be one, because the picture
    shows the real digits even where OCR misread them past the masking patterns."""
    ordered = sorted(line, key=lambda w: w.left)
    text, spans = _line_text_spans(ordered)
    masked = mask_names(mask_text(text), names)
    if len(masked) != len(text):  # masking always keeps lengths; be safe if that ever changes
        return ordered
    # Masking keeps a hint (홍**, 900101-1******): the picture hides the whole token instead.
    changed = [m.span() for m in re.finditer(r"\S+", text)
               if masked[m.start():m.end()] != text[m.start():m.end()]]
    hidden = {id(w) for start, end, w in spans if any(a < end and start < b for a, b in changed)}
    label = _ID_LABEL.search(text)
    for start, _, w in spans:
        digits = sum(c.isdigit() for c in w.text)
        after_label = label is not None and start >= label.end() and digits >= 2
        long_number = digits >= 10 and not (_AMOUNT.match(w.text) or _BUSINESS_NO.search(w.text))
        if after_label or long_number:
            hidden.add(id(w))
    return [w for w in ordered if id(w) in hidden]


def _line_text_spans(ordered: list[WordBox]) -> tuple[str, list[tuple[int, int, WordBox]]]:
    """The line as text with each word's span. Words closer than a third of the line height
    join without a space: the Hangul model boxes each syllable apart, and a name split into
    syllables must still read as the name. Table cells (one box each) always stay apart."""
    height = median(w.height for w in ordered) if ordered else 0
    cells = bool(ordered) and ordered[0].line.startswith("t")  # table cells touch but never join
    text, spans, previous = "", [], None
    for w in ordered:
        if previous is not None and (cells or w.left - (previous.left + previous.width) > height / 3):
            text += " "
        spans.append((len(text), len(text) + len(w.text), w))
        text += w.text
        previous = w
    return text, spans


# Labels of personal identifiers (not 사업자등록번호, the employer's public number).
_ID_LABEL = re.compile(
    r"(?<!사업자)(?:주민|외국인)?등록\s?번호|여권|(?<![A-Za-z])(?:passport|phone|mobile|tel)"
    r"|연락처|전화|휴대|핸드폰|계좌|통장|(?<![A-Za-z])account", re.IGNORECASE)
_BUSINESS_NO = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{5}(?!\d)")  # 사업자등록번호: public, kept
_AMOUNT = re.compile(r"^\D{0,2}\d{1,3}(?:,\d{3})+")  # 3,800,000 / ₩52,000,000: money, not an ID
