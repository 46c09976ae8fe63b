"""OCR benchmark: accuracy by language/psm/preprocessing, wrapper overhead, pages per second.

Run: .venv/bin/python -m bench.ocr [--quick]. Pages are generated (fictional contract text
rendered with NanumGothic, then skewed, blurred, noised, JPEG-compressed, one upside-down).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from rapidfuzz.distance import Levenshtein

from extractors.images import normalise_resolution
from extractors.ocr import FallbackOcrEngine
from extractors.pipeline import Deadline, ocr_page, read_document
from extractors.records import Route
from extractors.routing import PagePlan
from extractors.settings import ExtractSettings
from extractors.tesseract import TesseractEngine, TesseractOptions, build_engine

FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
A4_300 = (2480, 3508)
TITLES = ["소프트웨어 개발자", "데이터 분석가", "기계공학 기술자", "통번역가", "디자이너", "연구원"]
NAMES = ["김민수", "이서연", "Nguyen Van An", "John Smith", "박지훈", "Maria Santos"]


def contract_lines(rng: random.Random) -> list[str]:
    """Fictional contract text with the labels field extraction relies on."""
    salary = rng.randrange(30, 90) * 100_000
    return [
        "표준근로계약서",
        f"(주)한빛테크(이하 \"사업주\"라 함)과(와) {rng.choice(NAMES)}(이하 \"근로자\"라 함)은",
        "다음과 같이 근로계약을 체결한다.",
        f"1. 근로계약기간: 2025년 {rng.randint(1, 12)}월 {rng.randint(1, 28)}일부터 2026년 2월 28일까지",
        "2. 근무장소: 서울특별시 강남구 테헤란로 123, 5층",
        f"3. 업무의 내용: {rng.choice(TITLES)} (Job title: Senior Engineer)",
        "   - 웹 서비스 설계 및 개발, 코드 검토, 기술 문서 작성",
        "4. 소정근로시간: 09시 00분부터 18시 00분까지 (휴게시간: 12시 00분~13시 00분)",
        "5. 근무일/휴일: 매주 5일 근무, 주휴일 매주 일요일",
        f"6. 임금: 월(일, 시간)급 {salary:,}원",
        "   - 상여금: 있음 ( ) 없음 (V), 기타급여: 식대 200,000원",
        "   - 임금지급일: 매월 25일, 지급방법: 근로자 명의 예금통장에 입금",
        "7. 연차유급휴가: 근로기준법에서 정하는 바에 따라 부여함",
        "8. 사회보험 적용여부: 고용보험, 산재보험, 국민연금, 건강보험",
        "9. 기타: 이 계약에 정함이 없는 사항은 근로기준법령에 의함",
        f"2025년 {rng.randint(1, 12)}월 {rng.randint(1, 28)}일",
        "(사업주) 사업체명: 주식회사 한빛테크 (전화: 02-555-0100)",
        "(근로자) 주소: 서울특별시 마포구 월드컵로 45",
    ]


def render_page(lines: Sequence[str], *, size: int = 40) -> Image.Image:
    image = Image.new("L", A4_300, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size)
    for i, line in enumerate(lines):
        draw.text((180, 220 + i * int(size * 2.1)), line, fill=0, font=font)
    return image


def _noise(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    pixels = np.asarray(image, dtype=np.float32)
    noisy = pixels + np.random.default_rng(seed).normal(0, sigma, pixels.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def _phone(image: Image.Image, seed: int) -> Image.Image:
    """Low resolution, uneven lighting and noise, like a phone photo of a page."""
    small = image.resize((1240, 1754), Image.Resampling.BILINEAR)
    gradient = np.linspace(0.75, 1.0, small.width, dtype=np.float32)[None, :]
    lit = Image.fromarray((np.asarray(small, dtype=np.float32) * gradient).astype(np.uint8))
    return _jpeg(_noise(lit.rotate(1.2, fillcolor=200, expand=True), 10, seed), 60)


DEGRADATIONS: dict[str, Callable[[Image.Image, int], Image.Image]] = {
    "clean": lambda im, s: im,
    "skew2": lambda im, s: im.rotate(2.0, fillcolor=255, expand=True, resample=Image.Resampling.BICUBIC),
    "skew-3.5": lambda im, s: im.rotate(-3.5, fillcolor=255, expand=True, resample=Image.Resampling.BICUBIC),
    "blur": lambda im, s: im.filter(ImageFilter.GaussianBlur(1.6)),
    "noise": lambda im, s: _noise(im, 35, s),
    "jpeg": lambda im, s: _jpeg(im, 20),
    "upside-down": lambda im, s: im.rotate(180),
    "phone": _phone,
}


def make_pages(count: int | None = None, seed: int = 7) -> list[tuple[str, Image.Image, str]]:
    """(degradation, image, reference text) for each generated page."""
    rng = random.Random(seed)
    names = list(DEGRADATIONS)[:count] if count else list(DEGRADATIONS)
    pages = []
    for i, name in enumerate(names):
        lines = contract_lines(rng)
        pages.append((name, DEGRADATIONS[name](render_page(lines), seed + i), "\n".join(lines)))
    return pages


def char_accuracy(reference: str, text: str) -> float:
    """1 - edit distance / length on NFC text with all whitespace removed."""
    ref = "".join(unicodedata.normalize("NFC", reference).split())
    got = "".join(unicodedata.normalize("NFC", text).split())
    return max(0.0, 1 - Levenshtein.distance(ref, got) / max(1, len(ref)))


PREPS = {  # preprocessing variant -> pipeline settings
    "none": {"deskew": False, "osd_below": 0.0, "flatten_uneven": False},
    "flatten": {"deskew": False, "osd_below": 0.0},
    "deskew": {"deskew": True, "osd_below": 0.0, "flatten_uneven": False},
    "osd": {"deskew": False, "osd_below": 0.75, "flatten_uneven": False},
    "all": {"deskew": False, "osd_below": 0.75},  # the pipeline defaults
    "all+deskew": {"deskew": True, "osd_below": 0.75},
}


def ocr_text(image: Image.Image, engine: TesseractEngine, *, prep: str) -> tuple[str, float]:
    """OCR one image exactly as the pipeline does for a scanned image page."""
    settings = ExtractSettings(**PREPS[prep])
    load = partial(normalise_resolution, image, max_pixels=settings.max_pixels)
    plan = PagePlan(1, Route.ocr, "bench", load_image=load)
    page, _ = ocr_page(plan, engine, settings, Deadline(600, "bench"))
    return page.text, page.confidence or 0.0


def make_engine(lang: str, psm: int):
    """'a>b' means: read with a, re-read pages under 0.6 confidence with b, keep the better."""
    first, _, second = lang.partition(">")
    engine = TesseractEngine(first, psm)
    return FallbackOcrEngine(engine, TesseractEngine(second, psm), below=0.6) if second else engine


def evaluate(pages, lang: str, psm: int, prep: str, workers: int = 2) -> dict:
    engine = make_engine(lang, psm)
    started = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        outputs = list(pool.map(lambda p: ocr_text(p[1], engine, prep=prep), pages))
    accuracies = {name: char_accuracy(ref, text) for (name, _, ref), (text, _) in zip(pages, outputs, strict=True)}
    return {"lang": lang, "psm": psm, "prep": prep, "per_page": accuracies,
            "mean": sum(accuracies.values()) / len(accuracies), "seconds": time.monotonic() - started}


def measure_ocr_speed(images: Sequence[Image.Image], *, lang: str | None = None, psm: int = 6,
                      runs: int = 2) -> dict:
    """Per-page time of our OCR vs the raw `tesseract` command on the same images.

    Every page is timed `runs` times, interleaved (raw, engine, default engine, whole ocr_page,
    then again), all sequential with OMP_THREAD_LIMIT=1 and the same lang/psm/dpi, so load from
    other processes hits all of them alike. Ratios are per page (sum over its runs / raw) and
    reported as median with min, quartiles and max:
      ratio          TesseractEngine.recognize (BMP handoff, process, TSV parse) / raw
      refined_ratio  the default engine (first pass + refining pass) / raw
      page_ratio     ocr_page: loading aside, every step (flatten, seal clearing, tables, OSD,
                     refining) / raw; a ruled-table page runs Tesseract twice (page + cells)
    Other benchmarks may call this.
    """
    settings = ExtractSettings()
    lang = lang or TesseractOptions().lang
    engine = TesseractEngine(lang, psm)
    refined = build_engine(settings) if lang == TesseractOptions().lang else None
    times: dict[str, list[list[float]]] = {k: [] for k in ("raw", "ours", "refined", "page")}
    with tempfile.TemporaryDirectory() as tmp:
        for i, image in enumerate(images):
            path = Path(tmp) / f"p{i}.png"
            image.save(path)
            loaded = Image.open(path)
            loaded.load()  # decoding belongs to page loading, not to the OCR call
            per = {k: [] for k in times}
            plan = PagePlan(i + 1, Route.ocr, "bench", load_image=partial(_same, loaded))
            calls = {"ours": partial(engine.recognize, loaded, page=i + 1, timeout=300)}
            if refined is not None:
                calls["refined"] = partial(refined.recognize, loaded, page=i + 1, timeout=300)
                calls["page"] = partial(ocr_page, plan, refined, settings, Deadline(600, "b"))
            for _ in range(runs):
                per["raw"].append(_time_raw(path, lang, psm))
                for key, call in calls.items():
                    per[key].append(_timed(call))
            for key, values in per.items():
                times[key].append(values)
    raw = [sum(v) for v in times["raw"]]
    out = {"pages": len(images), "runs_per_page": runs,
           "raw_s_per_page": statistics.median(r / runs for r in raw)}
    for key, name in (("ours", "ratio"), ("refined", "refined_ratio"), ("page", "page_ratio")):
        if times[key] and times[key][0]:
            ratios = [sum(v) / r for v, r in zip(times[key], raw, strict=True)]
            out[name] = round(statistics.median(ratios), 3)
            out[f"{name}_spread"] = _spread(ratios)
            out[f"{key}_s_per_page"] = round(statistics.median(sum(v) / runs for v in times[key]), 3)
    return out


def _same(image: Image.Image) -> Image.Image:
    return image


def _timed(call) -> float:
    started = time.monotonic()
    call()
    return time.monotonic() - started


def _spread(values: list[float]) -> str:
    """min / first quartile / third quartile / max of `values`."""
    ordered = sorted(values)
    q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else (ordered[0],) * 3
    return f"min {ordered[0]:.3f}, q1 {q1:.3f}, q3 {q3:.3f}, max {ordered[-1]:.3f}"


def measure_page_rate(images: Sequence[Image.Image], *, workers: int = 2) -> dict:
    """Pages per second of ocr_page (default engine, every step) over `images` with page-level
    parallelism: `workers` threads, one single-threaded Tesseract process each."""
    settings = ExtractSettings()
    engine = build_engine(settings)
    plans = [PagePlan(i + 1, Route.ocr, "bench", load_image=lambda im=im: im) for i, im in enumerate(images)]
    started = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda p: ocr_page(p, engine, settings, Deadline(600, "b")), plans))
    seconds = time.monotonic() - started
    return {"pages": len(images), "workers": workers, "seconds": round(seconds, 2),
            "pages_per_s": round(len(images) / seconds, 3), "cores": os.cpu_count()}


def _time_raw(path: Path, lang: str, psm: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    # The same work as TesseractEngine.recognize: one process writing the tsv output only.
    command = ["tesseract", str(path), str(path.with_suffix("")), "-l", lang, "--psm", str(psm),
               "--dpi", "300", "-c", "tessedit_create_tsv=1"]
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.monotonic() - started


def measure_throughput(pages) -> dict:
    """Pages per second of read_document on an image-only PDF of the pages (all cores)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scan.pdf"
        images = [p[1].convert("RGB") for p in pages]
        images[0].save(path, save_all=True, append_images=images[1:], resolution=300)
        started = time.monotonic()
        _, texts, _ = read_document(path)
        seconds = time.monotonic() - started
    return {"pages": len(texts), "seconds": seconds, "pages_per_s": len(texts) / seconds,
            "cores": os.cpu_count()}


def _print_table(rows: list[dict], names: list[str]) -> None:
    header = f"{'lang':<19}{'psm':>4} {'prep':<11}{'mean':>7} " + " ".join(f"{n[:8]:>8}" for n in names)
    print(header + f" {'sec':>6}")
    for r in sorted(rows, key=lambda r: -r["mean"]):
        cells = " ".join(f"{r['per_page'][n]:8.3f}" for n in names)
        print(f"{r['lang']:<19}{r['psm']:>4} {r['prep']:<11}{r['mean']:7.3f} {cells} {r['seconds']:6.1f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="default config only")
    parser.add_argument("--configs", help="lang:psm:prep,... instead of the full grid")
    args = parser.parse_args(argv)
    pages = make_pages()
    names = [p[0] for p in pages]
    grid = _parse_configs(args.configs) if args.configs else _grid()
    if args.quick:
        defaults = TesseractOptions()
        grid = [(defaults.lang, defaults.psm, "all")]
    rows = [evaluate(pages, lang, psm, prep) for lang, psm, prep in grid]
    print("Character accuracy (normalised, whitespace removed) on generated scanned pages")
    _print_table(rows, names)
    speed = measure_ocr_speed([p[1] for p in pages])
    print(f"\nOurs vs raw tesseract (same PNG, psm 6, {TesseractOptions().lang}, sequential, "
          f"{speed['pages']} pages x {speed['runs_per_page']} interleaved runs): engine ratio "
          f"{speed['ratio']} ({speed['ratio_spread']}), default engine {speed.get('refined_ratio')}, "
          f"whole ocr_page {speed.get('page_ratio')} (target <= 1.1)")
    throughput = measure_throughput(pages)
    print(f"read_document on an {throughput['pages']}-page scanned PDF: {throughput['seconds']:.1f} s, "
          f"{throughput['pages_per_s']:.2f} pages/s on {throughput['cores']} cores")


def _parse_configs(text: str) -> list[tuple[str, int, str]]:
    return [(lang, int(psm), prep) for lang, psm, prep in (c.split(":") for c in text.split(","))]


def _grid() -> list[tuple[str, int, str]]:
    grid = [(lang, psm, "all") for lang in ("kor", "kor+eng", "Hangul+eng", "Hangul")
            for psm in (6, 3, 4)]
    grid += [("kor+eng", 6, prep) for prep in ("none", "flatten", "deskew", "osd")]
    grid += [("kor+eng>Hangul+eng", 6, "all"), ("kor>kor+eng", 6, "all")]
    return grid


if __name__ == "__main__":
    main()
