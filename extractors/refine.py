"""Second OCR pass on low-confidence words: Latin inside Korean lines ('API', 'E-7-1', names).

The Hangul script model reads a Korean contract best but garbles capitals and acronyms
('API' -> '4 미', 'E-7-1' -> '6-7-1', 'PRIYA' -> 'PR1yYA5'), always with low word confidence.
We cut each run of low-confidence words out of the page, lay the cuts on one small strip,
read the strip once with a model that knows Latin (Hangul+eng) and take the second reading
of a run only when it is more confident, adds no Hangul (cuts may catch a neighbour's
syllable) and, where the first pass read Hangul, is a Latin word.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from extractors.ocr import OcrEngine, OcrResult, OcrWord, result_from_words

MARGIN = 24  # white space around each cut on the strip (pixels)
GAP = 30  # vertical space between cuts
HANGUL_MARGIN = 0.1  # confidence a Latin reading must gain over a Hangul one
_HANGUL = re.compile(r"[가-힣]")
_LATIN_WORD = re.compile(r"[A-Z]{2,}|[A-Za-z]{3,}")  # an acronym or a word


@dataclass(frozen=True)
class Cut:
    """A run of low-confidence words of one line and where its pixels sit on the strip."""

    words: tuple[OcrWord, ...]  # the first-pass words
    box: tuple[int, int, int, int]  # (left, top, right, bottom) on the page
    top: int  # top of the cut on the strip


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


def _box(words: Sequence[OcrWord], size: tuple[int, int], pad: int = 3) -> tuple[int, int, int, int]:
    return (max(0, min(w.left for w in words) - pad), max(0, min(w.top for w in words) - pad),
            min(size[0], max(w.left + w.width for w in words) + pad),
            min(size[1], max(w.top + w.height for w in words) + pad))


def cut_strip(image: Image.Image, runs: Sequence[tuple[OcrWord, ...]]) -> tuple[Image.Image, list[Cut]]:
    """The runs' pixels (only the words' own boxes, no neighbours) stacked on a white strip."""
    gray = image.convert("L")
    cuts, y = [], GAP
    for run in runs:
        box = _box(run, gray.size)
        cuts.append(Cut(run, box, y))
        y += box[3] - box[1] + GAP
    width = max(c.box[2] - c.box[0] for c in cuts) + 2 * MARGIN
    strip = Image.new("L", (width, y), 255)
    for cut in cuts:
        strip.paste(gray.crop(cut.box), (MARGIN, cut.top))
    return strip, cuts


def _placed(cut: Cut, words: Sequence[OcrWord]) -> list[OcrWord]:
    """Second-pass words inside `cut`, moved back to page coordinates and the cut's line."""
    height = cut.box[3] - cut.box[1]
    inside = [w for w in words if cut.top <= w.top + w.height / 2 <= cut.top + height]
    dx, dy = cut.box[0] - MARGIN, cut.box[1] - cut.top
    line = cut.words[0].line
    return [w.model_copy(update={"left": w.left + dx, "top": w.top + dy, "line": line})
            for w in sorted(inside, key=lambda w: w.left)]


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
    if not _LATIN_WORD.search(new_text) and not _same_number(old_text, new_text):
        return False  # numbers: '2026' never becomes '20264'
    return new_conf > old_conf


def _same_number(old: str, new: str) -> bool:
    """Same digits, or digits dropped for as many letters ('6-7-1' -> 'E-7-1')."""
    kept, dropped = _digits(new), len(_digits(old)) - len(_digits(new))
    letters = len(re.findall(r"[A-Za-z]", new)) - len(re.findall(r"[A-Za-z]", old))
    return _is_subsequence(kept, _digits(old)) and 0 <= dropped <= max(letters, 0)


def _is_subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(ch in rest for ch in short)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def merge(words: Sequence[OcrWord], cuts: Sequence[Cut], second: Sequence[OcrWord]) -> list[OcrWord]:
    """`words` with each cut's run replaced by its second reading where that is better."""
    replace: dict[int, list[OcrWord]] = {}
    for cut in cuts:
        new = _placed(cut, second)
        if better(cut.words, new):
            replace[id(cut.words[0])] = new
            replace.update({id(w): [] for w in cut.words[1:]})
    return [x for w in words for x in replace.get(id(w), [w])]


class RefiningOcrEngine:
    """Reads with `primary`, then re-reads its low-confidence words with `secondary`."""

    def __init__(self, primary: OcrEngine, secondary: OcrEngine, *, below: float):
        self.primary = primary
        self.secondary = secondary
        self.below = below

    def recognize(self, image: Image.Image, *, page: int, timeout: float) -> OcrResult:
        started = time.monotonic()
        first = self.primary.recognize(image, page=page, timeout=timeout)
        runs = low_runs(first.boxes, self.below)
        left = timeout - (time.monotonic() - started)
        if not runs or left <= 1.0:
            return first
        strip, cuts = cut_strip(image, runs)
        second = self.secondary.recognize(strip, page=page, timeout=left)
        return result_from_words(merge(first.boxes, cuts, second.boxes))

    def orientation(self, image: Image.Image, *, page: int, timeout: float) -> int:
        return self.primary.orientation(image, page=page, timeout=timeout)
