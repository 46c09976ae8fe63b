"""Second OCR pass on low-confidence words: Latin inside Korean lines ('API', 'CI/CD', names).

The Hangul script model reads a Korean contract best but garbles capitals and acronyms
('API' -> '^ 1', 'CI/CD' -> '1/00', 'MARIA SANTOS' -> 'MAR1A SANT0S'), always with low word
confidence. We cut each run of low-confidence words of a line out of the page (a few pixels of
margin, on a white border), read every cut as one text line (psm 7) with a model that knows
Latin (Hangul+eng) in one Tesseract process, and take the second reading of a run only when it
is more confident, adds no Hangul (a cut may catch a neighbour's syllable) and, where the first
pass read Hangul, is a Latin word. Measured on bench.extract (docs/MEASUREMENTS.md).

Reading all cuts stacked on one strip at psm 6 (the first version) did not work: Tesseract
segmented the strip's short, unevenly sized cuts badly ('API' still came back as '^미').
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from extractors.ocr import OcrResult, OcrWord, TwoPassOcrEngine, result_from_words

PAD = 6  # page pixels kept above and below a run's word boxes (at 300 DPI)
PAD_X = 20  # ... and at most this many beside it, up to the neighbouring words
BORDER = 20  # white border around each cut (Tesseract needs some quiet zone)
MAX_CUTS = 60  # most runs re-read per page (a page of garbage is not worth a second pass)
MIN_PAGE_CONF = 0.6  # pages read worse than this are upside down or noise: OSD re-reads them
HANGUL_MARGIN = 0.1  # confidence a Latin reading must gain over a Hangul one
MAX_LINE_HEIGHTS = 2.0  # runs taller than this many median word heights are not a text line
_HANGUL = re.compile(r"[가-힣]")
_LATIN_WORD = re.compile(r"[A-Z]{2,}|[A-Za-z]{3,}")  # an acronym or a word


@dataclass(frozen=True)
class Cut:
    """A run of low-confidence words of one line, and its pixels on a white border."""

    words: tuple[OcrWord, ...]  # the first-pass words
    box: tuple[int, int, int, int]  # (left, top, right, bottom) on the page
    image: Image.Image  # the run's pixels with BORDER white pixels around them


def low_runs(words: Sequence[OcrWord], below: float) -> list[tuple[OcrWord, ...]]:
    """Runs of consecutive words of one line whose confidence is under `below`."""
    runs: list[tuple[OcrWord, ...]] = []
    current: list[OcrWord] = []
    for word in words:
        if word.conf < below and (not current or current[-1].line == word.line):
            current.append(word)
            continue
        if current:
            runs.append(tuple(current))
        current = [word] if word.conf < below else []
    if current:
        runs.append(tuple(current))
    return runs


def worth_a_second_look(run: Sequence[OcrWord]) -> bool:
    """A run with a Latin letter, digit or sign in it; all-Hangul runs stay (Hangul+eng reads
    Hangul no better, and a Latin reading of them is rare enough not to pay for the cut)."""
    return any(not _HANGUL.fullmatch(ch) for w in run for ch in w.text)


def line_like(runs: Sequence[tuple[OcrWord, ...]], words: Sequence[OcrWord]) -> list[tuple[OcrWord, ...]]:
    """The runs no taller than MAX_LINE_HEIGHTS median word heights of the page, and without a
    word wider than MAX_LINE_HEIGHTS such heights per character (plus one).

    Such a run is a box Tesseract drew over a rule, a seal or a table's cells (2091 x 214
    pixels on a table form; an underline read as '_', 1416 pixels wide): read as one line it
    takes the longest of all cuts and was never taken on the benchmark.
    """
    if not words:
        return list(runs)
    heights = sorted(w.height for w in words)
    limit = MAX_LINE_HEIGHTS * heights[len(heights) // 2]
    return [run for run in runs
            if max(w.top + w.height for w in run) - min(w.top for w in run) <= limit
            and all(w.width <= limit * (len(w.text) + 1) for w in run)]


def _box(run: Sequence[OcrWord], size: tuple[int, int], neighbours: tuple[int, int]) -> tuple[int, int, int, int]:
    """The run's box with PAD around it and up to PAD_X sideways, short of the neighbour words.

    The Hangul model's boxes drift off Latin letters ('CI/CD' boxed from the 'I'), so the cut
    reaches into the gap beside the run, never into the words of the same line beside it.
    """
    left, right = min(w.left for w in run), max(w.left + w.width for w in run)
    return (max(0, neighbours[0] + 1, left - PAD_X), max(0, min(w.top for w in run) - PAD),
            min(size[0], neighbours[1] - 1, right + PAD_X),
            min(size[1], max(w.top + w.height for w in run) + PAD))


def _neighbours(run: tuple[OcrWord, ...], words: Sequence[OcrWord]) -> tuple[int, int]:
    """Right edge of the word before the run and left edge of the word after it, same line."""
    line = [w for w in words if w.line == run[0].line and w not in run]
    left, right = min(w.left for w in run), max(w.left + w.width for w in run)
    before = [w.left + w.width for w in line if w.left + w.width <= left]
    after = [w.left for w in line if w.left >= right]
    return max(before, default=-1), min(after, default=1 << 30)


def cut_runs(image: Image.Image, runs: Sequence[tuple[OcrWord, ...]],
             words: Sequence[OcrWord] = ()) -> list[Cut]:
    """Each run's pixels (its words' boxes and a margin) on its own white canvas.

    `words` (the page's first-pass words) keep the margin off the run's neighbours.
    """
    gray = image.convert("L")
    cuts = []
    for run in runs:
        box = _box(run, gray.size, _neighbours(run, words))
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            continue
        canvas = Image.new("L", (box[2] - box[0] + 2 * BORDER, box[3] - box[1] + 2 * BORDER), 255)
        canvas.paste(gray.crop(box), (BORDER, BORDER))
        cuts.append(Cut(run, box, canvas))
    return cuts


def placed(cut: Cut, reading: OcrResult) -> list[OcrWord]:
    """The second-pass words of `cut`, moved back to page coordinates and the cut's line."""
    dx, dy = cut.box[0] - BORDER, cut.box[1] - BORDER
    line = cut.words[0].line
    return [w.model_copy(update={"left": w.left + dx, "top": w.top + dy, "line": line})
            for w in sorted(reading.boxes, key=lambda w: w.left)]


def better(old: Sequence[OcrWord], new: Sequence[OcrWord]) -> bool:
    """Take the second reading: more confident, and Latin unless the first had no Hangul."""
    if not new:
        return False
    old_conf = sum(w.conf for w in old) / len(old)
    new_conf = sum(w.conf for w in new) / len(new)
    new_text, old_text = "".join(w.text for w in new), "".join(w.text for w in old)
    if _HANGUL.search(new_text):  # the cut can catch a neighbour's syllable: never add Hangul
        return False
    if _HANGUL.search(old_text):  # Hangul gives way only to a clearly better Latin word
        return bool(_LATIN_WORD.search(new_text)) and new_conf > old_conf + HANGUL_MARGIN
    if _mostly_figures(old_text) and not _same_number(old_text, new_text):
        return False  # figures the first pass saw never vanish ('6E-7-1' -> 'aot fa 3')
    if not _LATIN_WORD.search(new_text) and not (_digits(old_text) and _same_number(old_text, new_text)):
        return False  # numbers: '2026' never becomes '20264'; a speck never becomes 'a'
    if _fold(old_text) == _fold(new_text):
        return False  # 'UI' / 'Ul': the second model knows no better which stroke it is
    if all(_PLAIN_LATIN.fullmatch(w.text) for w in old):  # already a word: a clear gain only
        return new_conf > old_conf + HANGUL_MARGIN
    return new_conf > old_conf


_PLAIN_LATIN = re.compile(r"[(\[\"']?[A-Za-z][A-Za-z'-]*[)\]\"'.,;:]?")
_STROKES = str.maketrans({"l": "I"})


def _fold(text: str) -> str:
    """Text with the letters no model tells apart in a sans-serif font (I, l) made one."""
    return text.translate(_STROKES)


def _same_number(old: str, new: str) -> bool:
    """Same digits, or digits dropped for as many letters ('6-7-1' -> 'E-7-1')."""
    kept, dropped = _digits(new), len(_digits(old)) - len(_digits(new))
    letters = len(re.findall(r"[A-Za-z]", new)) - len(re.findall(r"[A-Za-z]", old))
    return _is_subsequence(kept, _digits(old)) and 0 <= dropped <= max(letters, 0)


def _mostly_figures(text: str) -> bool:
    """At least two digits and no more letters than digits ('6E-7-1', not 'PR1yYA5')."""
    digits = len(_digits(text))
    return digits >= 2 and digits >= len(re.findall(r"[A-Za-z]", text))


def _is_subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(ch in rest for ch in short)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


_EDGE = "|:;.,'\"`-_~^*<>"


def trim(old: Sequence[OcrWord], new: list[OcrWord]) -> list[OcrWord]:
    """The second reading without the marks its margin caught at either end.

    The cut reaches into the gaps beside the run, where it finds specks, the neighbour's
    punctuation or a stroke of its glyph ('|대전...', 'CI/CD.'): marks at an end of the new
    reading that the first reading does not have at that end are dropped.
    """
    if not new or not old:
        return new
    words = list(new)
    first, last = old[0].text, old[-1].text
    while words and len(words[0].text) == 1 and not words[0].text.isalnum() and words[0].text != first[:1]:
        words.pop(0)
    while words and len(words[-1].text) == 1 and not words[-1].text.isalnum() and words[-1].text != last[-1:]:
        words.pop()
    if not words:
        return []
    head = words[0].text.lstrip(_EDGE) if not first.startswith(tuple(_EDGE)) else words[0].text
    words[0] = words[0].model_copy(update={"text": head or words[0].text})
    tail = words[-1].text.rstrip(_EDGE) if not last.endswith(tuple(_EDGE)) else words[-1].text
    words[-1] = words[-1].model_copy(update={"text": tail or words[-1].text})
    return words


def merge(words: Sequence[OcrWord], cuts: Sequence[Cut], readings: Sequence[OcrResult]) -> list[OcrWord]:
    """`words` with each cut's run replaced by its second reading where that is better."""
    replace: dict[int, list[OcrWord]] = {}
    for cut, reading in zip(cuts, readings, strict=True):
        new = trim(cut.words, placed(cut, reading))
        if better(cut.words, new):
            replace[id(cut.words[0])] = new
            replace.update({id(w): [] for w in cut.words[1:]})
    return [x for w in words for x in replace.get(id(w), [w])]


class RefiningOcrEngine(TwoPassOcrEngine):
    """Reads with `primary`, then re-reads its low-confidence word runs with `secondary`.

    `secondary` reads all cuts of a page in one call when it `reads_lines` (TesseractEngine:
    libtesseract in-process or one process, psm 7 per cut), else one `recognize` call per cut.
    It reads many images of a page in one call (`reads_many`), passing them to `primary` in one
    call when `primary` can.
    """

    reads_many = True

    def recognize(self, image: Image.Image, *, page: int, timeout: float) -> OcrResult:
        started = time.monotonic()
        first = self.primary.recognize(image, page=page, timeout=timeout)
        return self._refine(image, first, page=page, timeout=timeout - (time.monotonic() - started))

    def recognize_many(self, images: Sequence[Image.Image], *, page: int, timeout: float) -> list[OcrResult]:
        """Each image read as `recognize` reads it; the first pass in one call when the primary
        engine `reads_many` (TesseractEngine: one process for the page and its cells)."""
        started = time.monotonic()
        primary = self.primary
        firsts = (primary.recognize_many(images, page=page, timeout=timeout) if primary.reads_many
                  else [primary.recognize(im, page=page, timeout=timeout) for im in images])
        return [self._refine(image, first, page=page, timeout=timeout - (time.monotonic() - started))
                for image, first in zip(images, firsts, strict=True)]

    def _refine(self, image: Image.Image, first: OcrResult, *, page: int, timeout: float) -> OcrResult:
        started = time.monotonic()
        runs = line_like([run for run in low_runs(first.boxes, self.below) if worth_a_second_look(run)],
                         first.boxes)
        left = timeout - (time.monotonic() - started)
        if not runs or left <= 1.0 or first.confidence < MIN_PAGE_CONF:
            return first
        worst = sorted(range(len(runs)), key=lambda i: _run_conf(runs[i]))[:MAX_CUTS]
        cuts = cut_runs(image, [runs[i] for i in sorted(worst)], first.boxes)
        if not cuts:
            return first
        readings = self._read(cuts, page=page, timeout=left)
        return result_from_words(merge(first.boxes, cuts, readings))

    def _read(self, cuts: Sequence[Cut], *, page: int, timeout: float) -> list[OcrResult]:
        if self.secondary.reads_lines:
            return self.secondary.recognize_lines([c.image for c in cuts], page=page, timeout=timeout)
        return [self.secondary.recognize(c.image, page=page, timeout=timeout) for c in cuts]


def _run_conf(run: tuple[OcrWord, ...]) -> float:
    return sum(w.conf for w in run) / len(run)
