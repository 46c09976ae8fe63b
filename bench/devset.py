"""Extraction and judgement on documents this team did not write: ../shared/devset, per family.

    .venv/bin/python -m bench.devset                  # ours and the baseline, side by side
    .venv/bin/python -m bench.devset --baseline none  # ours only
    .venv/bin/python -m bench.devset --misses title   # expected vs got for every title miss

Every document is read once (text layer or real Tesseract) and its page texts are cached under
bench/out/devset/pages, keyed by content hash and the source of the reading modules, so a
change to field extraction re-runs in seconds. Each pass (fields -> match -> rules) writes an
output folder in the layout `ksoc-audit audit --out` writes, scored by the devset's own
score.py. The baseline is the previous build (git ref, default BASELINE_REF) run on the same
cached page texts: it measures what changed in fields, matching and rules, not in reading.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT.parent / "shared" / "devset"
CACHE = ROOT / "bench" / "out" / "devset"
BASELINE_REF = "b973506"  # the build before the devset work (stop 10)
# Modules whose code decides the page texts; a change to any of them re-reads every document.
READING = ("detect.py", "pdf.py", "routing.py", "images.py", "cleanup.py", "photos.py", "ocr.py",
           "tesseract.py", "refine.py", "tables.py", "office.py", "pipeline.py", "settings.py",
           "text.py")
KEYS = ("title", "duties", "salary", "conf_wrong", "top1", "top3", "cons_hi", "bad_ok")


def reading_key() -> str:
    digest = hashlib.sha256()
    for name in READING:
        digest.update((ROOT / "extractors" / name).read_bytes())
    return digest.hexdigest()[:12]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_one(path: str, target: str) -> str:
    """Read one document's pages (worker process) into the cache file `target`."""
    from extractors.errors import KsocAuditError
    from extractors.pipeline import describe_file, read_document
    from extractors.settings import ExtractSettings

    settings = ExtractSettings(workers=1)
    started = time.monotonic()
    try:
        ref, pages, problems = read_document(Path(path), settings=settings)
        data = {"document": ref.model_dump(mode="json"),
                "pages": [p.model_dump(mode="json") for p in pages],
                "problems": [p.model_dump(mode="json") for p in problems]}
    except KsocAuditError as exc:
        try:
            ref = describe_file(Path(path)).model_dump(mode="json")
        except KsocAuditError:
            ref = {"path": path, "sha256": sha256(Path(path)), "media_type": "unknown"}
        data = {"document": ref, "error": {"code": exc.code, "message": exc.message}}
    data["file"] = path
    data["seconds"] = round(time.monotonic() - started, 2)
    Path(target).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def read_all(devset: Path, jobs: int) -> Path:
    """Cache the page texts of every devset document; returns the cache folder."""
    folder = CACHE / f"pages-{reading_key()}"
    folder.mkdir(parents=True, exist_ok=True)
    truth = load_truth(devset)
    todo = []
    for gt in truth:
        path = devset / gt["file"]
        target = folder / f"{sha256(path)}.json"
        if not target.exists():
            todo.append((str(path), str(target)))
    if todo:
        print(f"reading {len(todo)} of {len(truth)} documents (cached in {folder.relative_to(ROOT)})",
              file=sys.stderr)
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(read_one, p, t) for p, t in todo]
            for n, fut in enumerate(as_completed(futures), 1):
                fut.result()
                print(f"\r  {n}/{len(todo)} read", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    return folder


def load_truth(devset: Path) -> list[dict]:
    lines = (devset / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def run_pass(code_dir: Path, pages: Path, out: Path) -> None:
    """One fields -> match -> rules pass with the code in `code_dir` (a separate process)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, str(ROOT / "bench" / "devset_pass.py"), str(code_dir), str(pages), str(out)]
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)


def checkout(ref: str) -> Path:
    """The tree of git `ref` under the cache (extracted once)."""
    rev = subprocess.run(["git", "rev-parse", "--short=12", ref], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    target = CACHE / f"tree-{rev}"
    if not (target / ".complete").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev, "extractors", "matchers", "reports"], cwd=ROOT,
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        (target / ".complete").touch()
    return target


def load_scorer(devset: Path):
    spec = importlib.util.spec_from_file_location("devset_score", devset / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def figures(fam: dict) -> dict[str, str]:
    def pct(ok: str, n: str) -> str:
        return f"{100 * fam.get(ok, 0) / fam[n]:.0f}%" if fam.get(n) else "-"

    return {"title": pct("title_ok", "title_n"), "duties": pct("duties_ok", "duties_n"),
            "salary": pct("salary_ok", "salary_n"), "conf_wrong": str(fam.get("conf_wrong", 0)),
            "top1": pct("top1_ok", "top1_n"), "top3": pct("top3_ok", "top3_n"),
            "cons_hi": f"{fam.get('cons_hi', 0)}/{fam.get('cons_n', 0)}", "bad_ok": pct("bad_ok", "bad_n")}


def scan_groups(gt: dict) -> tuple[str, ...]:
    """born-digital, or scanned and within it printed vs filled in by hand (a handwriting font
    for the values: what Tesseract's printed-text models cannot read reliably)."""
    if not gt["scanned"]:
        return ("born-digital",)
    hand = bool((gt.get("scan") or {}).get("handwriting_font"))
    return ("scanned", "scanned, handwritten" if hand else "scanned, printed")


def split_scanned(scored: dict, truth: list[dict]) -> dict:
    """Per family plus overall born-digital vs scanned, recomputed from the per-document judgements."""
    groups: dict[str, dict] = {}
    for gt in truth:
        judged = scored["documents"].get(gt["file"], {})
        if gt["expected_error"] is not None:
            keys = [gt["family"], "ALL"]
            for key in keys:
                g = groups.setdefault(key, {})
                g["bad_n"] = g.get("bad_n", 0) + 1
                g["bad_ok"] = g.get("bad_ok", 0) + bool(judged.get("handled"))
            continue
        for key in (gt["family"], *scan_groups(gt), "ALL"):
            g = groups.setdefault(key, {})
            for name in ("title", "duties", "salary", "top1", "top3"):
                if name in judged:
                    g[name + "_n"] = g.get(name + "_n", 0) + 1
                    g[name + "_ok"] = g.get(name + "_ok", 0) + bool(judged[name])
            g["conf_wrong"] = g.get("conf_wrong", 0) + bool(judged.get("salary_conf_wrong"))
            if gt["scenario"] == "consistent":
                g["cons_n"] = g.get("cons_n", 0) + 1
                g["cons_hi"] = g.get("cons_hi", 0) + bool(judged.get("unexpected_high"))
    return groups


def table(ours: dict, base: dict | None, families: list[str]) -> str:
    head = ["family"] + [f"{k} ours" + (" / base" if base else "") for k in KEYS]
    rows = []
    for fam in families:
        a = figures(ours.get(fam, {}))
        b = figures(base.get(fam, {})) if base else None
        rows.append([fam] + [f"{a[k]}" + (f" / {b[k]}" if b else "") for k in KEYS])
    width = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    fmt = lambda r: "  ".join(x.ljust(width[i]) if i == 0 else x.rjust(width[i]) for i, x in enumerate(r))
    return "\n".join([fmt(head), fmt(["-" * w for w in width]), *map(fmt, rows)])


def rules_table(ours: dict, base: dict | None) -> str:
    lines = ["finding                  ours tp/fp/fn" + ("   base tp/fp/fn" if base else "")]
    for rule, v in ours["rules"].items():
        b = base["rules"][rule] if base else None
        lines.append(f"{rule:<24} {v['tp']:>4}/{v['fp']:>3}/{v['fn']:>3}"
                     + (f"     {b['tp']:>4}/{b['fp']:>3}/{b['fn']:>3}" if b else ""))
    return "\n".join(lines)


def misses(scored: dict, truth: list[dict], devset: Path, out: Path, name: str) -> list[str]:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_sha = {e["sha256"]: e for e in summary["documents"]}
    lines = []
    for gt in truth:
        judged = scored["documents"].get(gt["file"], {})
        if name == "cons_hi":
            if gt.get("scenario") != "consistent" or not judged.get("unexpected_high"):
                continue
        elif name not in judged or judged[name]:
            continue
        entry = by_sha.get(sha256(devset / gt["file"]))
        res = json.loads((out / entry["result"]).read_text(encoding="utf-8")) if entry and entry["result"] else {}
        f = res.get("fields", {})
        want, got = {
            "title": ((gt["fields"]["job_title_ko"], gt["fields"]["job_title_en"]),
                      (f.get("job_title", {}).get("value"), f.get("job_title", {}).get("value_en"))),
            "duties": (gt["fields"]["duties"], f.get("duties", {}).get("value")),
            "salary": ((gt["fields"]["salary_amount_krw"], gt["fields"]["salary_period"]),
                       (f.get("salary", {}).get("amount_krw"), f.get("salary", {}).get("period"),
                        f.get("salary", {}).get("confidence"), (f.get("salary", {}).get("value") or "")[:60])),
            "top1": ((gt["ksco7"], gt.get("ksco7_alternatives")),
                     [c.get("code") for c in res.get("occupation", {}).get("candidates", [])[:3]]),
            "cons_hi": ((gt["ksco7"], gt["fields"]["job_title_ko"] or gt["fields"]["job_title_en"],
                         (gt["fields"]["duties"] or "")[:50]),
                        [(x.get("rule"), (x.get("message") or "")[:140]) for x in res.get("findings", [])
                         if x.get("rule") in judged.get("unexpected_high", [])]),
        }.get(name, (None, None))
        scan = " scan" if gt["scanned"] else ""
        lines.append(f"{gt['file']}{scan}\n   want {want!r}\n   got  {got!r}")
    return lines



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--baseline", default=BASELINE_REF, help="git ref of the baseline build, or 'none'")
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--misses", action="append", default=[], choices=["title", "duties", "salary", "top1", "cons_hi"])
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args(argv)
    if not (args.devset / "ground_truth.jsonl").is_file():
        print(f"devset: {args.devset} not found; skipped (it lives beside the repository)")
        return 0
    truth = load_truth(args.devset)
    scorer = load_scorer(args.devset)
    pages = read_all(args.devset, args.jobs)
    work = Path(tempfile.mkdtemp(prefix="devset-", dir=CACHE))
    try:
        return report(args, truth, scorer, pages, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the audit outputs of this run only


def report(args, truth: list[dict], scorer, pages: Path, work: Path) -> int:
    """Run ours (and the baseline) on the cached page texts under `work` and print the tables."""
    started = time.monotonic()
    run_pass(ROOT, pages, work / "ours")
    ours_seconds = time.monotonic() - started
    scored = scorer.score(work / "ours", args.devset)
    base_scored = None
    if args.baseline != "none":
        try:
            tree = checkout(args.baseline)
        except subprocess.CalledProcessError:
            print(f"devset: baseline {args.baseline} is not in this clone (shallow?); ours only", file=sys.stderr)
            args.baseline = "none"
        else:
            run_pass(tree, pages, work / "base")
            base_scored = scorer.score(work / "base", args.devset)
    ours = split_scanned(scored, truth)
    base = split_scanned(base_scored, truth) if base_scored else None
    families = sorted({gt["family"] for gt in truth}) + [
        "born-digital", "scanned", "scanned, printed", "scanned, handwritten", "ALL"]
    print(f"devset: {len(truth)} documents, {args.devset}; baseline "
          f"{'git ' + args.baseline if base else 'not run'} on the same page texts; "
          f"fields+match+rules {ours_seconds:.1f} s")
    print("title/duties/salary/top1/top3: share right; conf_wrong: salaries wrong at confidence >= 0.8; "
          "cons_hi: consistent contracts with an unexpected high finding; bad_ok: bad inputs handled")
    print(table(ours, base, families))
    print()
    print(rules_table(scored, base_scored))
    if scored["other_rules"]:
        print("other rules (not scored): " + ", ".join(f"{k} {v}" for k, v in sorted(scored["other_rules"].items())))
    bad = [b for b in scored["bad_inputs"] if not b["handled"]]
    for b in bad:
        print(f"bad input not handled: {b['file']} expected {b['expected']} got {b['status']} {b['codes']}")
    for name in args.misses:
        print(f"\n{name} misses:")
        print("\n".join(misses(scored, truth, args.devset, work / "ours", name)))
    if args.json:
        args.json.write_text(json.dumps({"ours": ours, "base": base, "rules": scored["rules"]},
                                        ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
