"""Latency of one contract, end to end: `make bench-latency` (python -m bench.latency).

For the born-digital sample and the scanned sample of sample_docs/, median of N runs each:

    cold      `ksoc-audit audit FILE --out DIR` with no server running (Prefect's temporary
              server is started and stopped by the command)
    server    the same with the server running but no audit worker (`ksoc-audit server start
              --workers 0`): the command loads the pipeline itself (fresh output folder each run)
    warm      the same with `ksoc-audit server start` running: server and audit worker, which
              audits the document (fresh output folder each run)
    cached    a re-run into the warm run's output folder (nothing to audit), server and worker
    floor     the same document through the stage functions in one fresh Python process, no
              Prefect, no worker pool: imports, audit_one (extract, match, rules, JSON, HTML,
              PDF, addendum) and the batch outputs (summary.json, CSV, XLSX, index.html)
    tesseract (scan only) the `tesseract` command on the page image rendered as the pipeline
              renders it (300 DPI, seal ink faded), same language and page segmentation

Each run is a separate process, timed from outside (wall time). The bench keeps its own state
folder (bench/out/latency/state: its own server and worker, its own Prefect home), so a server
the user runs is neither used nor stopped. A warm or cached run the worker did not serve (it
says so on stderr: e.g. its sources changed during the bench) is counted and reported.
`--cli-root DIR` runs the CLI from another checkout (e.g. a `git worktree` of an older commit)
for a before/after comparison with the same samples (its server runs without a worker).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "latency"
SAMPLES = {
    "born-digital": ROOT / "sample_docs" / "01_moel_standard_web_developer.pdf",
    "scanned": ROOT / "sample_docs" / "06_scanned_seed_case_moel.pdf",
}
TARGETS = {  # (kind, what): limit; ratios are to the floor
    "warm_s": 3.0, "warm_ratio_born": 1.5, "cached_s": 2.0, "warm_ratio_scan": 1.3,
}

FLOOR_SCRIPT = """
import sys
from pathlib import Path
from flows.discover import discover
from flows.documents import DocumentJob, audit_one
from reports.output import build_summary, read_result, write_summary
from reports.render import render_batch

source, out = sys.argv[1], Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
job = DocumentJob(out_dir=str(out))
entries = [audit_one(item, job).entry for item in discover([source], exclude=[str(out)])]
summary = build_summary(entries, [])
write_summary(summary, out)
render_batch(summary, [read_result(out, e.result) for e in entries if e.result], out)
"""


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


def bench_env(state: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update({"KSOC_AUDIT_HOME": str(state), "PREFECT_HOME": str(state / "prefect"),
                "PREFECT_LOGGING_LEVEL": "WARNING", "OMP_THREAD_LIMIT": "1",
                "PYTHONDONTWRITEBYTECODE": "1"})
    (state / "prefect").mkdir(parents=True, exist_ok=True)
    return env


FALLBACKS: list[str] = []  # warm or cached runs the audit worker did not serve


def timed(command: list[str], env: dict[str, str], cwd: Path, *, ok=(0, 1),
          served: str | None = None) -> float:
    """Wall time of `command`; `served`: the figure's name when the audit worker should serve it."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"bench.latency: {' '.join(command[:4])} ... exited "
                         f"{done.returncode}:\n{done.stderr[-2000:]}")
    if served and "audit worker" in done.stderr:
        FALLBACKS.append(f"{served}: {done.stderr.strip().splitlines()[0]}")
    return took


def cli(root: Path) -> list[str]:
    return [sys.executable, "-m", "flows.cli"]


def audit_cmd(root: Path, source: Path, out: Path) -> list[str]:
    return cli(root) + ["audit", str(source), "--out", str(out), "--no-progress"]


def server(env: dict[str, str], action: str, *options: str) -> None:
    """`ksoc-audit server ACTION` of this checkout (an older one may not have the command)."""
    subprocess.run(cli(ROOT) + ["server", action, *options], env=env, cwd=ROOT, check=True,
                   capture_output=True, text=True)


def with_server_url(env: dict[str, str], state: Path, root: Path) -> dict[str, str]:
    """An older checkout does not look for the server itself: give it PREFECT_API_URL."""
    if root == ROOT:
        return env
    info = json.loads((state / "server" / "server.json").read_text(encoding="utf-8"))
    return {**env, "PREFECT_API_URL": info["url"] + "/api"}


def page_image(source: Path, folder: Path) -> Path:
    """The scan's first page as the pipeline renders it for OCR (BMP, as it hands Tesseract)."""
    import pypdfium2 as pdfium

    from extractors.pdf import render_page
    from extractors.settings import ExtractSettings

    settings = ExtractSettings()
    doc = pdfium.PdfDocument(str(source))
    try:
        image = render_page(doc, 0, dpi=settings.render_dpi, max_pixels=settings.max_pixels,
                            seals=True)
    finally:
        doc.close()
    path = folder / "page.bmp"
    image.save(path)
    return path


def tesseract_cmd(image: Path, folder: Path) -> list[str]:
    from extractors.settings import ExtractSettings
    from extractors.tesseract import TesseractOptions

    s, t = ExtractSettings(), TesseractOptions()
    return ["tesseract", str(image), str(folder / "page"), "-l", t.lang, "--psm",
            str(t.psm), "--dpi", str(s.render_dpi), "-c", "tessedit_create_tsv=1", "tsv"]


def measure(kind: str, source: Path, runs: int, root: Path, work: Path,
            state: Path) -> dict[str, list[float]]:
    env = bench_env(state)
    times: dict[str, list[float]] = {k: [] for k in ("cold", "server", "warm", "cached",
                                                      "floor")}
    server(env, "stop")
    print(f"  {kind}: cold ...", flush=True)
    for i in range(runs):
        times["cold"].append(timed(audit_cmd(root, source, work / f"cold-{i}"), env, root))
    print(f"  {kind}: starting the server without a worker ...", flush=True)
    server(env, "start", "--workers", "0")
    try:
        print(f"  {kind}: server ...", flush=True)
        warm = with_server_url(env, state, root)
        timed(audit_cmd(root, source, work / "prime"), warm, root)  # the server's first run
        for i in range(runs):
            times["server"].append(timed(audit_cmd(root, source, work / f"server-{i}"), warm,
                                         root))
        if root == ROOT:  # an older checkout has no audit worker
            print(f"  {kind}: starting the audit worker ...", flush=True)
            server(env, "start")
            print(f"  {kind}: warm, cached ...", flush=True)
            timed(audit_cmd(root, source, work / "prime-worker"), warm, root)
        for i in range(runs):
            times["warm"].append(timed(audit_cmd(root, source, work / f"warm-{i}"), warm, root,
                                       served=f"{kind} warm"))
        for _ in range(runs):
            times["cached"].append(timed(audit_cmd(root, source, work / "warm-0"), warm, root,
                                         served=f"{kind} cached"))
    finally:
        server(env, "stop")
    print(f"  {kind}: floor ...", flush=True)
    for i in range(runs):
        times["floor"].append(timed([sys.executable, "-c", FLOOR_SCRIPT, str(source),
                                     str(work / f"floor-{i}")], env, ROOT))
    if kind == "scanned" and shutil.which("tesseract"):
        image = page_image(source, work)
        times["tesseract"] = [timed(tesseract_cmd(image, work), env, ROOT) for _ in range(runs)]
    return times


def report(results: dict[str, dict[str, list[float]]], runs: int) -> list[str]:
    columns = ("cold", "server", "warm", "cached", "floor", "tesseract")
    lines = [f"{'':14}" + "".join(f"{c:>11}" for c in columns) + "   warm/floor",
             f"{'median of ' + str(runs):14}" + "".join(f"{'(s)':>11}" for _ in columns)]
    for kind, times in results.items():
        med = {c: statistics.median(times[c]) for c in columns if times.get(c)}
        cells = "".join(f"{med[c]:11.2f}" if c in med else f"{'-':>11}" for c in columns)
        lines.append(f"{kind:14}{cells}   {med['warm'] / med['floor']:.2f}x")
        spread = "".join(f"{min(times[c]):5.1f}-{max(times[c]):<5.1f}" if times.get(c)
                         else f"{'':11}" for c in columns)
        lines.append(f"{'  min-max':14}{spread}")
    return lines


def verdicts(results: dict[str, dict[str, list[float]]]) -> list[str]:
    med = {k: {c: statistics.median(v) for c, v in t.items()} for k, t in results.items()}
    lines = []

    def check(label: str, value: float, limit: float, unit: str) -> None:
        state = "met" if value <= limit else "NOT met"
        lines.append(f"  {label}: {value:.2f}{unit} (target <= {limit}{unit}) {state}")

    if "born-digital" in med:
        b = med["born-digital"]
        check("warm born-digital", b["warm"], TARGETS["warm_s"], " s")
        check("warm born-digital / floor", b["warm"] / b["floor"], TARGETS["warm_ratio_born"], "x")
        check("cached re-run (born-digital)", b["cached"], TARGETS["cached_s"], " s")
    if "scanned" in med:
        s = med["scanned"]
        check("warm scan / floor", s["warm"] / s["floor"], TARGETS["warm_ratio_scan"], "x")
        check("cached re-run (scan)", s["cached"], TARGETS["cached_s"], " s")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--only", choices=tuple(SAMPLES), help="one sample only")
    parser.add_argument("--cli-root", type=Path, default=ROOT,
                        help="checkout whose `python -m flows.cli` is timed (default: this one)")
    args = parser.parse_args(argv)
    root = args.cli_root.resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    state = OUT / ("state" if root == ROOT else f"state-{root.name}")
    print(f"bench.latency: {os.cpu_count()} CPU cores, {args.runs} runs per figure, CLI from "
          f"{root}; load average {load()}", flush=True)
    started = time.perf_counter()
    results = {}
    with tempfile.TemporaryDirectory(dir=OUT, prefix="work-") as work_dir:
        for kind, source in SAMPLES.items():
            if args.only and kind != args.only:
                continue
            work = Path(work_dir) / kind
            work.mkdir()
            results[kind] = measure(kind, source, args.runs, root, work, state)
    print()
    print("\n".join(report(results, args.runs)))
    print("targets:")
    print("\n".join(verdicts(results)))
    if FALLBACKS:
        print(f"{len(FALLBACKS)} warm/cached run(s) not served by the audit worker:")
        print("\n".join(f"  {line}" for line in FALLBACKS[:10]))
    print(f"bench.latency finished in {time.perf_counter() - started:.0f} s; load average "
          f"{load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
