"""The Tesseract engine: the wrapper around the `tesseract` program and libtesseract, its
options, and `build_engine`, the one place the extraction engine is put together.

Measured choices (language, page segmentation, refining, in-process line cuts):
docs/MEASUREMENTS.md.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import logging
import os
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytesseract
from PIL import Image

from extractors.errors import OcrEngineMissing, OcrError, OcrTimeout
from extractors.ocr import FallbackOcrEngine, OcrEngine, OcrResult, result_from_data
from extractors.records import Record
from extractors.refine import RefiningOcrEngine
from extractors.settings import ExtractSettings

_T = TypeVar("_T")

log = logging.getLogger(__name__)


class TesseractOptions(Record):
    """Tesseract's own options for the extraction engine (measured: docs/MEASUREMENTS.md)."""

    lang: str = "Hangul"  # language/script model of the first pass (measured best)
    psm: int = 6  # page segmentation mode of the first pass
    refine_lang: str | None = "Hangul+eng"  # re-reads low-confidence word runs (None: off)
    refine_in_process: bool = True  # cuts read by libtesseract in-process (False: a process)
    fallback_lang: str | None = None  # second pass language when confidence is low (None: off)


def build_engine(settings: ExtractSettings, options: TesseractOptions | None = None) -> OcrEngine:
    """Tesseract with the measured defaults (checked once), its refining pass and the fallback
    if set: the engine extraction uses when it is given none."""
    options = options or TesseractOptions()
    primary = TesseractEngine(options.lang, options.psm, dpi=settings.render_dpi)
    primary.check()
    engine: OcrEngine = primary
    if options.refine_lang:
        second = TesseractEngine(options.refine_lang, options.psm, dpi=settings.render_dpi,
                                 in_process_lines=options.refine_in_process)
        second.check()
        engine = RefiningOcrEngine(engine, second, below=settings.refine_below)
    if not options.fallback_lang:
        return engine
    fallback = TesseractEngine(options.fallback_lang, options.psm, dpi=settings.render_dpi)
    fallback.check()
    return FallbackOcrEngine(engine, fallback, below=settings.fallback_below)


class TesseractEngine(OcrEngine):
    """Runs the `tesseract` program through pytesseract, one process per call."""

    reads_many = True  # the page and its table-cell strip in one process
    reads_lines = True  # line cuts through libtesseract in-process (or one process)

    def __init__(self, lang: str = "kor+eng", psm: int = 6, *, dpi: int = 300,
                 in_process_lines: bool = True):
        self.lang = lang
        self.psm = psm
        self.dpi = dpi
        # recognize_lines through libtesseract in this process, the model loaded once per
        # thread (falls back to the program when the library cannot be loaded), see _LineApi.
        self.in_process_lines = in_process_lines

    def recognize(self, image: Image.Image, *, page: int, timeout: float) -> OcrResult:
        # One process, TSV only: it holds the words, their boxes (for table cells) and
        # confidences; its lines are the txt output's lines, words joined by single spaces.
        config = f"--psm {self.psm} --dpi {self.dpi} -c tessedit_create_tsv=1"
        with _scratch(image) as (path, base):
            run = pytesseract.pytesseract.run_tesseract
            _call(lambda: run(path, base, "tsv", self.lang, config, 0, max(timeout, 0.1)), page, timeout)
            tsv = Path(f"{base}.tsv").read_text(encoding="utf-8")
        return result_from_data(pytesseract.pytesseract.file_to_dict(tsv, "\t", -1))

    def recognize_lines(self, images: Sequence[Image.Image], *, page: int, timeout: float,
                        psm: int = 7) -> list[OcrResult]:
        """Each image read as one text line (psm 7), all in one Tesseract process.

        Tesseract reads a text file of image paths as a multi-page input, so the model loads
        once however many cuts a page has; results come back in the order of `images`.
        """
        if not images:
            return []
        if self.in_process_lines:
            api = _LineApi.for_thread(self.lang, psm, self.dpi)
            if api is not None:
                return api.read_all(images, page=page, timeout=timeout)
        return self._read_listed(images, page=page, timeout=timeout, psm=psm)

    def recognize_many(self, images: Sequence[Image.Image], *, page: int, timeout: float) -> list[OcrResult]:
        """Several images of one page (the page and its table-cell strip), each read as
        `recognize` reads it, in one process: the model loads once (~0.1 s saved a table page)."""
        return self._read_listed(images, page=page, timeout=timeout, psm=self.psm) if images else []

    def _read_listed(self, images: Sequence[Image.Image], *, page: int, timeout: float,
                     psm: int) -> list[OcrResult]:
        config = f"--psm {psm} --dpi {self.dpi} -c tessedit_create_tsv=1"
        with _scratch_many(images) as (path, base):
            run = pytesseract.pytesseract.run_tesseract
            _call(lambda: run(path, base, "tsv", self.lang, config, 0, max(timeout, 0.1)), page, timeout)
            data = pytesseract.pytesseract.file_to_dict(
                Path(f"{base}.tsv").read_text(encoding="utf-8"), "\t", -1)
        per_image: list[dict[str, list[Any]]] = [{k: [] for k in data} for _ in images]
        for i, number in enumerate(data.get("page_num", [])):
            if 1 <= int(number) <= len(images):
                for key, values in data.items():
                    per_image[int(number) - 1][key].append(values[i])
        return [result_from_data(d) for d in per_image]

    def orientation(self, image: Image.Image, *, page: int, timeout: float) -> int:
        config = f"--psm 0 --dpi {self.dpi} -c min_characters_to_try=10"
        osd_dict = pytesseract.Output.DICT
        try:
            with _scratch(image) as (path, _):
                osd = _call(lambda: pytesseract.image_to_osd(
                    path, lang="osd", config=config, timeout=max(timeout, 0.1), output_type=osd_dict),
                    page, timeout)
        except OcrTimeout:
            raise
        except OcrError:
            log.debug("orientation not detected on page %d", page)
            return 0
        return int(osd.get("rotate", 0)) % 360

    def check(self) -> None:
        """Preflight: raise OcrEngineMissing unless tesseract and every language are installed."""
        installed = installed_languages()
        missing = [lang for lang in self.lang.split("+") if lang not in installed]
        if missing:
            raise OcrEngineMissing(f"tesseract language data missing: {', '.join(missing)}")


_TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


class _LineApi:
    """One libtesseract instance (TessBaseAPI, C API through ctypes) kept loaded by one thread.

    Why: the refining pass reads a page's small line cuts; as a `tesseract` process that costs
    ~0.16 s of start-up and Hangul+eng model loading a page against 5-25 ms of recognition per
    cut. Loaded once per OCR thread, the cuts cost their recognition only, with the same TSV
    (the same words, boxes and confidences as the program's, checked on the benchmark's 88
    cuts). Only our own small cuts of a page the program has already read come here; whole
    pages stay in a separate process (a crash or a hang there cannot take the worker down).
    """

    _lib: ClassVar[ctypes.CDLL | None] = None
    _lib_tried: ClassVar[bool] = False
    _load_lock: ClassVar[threading.Lock] = threading.Lock()
    _local: ClassVar[threading.local] = threading.local()
    _all: ClassVar[weakref.WeakSet[_LineApi]] = weakref.WeakSet()

    def __init__(self, lib: ctypes.CDLL, lang: str, psm: int, dpi: int):
        self.lib, self.dpi, self.handle = lib, dpi, lib.TessBaseAPICreate()
        if not self.handle or lib.TessBaseAPIInit3(self.handle, None, lang.encode()) != 0:
            self.close()
            raise OcrEngineMissing(f"libtesseract could not load language data {lang}")
        lib.TessBaseAPISetPageSegMode(self.handle, psm)
        _LineApi._all.add(self)

    @classmethod
    def for_thread(cls, lang: str, psm: int, dpi: int) -> _LineApi | None:
        """This thread's instance for (lang, psm, dpi); None when libtesseract is unavailable."""
        lib = cls._library()
        if lib is None:
            return None
        apis: dict[tuple[str, int, int], _LineApi] = cls._local.__dict__.setdefault("apis", {})
        key = (lang, psm, dpi)
        if key not in apis:
            apis[key] = cls(lib, lang, psm, dpi)
        return apis[key]

    @classmethod
    def _library(cls) -> ctypes.CDLL | None:
        with cls._load_lock:
            if not cls._lib_tried:
                cls._lib_tried = True
                # OpenMP reads its thread limit when libgomp loads (with libtesseract).
                os.environ["OMP_THREAD_LIMIT"] = "1"
                cls._lib = _load_capi()
                if cls._lib is not None:
                    atexit.register(cls._close_all)
            return cls._lib

    def read_all(self, images: Sequence[Image.Image], *, page: int, timeout: float) -> list[OcrResult]:
        started = time.monotonic()
        results = []
        for image in images:
            left = timeout - (time.monotonic() - started)
            if left <= 0:
                raise OcrTimeout(f"OCR exceeded {timeout:.0f} s", page=page)
            tsv = self._tsv(image, left, page)
            results.append(result_from_data(pytesseract.pytesseract.file_to_dict(
                _TSV_HEADER + tsv, "\t", -1)))
        return results

    def _tsv(self, image: Image.Image, timeout: float, page: int) -> str:
        lib, handle = self.lib, self.handle
        gray = image if image.mode == "L" else image.convert("L")
        pixels = gray.tobytes()
        lib.TessBaseAPISetImage(handle, pixels, gray.width, gray.height, 1, gray.width)
        lib.TessBaseAPISetSourceResolution(handle, self.dpi)
        monitor = lib.TessMonitorCreate()
        try:
            lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(timeout * 1000)))
            started = time.monotonic()
            status = lib.TessBaseAPIRecognize(handle, monitor)
            if time.monotonic() - started >= timeout:
                raise OcrTimeout(f"OCR exceeded {timeout:.0f} s", page=page)
            if status != 0:
                raise OcrError("tesseract failed on a line cut", page=page)
            text = lib.TessBaseAPIGetTsvText(handle, 0)
            try:
                return ctypes.string_at(text).decode("utf-8") if text else ""
            finally:
                if text:
                    lib.TessDeleteText(text)
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(handle)

    def close(self) -> None:
        if self.handle:
            self.lib.TessBaseAPIEnd(self.handle)
            self.lib.TessBaseAPIDelete(self.handle)
            self.handle = None

    def __del__(self) -> None:  # the thread ended: free its model
        self.close()

    @classmethod
    def _close_all(cls) -> None:
        for api in list(cls._all):
            api.close()


def _load_capi() -> ctypes.CDLL | None:
    """libtesseract's C API with its signatures declared, or None (the program is used then)."""
    name = ctypes.util.find_library("tesseract") or "libtesseract.so.5"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        log.debug("libtesseract not loadable; line cuts go through the tesseract program")
        return None
    handle, text = ctypes.c_void_p, ctypes.POINTER(ctypes.c_char)
    signatures = {
        "TessBaseAPICreate": (handle, []),
        "TessBaseAPIInit3": (ctypes.c_int, [handle, ctypes.c_char_p, ctypes.c_char_p]),
        "TessBaseAPISetPageSegMode": (None, [handle, ctypes.c_int]),
        "TessBaseAPISetImage": (None, [handle, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                                       ctypes.c_int, ctypes.c_int]),
        "TessBaseAPISetSourceResolution": (None, [handle, ctypes.c_int]),
        "TessBaseAPIRecognize": (ctypes.c_int, [handle, handle]),
        "TessBaseAPIGetTsvText": (text, [handle, ctypes.c_int]),
        "TessDeleteText": (None, [text]),
        "TessBaseAPIClear": (None, [handle]),
        "TessBaseAPIEnd": (None, [handle]),
        "TessBaseAPIDelete": (None, [handle]),
        "TessMonitorCreate": (handle, []),
        "TessMonitorSetDeadlineMSecs": (None, [handle, ctypes.c_int]),
        "TessMonitorDelete": (None, [handle]),
    }
    try:
        for function, (restype, argtypes) in signatures.items():
            getattr(lib, function).restype = restype
            getattr(lib, function).argtypes = argtypes
    except AttributeError:
        log.debug("libtesseract lacks the C API; line cuts go through the tesseract program")
        return None
    return lib


def installed_languages() -> set[str]:
    """Languages `tesseract --list-langs` reports (pytesseract's own list drops "Hangul")."""
    command = [pytesseract.pytesseract.tesseract_cmd, "--list-langs"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as e:
        raise OcrEngineMissing("the tesseract program was not found or failed") from e
    names = [line.strip() for line in done.stdout.splitlines()[1:] if line.strip()]
    return {name.removeprefix("script/") for name in names} | set(names)


@contextmanager
def _scratch(image: Image.Image) -> Iterator[tuple[str, str]]:
    """The image as an uncompressed file in a private folder, and an output base name there."""
    # One Tesseract thread per process: pages run in parallel, so OpenMP would oversubscribe.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory(prefix="ksoc-ocr-") as tmp:
        yield _save_for_tesseract(image, Path(tmp)), str(Path(tmp) / "out")


@contextmanager
def _scratch_many(images: Sequence[Image.Image]) -> Iterator[tuple[str, str]]:
    """The images as files listed one per line in a text file (Tesseract's multi-page input)."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory(prefix="ksoc-ocr-") as tmp:
        paths = []
        for i, image in enumerate(images):
            folder = Path(tmp) / f"{i:04d}"
            folder.mkdir()
            paths.append(_save_for_tesseract(image, folder))
        listing = Path(tmp) / "images.txt"
        listing.write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")
        yield str(listing), str(Path(tmp) / "out")


def _save_for_tesseract(image: Image.Image, folder: Path) -> str:
    # Uncompressed BMP: PIL writes it in ~5 ms (PNG ~80 ms at A4 300 DPI) and Leptonica reads
    # it as fast as PNG (its PNM reader was ~0.1 s slower per page). DPI goes via --dpi.
    if image.mode not in ("L", "RGB", "1"):
        image = image.convert("RGB")
    path = folder / "page.bmp"
    image.save(path, format="BMP")
    return str(path)


def _call(run: Callable[[], _T], page: int, timeout: float) -> _T:
    started = time.monotonic()
    try:
        return run()
    except pytesseract.TesseractNotFoundError as e:
        raise OcrEngineMissing("the tesseract program was not found", page=page) from e
    except pytesseract.TesseractError as e:
        raise OcrError(f"tesseract failed with status {e.status}", page=page) from e
    except RuntimeError as e:
        # pytesseract signals its timeout with a bare RuntimeError; the clock tells us which.
        if time.monotonic() - started >= timeout * 0.9:
            raise OcrTimeout(f"OCR exceeded {timeout:.0f} s", page=page) from e
        raise OcrError("tesseract failed", page=page) from e
