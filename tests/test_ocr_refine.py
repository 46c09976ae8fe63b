"""Second OCR pass on low-confidence words (extractors.refine)."""

from __future__ import annotations

import pytest
from PIL import Image
from test_ocr import rendered, squash

from extractors.ocr import OcrEngine, OcrResult, OcrWord, result_from_words
from extractors.refine import BORDER, RefiningOcrEngine, better, cut_runs, low_runs, merge, trim
from extractors.settings import ExtractSettings
from extractors.tesseract import TesseractEngine, TesseractOptions, build_engine
from tests.ocr_fakes import FakeOcrEngine


def word(text: str, conf: float, left: int = 0, line: int = 1) -> OcrWord:
    return OcrWord(text=text, left=left, top=40, width=60, height=30, conf=conf, line=(1, 1, line))


class Preset(OcrEngine):
    """An engine answering each call with the next preset word list."""

    def __init__(self, *answers: list[OcrWord]):
        self.answers = list(answers)
        self.images: list[Image.Image] = []

    def recognize(self, image, *, page, timeout):
        self.images.append(image)
        words = self.answers.pop(0)
        return OcrResult(text=" ".join(w.text for w in words), confidence=0.9, words=len(words),
                         boxes=words)

    def orientation(self, image, *, page, timeout):
        return 0


def test_low_runs_split_at_confident_words_and_lines():
    words = [word("a", 0.3), word("b", 0.4, 70), word("c", 0.9, 140), word("d", 0.2, 210),
             word("e", 0.2, 0, line=2)]
    assert [[w.text for w in run] for run in low_runs(words, 0.75)] == [["a", "b"], ["d"], ["e"]]


@pytest.mark.parametrize(("old", "new", "taken"), [
    ([word("4", 0.34), word("미", 0.57)], [word("API", 0.96)], True),  # acronym in Korean
    ([word("6-7-1", 0.62)], [word("E-7-1", 0.88)], True),  # a digit dropped for a letter
    ([word("PR1yYA5", 0.05)], [word("PRIYA", 0.92)], True),
    ([word("을", 0.74)], [word("3", 0.93)], False),  # Hangul never becomes a bare number
    ([word("장소", 0.51)], [word("ta", 0.62)], False),  # ... nor a short lowercase fragment
    ([word("00", 0.69)], [word("00", 0.74), word("분", 0.91)], False),  # never adds Hangul
    ([word("2026", 0.59)], [word("20264", 0.86)], False),  # numbers never gain digits
    ([word("MARIA", 0.9)], [word("MAR1A", 0.5)], False),  # less confident
    ([word("MAR1A", 0.26)], [word("MARIA", 0.94)], True),
    ([word("UI", 0.7)], [word("Ul", 0.78)], False),  # I and l: no model knows better
    ([word("Build", 0.7)], [word("Bulld", 0.75)], False),  # a word already: a clear gain only
    ([word("Build", 0.5)], [word("Bulld", 0.75)], True),
    ([word("1/00", 0.7)], [word("CI/CD", 0.84)], True),
    ([word(".", 0.2)], [word("a", 0.8)], False),  # a speck never becomes a stray letter
    ([word("x", 0.1)], [], False),
    ([word("6E-7-1", 0.09)], [word("aot", 0.24), word("fa", 0.24), word("3", 0.27)], False),  # figures kept
])

def test_second_reading_taken_only_when_better_and_plausible(old, new, taken):
    assert better(old, new) is taken


def test_marks_caught_by_the_margin_are_trimmed():
    old = [word("1/00", 0.7)]
    assert [w.text for w in trim(old, [word("|", 0.5), word("CI/CD.", 0.8)])] == ["CI/CD"]
    assert [w.text for w in trim([word("(주)", 0.5)], [word("(주)", 0.9)])] == ["(주)"]


def test_each_run_is_cut_alone_and_merge_maps_words_back():
    page = rendered()
    runs = [(word("4", 0.3, 200), word("미", 0.5, 270)), (word("6-7-1", 0.6, 500),)]
    cuts = cut_runs(page, runs)
    assert len(cuts) == 2
    assert cuts[0].image.width == cuts[0].box[2] - cuts[0].box[0] + 2 * BORDER
    assert cuts[0].box[0] < 200 and cuts[0].box[2] > 270 + 60  # the run and a margin
    found = OcrWord(text="API", left=BORDER + 4, top=BORDER + 2, width=120, height=28, conf=0.96,
                    line=(9, 9, 9))
    first = [word("결제", 0.95, 100), *runs[0], word("설계", 0.95, 340), *runs[1]]
    readings = [OcrResult(text="API", confidence=0.96, words=1, boxes=[found]),
                OcrResult(text="", confidence=0.0)]  # nothing read: the first reading stays
    merged = merge(first, cuts, readings)
    assert [w.text for w in merged] == ["결제", "API", "설계", "6-7-1"]
    assert merged[1].line == (1, 1, 1) and merged[1].left == cuts[0].box[0] + 4


def test_refining_engine_reads_each_cut_with_the_second_engine():
    first = [word("결제", 0.95, 100), word("6-7-1", 0.6, 200), word("설계", 0.95, 300),
             word("1/00", 0.5, 400)]
    primary = Preset(first)
    secondary = Preset([OcrWord(text="E-7-1", left=BORDER, top=BORDER, width=60, height=28,
                                conf=0.9, line=(1, 1, 1))],
                       [OcrWord(text="CI/CD", left=BORDER, top=BORDER, width=60, height=28,
                                conf=0.85, line=(1, 1, 1))])
    result = RefiningOcrEngine(primary, secondary, below=0.75).recognize(
        rendered(), page=1, timeout=30)
    assert result.text == "결제 E-7-1 설계 CI/CD" and len(secondary.images) == 2
    assert all(im.height < 200 for im in secondary.images)  # cuts, not the page


def test_default_engine_refines_with_the_measured_setting(monkeypatch):
    monkeypatch.setattr(TesseractEngine, "check", lambda self: None)
    engine = build_engine(ExtractSettings())
    assert isinstance(engine, RefiningOcrEngine) and engine.secondary.lang == "Hangul+eng"
    plain = build_engine(ExtractSettings(), TesseractOptions(refine_lang=None))
    assert not isinstance(plain, RefiningOcrEngine)


def test_engines_without_word_boxes_are_returned_as_read():
    fake = FakeOcrEngine(["결제 API"], confidence=0.5)  # text only, no boxes: nothing to cut
    result = RefiningOcrEngine(fake, Preset(), below=0.75).recognize(rendered(), page=1, timeout=30)
    assert result.text == "결제 API"


def test_confident_pages_need_no_second_pass():
    secondary = Preset()
    result = RefiningOcrEngine(Preset([word("결제", 0.95)]), secondary, below=0.75).recognize(
        rendered(), page=1, timeout=30)
    assert result.text == "결제" and secondary.images == []


@pytest.mark.ocr
def test_real_second_pass_reads_latin_inside_korean_lines():
    page = rendered(["담당업무: 백엔드 API 설계, CI/CD 운영", "체류자격: E-7-1"])
    engine = RefiningOcrEngine(TesseractEngine("Hangul"), TesseractEngine("Hangul+eng"), below=0.75)
    text = squash(engine.recognize(page, page=1, timeout=60).text)
    assert "API" in text and "CI/CD" in text


@pytest.mark.ocr
def test_real_line_reads_keep_the_order_of_the_cuts():
    cuts = [rendered([line]).crop((0, 30, 1400, 140)) for line in ("API", "MARIA SANTOS", "CI/CD")]
    results = TesseractEngine("Hangul+eng").recognize_lines(cuts, page=1, timeout=60)
    assert [squash(r.text) for r in results] == ["API", "MARIASANTOS", "CI/CD"]


def test_all_hangul_runs_and_garbage_pages_are_not_re_read():
    from extractors.refine import worth_a_second_look
    assert not worth_a_second_look([word("럼", 0.0)]) and worth_a_second_look([word("4", 0.3), word("미", 0.5)])
    secondary = Preset()
    garbage = [word("^", 0.3, 0), word("1", 0.4, 70), word("x", 0.5, 140)]  # upside down: OSD's turn
    primary = Preset(garbage)
    primary.recognize = lambda image, **kw: result_from_words(garbage)  # mean confidence 0.4
    result = RefiningOcrEngine(primary, secondary, below=0.75).recognize(rendered(), page=1, timeout=30)
    assert secondary.images == [] and result.text == "^ 1 x"


def test_runs_that_are_no_text_line_are_not_cut():
    from extractors.refine import line_like
    page = [word(t, 0.95, 70 * i) for i, t in enumerate(["근로", "계약", "기간", "임금"])]  # 30 px high
    tall = (OcrWord(text="Ty", left=0, top=40, width=60, height=150, conf=0.3, line=(1, 1, 2)),)
    underline = (word("소재", 0.5), OcrWord(text="_", left=70, top=40, width=1300, height=30,
                                           conf=0.2, line=(1, 1, 1)))
    latin = (word("6-7-1", 0.6), OcrWord(text="MARIA", left=70, top=40, width=260, height=32,
                                          conf=0.4, line=(1, 1, 1)))
    assert line_like([tall, underline, latin], [*page, *tall, *underline, *latin]) == [latin]


@pytest.mark.ocr
def test_in_process_line_reads_match_the_tesseract_program():
    cuts = [rendered([line]).crop((0, 30, 900, 140)) for line in ("API", "E-7-1", "MARIA SANTOS")]
    inside = TesseractEngine("Hangul+eng").recognize_lines(cuts, page=1, timeout=60)
    program = TesseractEngine("Hangul+eng", in_process_lines=False).recognize_lines(cuts, page=1, timeout=60)
    assert [r.boxes for r in inside] == [r.boxes for r in program]
    assert [squash(r.text) for r in inside] == ["API", "E-7-1", "MARIASANTOS"]


@pytest.mark.ocr
def test_in_process_reader_is_one_per_thread_and_falls_back_to_the_program(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from extractors.tesseract import _LineApi
    here = _LineApi.for_thread("Hangul+eng", 7, 300)
    assert here is _LineApi.for_thread("Hangul+eng", 7, 300)
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(_LineApi.for_thread, "Hangul+eng", 7, 300).result() is not here
    monkeypatch.setattr(_LineApi, "for_thread", classmethod(lambda cls, *a: None))  # no library
    cut = rendered(["E-7-1"]).crop((0, 30, 900, 140))
    assert squash(TesseractEngine("Hangul+eng").recognize_lines([cut], page=1, timeout=60)[0].text) == "E-7-1"


def test_refining_many_images_refines_each_after_one_first_pass():
    class Many(Preset):
        reads_many = True

        def recognize_many(self, images, *, page, timeout):
            return [self.recognize(image, page=page, timeout=timeout) for image in images]

    primary = Many([word("결제", 0.95, 100), word("6-7-1", 0.6, 200)], [word("설계", 0.95, 100)])
    secondary = Preset([OcrWord(text="E-7-1", left=BORDER, top=BORDER, width=60, height=28,
                                conf=0.9, line=(1, 1, 1))])
    results = RefiningOcrEngine(primary, secondary, below=0.75).recognize_many(
        [rendered(), rendered()], page=1, timeout=30)
    assert [r.text for r in results] == ["결제 E-7-1", "설계"] and len(secondary.images) == 1
