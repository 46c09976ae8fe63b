"""People benchmark: whole employment histories through the real pipeline.

Run as `.venv/bin/python -m bench.people [--people 32] [--seed 7] [--out bench/out/people]`
(`make bench-people`). Generates fictional people (2-5 born-digital documents each from
the fixtures package: contracts in four layouts, offer letters, 변경계약서 amendments; several employers,
gaps and overlaps, generic titles cured or not), nested as clients/<client>/<person>/, and an HR
manifest (CSV) with sponsored codes (some deliberately wrong), one listed document missing and
bad rows (an unknown status, an unparseable date). Runs `ksoc-audit audit --per-client-folders
--per-person-folders --manifest` in this process and scores the person records against the
truth the generator knows:

- sponsored-vs-actual mismatch: recall and precision per period;
- qualifying years: share of people whose qualifying days are exact (and within 31 days);
- fast track: share of people whose verdict (supported / income short / not promising) is right;
- manifest: bad rows and the missing document reported with their row numbers.

Each figure is printed beside the naive per-document view in the same run: a person qualifies
from their first contract if the latest contract is E-7-1 work; the sponsored code is compared
with the latest contract only; the fast track is read off the latest contract (not amendment).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from fixtures import render_pdf
from fixtures.spec import (
    CLERK,
    DATA,
    DEV,
    EMPLOYERS,
    HW,
    SALES_MGR,
    SHOP,
    TRANSLATOR,
    WEB,
    ContractSpec,
    Occupation,
    Salary,
    make_spec,
    with_expected,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2027, 3, 1)  # everyone's planned F-2-7 filing date
PROFESSIONAL = (DEV, WEB, DATA, HW, TRANSLATOR, SALES_MGR)
CONTRACT_LAYOUTS = ("moel_standard", "table_form", "article", "bilingual")
GIVEN = ("AN", "MAI", "LINH", "WEI", "PRIYA", "MARIA", "JOSE", "AHMED", "SITI", "DMITRI", "ANNA",
         "RAJ")
FAMILY = ("NGUYEN", "TRAN", "SANTOS", "SHARMA", "KARIMOV", "RAHMAN", "VOLKOV", "CHEN", "GARCIA")
NATIONALITIES = ("베트남", "필리핀", "인도", "우즈베키스탄", "인도네시아", "러시아", "중국", "멕시코")
CLIENTS = ("client_alpha", "client_beta")


@dataclass
class Job:
    employer: str
    workplace: str
    occ: Occupation  # the real work
    start: date
    end: date | None  # as written (None: open-ended)
    annual: int
    generic: bool = False  # titled 사무보조원 over the real duties
    cure: date | None = None  # amendment retitling it from this date
    raise_on: date | None = None  # amendment raising the salary from this date
    raised: int = 0
    offer: bool = False  # an offer letter beside the contract


@dataclass
class Person:
    pid: str
    name: str
    nationality: str
    client: str
    jobs: list[Job]
    sponsored: Occupation
    files: list[tuple[str, ContractSpec, str]] = field(default_factory=list)
    bad_status: bool = False
    bad_date: bool = False
    missing_doc: bool = False

    @property
    def folder(self) -> str:
        return self.name.replace(" ", "_")


def _months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, min(day.day, 28))


def make_person(i: int, seed: int) -> Person:
    rng = random.Random(seed * 1009 + i)
    n_jobs = rng.choice((1, 2, 2, 3))
    start = date(2020, 1, 1) + timedelta(days=rng.randrange(0, 1200))
    jobs: list[Job] = []
    employers = rng.sample(EMPLOYERS, k=min(n_jobs, len(EMPLOYERS)))
    for j in range(n_jobs):
        employer, workplace = employers[j]
        occ = SHOP if rng.random() < 0.12 else rng.choice(PROFESSIONAL)
        months = rng.randrange(12, 37)
        end = _months(start, months) - timedelta(days=1)
        if j == n_jobs - 1 and (end < AS_OF or rng.random() < 0.35):
            end = None if rng.random() < 0.5 else max(end, AS_OF + timedelta(days=rng.randrange(30, 400)))
        annual = rng.randrange(36, 75) * 1_000_000
        if rng.random() < 0.25:
            annual = rng.randrange(80, 96) * 1_000_000
        job = Job(employer, workplace, occ, start, end, annual)
        if occ is not SHOP and rng.random() < 0.3:
            job.generic = True
            if rng.random() < 0.5:
                job.cure = start + timedelta(days=rng.randrange(120, 330))
        elif rng.random() < 0.25:
            job.raise_on = start + timedelta(days=rng.randrange(150, 330))
            job.raised = job.annual + rng.randrange(3, 30) * 1_000_000
        job.offer = rng.random() < 0.15
        jobs.append(job)
        if end is None:
            break
        roll = rng.random()
        start = end + timedelta(days=1)
        if roll < 0.18:
            start = end + timedelta(days=rng.randrange(60, 150))
        elif roll < 0.26:
            start = end - timedelta(days=rng.randrange(20, 60))
    _fit_documents(jobs, rng)
    sponsored = jobs[0].occ if jobs[0].occ is not SHOP else DEV
    if rng.random() < 0.3:
        sponsored = rng.choice([o for o in PROFESSIONAL if o is not sponsored])
    name = f"{FAMILY[i % len(FAMILY)]} {GIVEN[(i * 7 + seed) % len(GIVEN)]} {chr(65 + i % 26)}"
    return Person(pid=f"E{1000 + i}", name=name, nationality=rng.choice(NATIONALITIES),
                  client=CLIENTS[i % len(CLIENTS)], jobs=jobs, sponsored=sponsored)


def _doc_count(jobs: list[Job]) -> int:
    return sum(1 + bool(j.cure) + bool(j.raise_on) + j.offer for j in jobs)


def _fit_documents(jobs: list[Job], rng: random.Random) -> None:
    """2-5 documents: drop extras from the end, add an offer letter or a raise when too few."""
    for job in reversed(jobs):
        while _doc_count(jobs) > 5 and (job.offer or job.raise_on):
            if job.offer:
                job.offer = False
            else:
                job.raise_on = None
    while _doc_count(jobs) > 5 and len(jobs) > 1:
        jobs.pop()
    if _doc_count(jobs) < 2:
        job = jobs[0]
        if job.generic:
            job.cure = job.start + timedelta(days=rng.randrange(120, 330))
        else:
            job.raise_on = job.start + timedelta(days=rng.randrange(150, 330))
            job.raised = job.annual + 6_000_000


def _spec(person: Person, job: Job, seed: int, *, title: Occupation | None = None,
          annual: int | None = None, start: date | None = None) -> ContractSpec:
    base = make_spec(seed, scenario="consistent", style="monthly")
    shown = title or job.occ
    pay = annual or job.annual
    spec = replace(base, employer=job.employer, workplace=job.workplace,
                   employee_name=person.name, nationality=person.nationality,
                   contract_start=start or job.start, contract_end=job.end,
                   job_title_ko=shown.title_ko, job_title_en=shown.title_en,
                   duties_ko=job.occ.duties_ko, duties_en=job.occ.duties_en, ksco=job.occ.ksco,
                   stated_visa="E-7-1", salary=Salary(pay // 12, "monthly", "monthly"))
    return with_expected(spec)


def documents(person: Person, seed: int) -> list[tuple[str, ContractSpec, str]]:
    """(file name, spec, layout) of every document of `person`."""
    out = []
    rng = random.Random(seed)
    for n, job in enumerate(person.jobs):
        layout = CONTRACT_LAYOUTS[(seed + n) % len(CONTRACT_LAYOUTS)]
        title = CLERK if job.generic else None
        tag = f"{job.start:%Y%m}"
        out.append((f"{tag}_contract_{n + 1}.pdf", _spec(person, job, rng.randrange(10**6), title=title),
                    layout))
        if job.offer:
            out.append((f"{tag}_offer_{n + 1}.pdf", _spec(person, job, rng.randrange(10**6), title=title),
                        "offer_letter"))
        if job.cure:
            out.append((f"{job.cure:%Y%m}_amendment_title_{n + 1}.pdf",
                        _spec(person, job, rng.randrange(10**6), start=job.cure), "amendment"))
        if job.raise_on:
            out.append((f"{job.raise_on:%Y%m}_amendment_salary_{n + 1}.pdf",
                        _spec(person, job, rng.randrange(10**6), annual=job.raised,
                              start=job.raise_on), "amendment"))
    return out


# ---------------------------------------------------------------- truth


@dataclass(frozen=True)
class TruthPeriod:
    start: date
    end: date | None
    occ: Occupation
    generic: bool
    annual: int


def truth_periods(person: Person) -> list[TruthPeriod]:
    periods = []
    for n, job in enumerate(person.jobs):
        end = job.end
        if end is None and n + 1 < len(person.jobs):
            end = person.jobs[n + 1].start - timedelta(days=1)
        cut = job.cure or job.raise_on
        if cut and (end is None or cut <= end):
            periods.append(TruthPeriod(job.start, cut - timedelta(days=1), job.occ, job.generic,
                                       job.annual))
            periods.append(TruthPeriod(cut, end, job.occ, job.generic and not job.cure,
                                       job.raised or job.annual))
        else:
            periods.append(TruthPeriod(job.start, end, job.occ, job.generic, job.annual))
    return periods


def truth(person: Person, visa) -> dict:
    from matchers.rules.person import qualifying_history

    periods = truth_periods(person)
    qualifying = [(p.start, p.end) for p in periods if p.occ is not SHOP and not p.generic]
    history = qualifying_history(qualifying, AS_OF)
    latest = [p for p in periods if p.start <= AS_OF][-1]
    need = round(visa.gni_reference(AS_OF.year).krw * visa.f27.fast_track_gni_multiple)
    if latest.occ.ksco not in visa.promising_codes:
        fast = "not_promising"
    else:
        fast = "supported" if latest.annual >= need else "income_short"
    mismatches = {p.start.isoformat() for p in periods if p.occ is not person.sponsored}
    return {"qualifying_days": history.qualifying_days, "fast_track": fast,
            "mismatch_starts": mismatches, "starts": {p.start.isoformat() for p in periods}}


# ---------------------------------------------------------------- writing the inputs


def write_inputs(people: list[Person], root: Path, seed: int) -> Path:
    """The folders and the manifest; returns the manifest path."""
    if root.exists():
        shutil.rmtree(root)
    rows = []
    for k, person in enumerate(people):
        folder = root / person.client / person.folder
        folder.mkdir(parents=True)
        person.files = documents(person, seed * 7919 + k)
        for name, spec, layout in person.files:
            (folder / name).write_bytes(render_pdf(spec, layout))
        visa_end = (AS_OF + timedelta(days=365)).isoformat()
        files = ""
        if person.missing_doc:
            files = ";".join([n for n, _, _ in person.files] + ["2019_contract_missing.pdf"])
        rows.append({
            "사번": person.pid, "성명": person.name, "국적": person.nationality,
            "체류자격": "X-1" if person.bad_status else "E-7-1",
            "초청직종": f"{person.sponsored.ksco} {person.sponsored.title_ko}",
            "체류시작일": person.jobs[0].start.isoformat(),
            "체류만료일": "2027-13-45" if person.bad_date else visa_end,
            "F-2-7 신청예정일": AS_OF.isoformat(), "서류": files, "고객": person.client,
        })
    manifest = root / "staff.csv"
    with manifest.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return manifest


def generate(n: int, seed: int) -> list[Person]:
    people = [make_person(i, seed) for i in range(n)]
    people[3].bad_status = True
    people[5].bad_date = True
    people[8].missing_doc = True
    return people


# ---------------------------------------------------------------- scoring


def _load_records(out: Path) -> dict[str, dict]:
    summary = json.loads((out / "people.json").read_text(encoding="utf-8"))
    records = {}
    for rel in summary["people"]:
        record = json.loads((out / rel).read_text(encoding="utf-8"))
        records[record["employee_id"] or record["person_id"]] = record
    return records, summary


def _baseline(record: dict, visa) -> dict:
    """The naive per-document view: the latest contract decides everything."""
    docs = [d for d in record["documents"] if d["role"] in ("contract", "offer_letter", "superseded")
            and d["effective_date"]]
    docs.sort(key=lambda d: d["effective_date"])
    if not docs:
        return {"qualifying_days": 0, "fast_track": "unknown", "mismatch_starts": set()}
    latest, first = docs[-1], docs[0]
    from matchers.knowledge.load import load_knowledge
    from matchers.rules.person import e7_subcategory

    sub = e7_subcategory(latest["code"], load_knowledge())
    days = (AS_OF - date.fromisoformat(first["effective_date"])).days + 1 if sub == "E-7-1" else 0
    need = round(visa.gni_reference(AS_OF.year).krw * visa.f27.fast_track_gni_multiple)
    result = json.loads((Path(record["_out"]) / latest["result"]).read_text(encoding="utf-8"))
    annual = result["fields"]["salary"].get("annual_krw")
    if latest["code"] not in visa.promising_codes:
        fast = "not_promising"
    else:
        fast = "supported" if annual and annual >= need else "income_short"
    sponsored = (record["sponsorships"] or [{}])[0].get("sponsored_code")
    mismatch = {latest["effective_date"]} if sponsored and sponsored != latest["code"] else set()
    return {"qualifying_days": days, "fast_track": fast, "mismatch_starts": mismatch}


def score(people: list[Person], out: Path, visa) -> dict:
    records, summary = _load_records(out)
    figures = {}
    for method in ("ours", "baseline"):
        tp = fp = fn = exact = near = fast_ok = 0
        for person in people:
            want = truth(person, visa)
            record = records.get(person.pid)
            if record is None:
                fn += len(want["mismatch_starts"])
                continue
            record["_out"] = str(out)
            if method == "ours":
                got = {
                    "qualifying_days": record["f27"]["qualifying_days"],
                    "fast_track": record["fast_track"]["verdict"],
                    "mismatch_starts": {p["start"] for p in record["periods"]
                                        if p["sponsored_match"] is False},
                }
            else:
                got = _baseline(record, visa)
            tp += len(got["mismatch_starts"] & want["mismatch_starts"])
            fp += len(got["mismatch_starts"] - want["mismatch_starts"])
            fn += len(want["mismatch_starts"] - got["mismatch_starts"])
            exact += got["qualifying_days"] == want["qualifying_days"]
            near += abs(got["qualifying_days"] - want["qualifying_days"]) <= 31
            fast_ok += got["fast_track"] == want["fast_track"]
        n = len(people)
        figures[method] = {
            "mismatch_recall": tp / (tp + fn) if tp + fn else 1.0,
            "mismatch_precision": tp / (tp + fp) if tp + fp else 1.0,
            "mismatches": tp + fn, "flagged": tp + fp,
            "qualifying_exact": exact / n, "qualifying_within_31d": near / n,
            "fast_track_accuracy": fast_ok / n,
        }
    problems = summary["manifest_problems"]
    figures["manifest"] = {
        "bad_status_reported": any(p["code"] == "unknown_status" and p["row"] == 5 for p in problems),
        "bad_date_reported": any(p["code"] == "bad_date" and p["row"] == 7 for p in problems),
        "missing_file_reported": any(p["code"] == "missing_file" and p["row"] == 10 for p in problems),
        "missing_document_finding": any(
            f["rule"] == "person_document_missing" for f in records.get(people[8].pid, {}).get("findings", [])),
        "people_with_records": sum(1 for p in people if p.pid in records) / len(people),
    }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=32)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "people"))
    parser.add_argument("--reuse", action="store_true",
                        help="score the last run's outputs without auditing again")
    args = parser.parse_args(argv)
    from matchers.rules.visa_data import load_visa_data

    visa = load_visa_data()
    people = generate(args.people, args.seed)
    base = Path(args.out)
    inputs, out = base / "in", base / "audit"
    docs = sum(len(documents(p, 0)) for p in people)
    if not args.reuse:
        t0 = time.monotonic()
        manifest = write_inputs(people, inputs, args.seed)
        print(f"generated {len(people)} people, {sum(len(p.files) for p in people)} documents "
              f"({time.monotonic() - t0:.0f} s)", flush=True)
        from flows.cli import main as cli

        t0 = time.monotonic()
        code = cli(["audit", str(inputs), "--out", str(out), "--per-client-folders",
                    "--per-person-folders", "--manifest", str(manifest), "--reports", "html",
                    "--no-progress"])
        print(f"audit exit code {code} ({time.monotonic() - t0:.0f} s)", flush=True)
    else:
        for k, person in enumerate(people):
            person.files = documents(person, args.seed * 7919 + k)
    del docs
    figures = score(people, out, visa)
    ours, naive = figures["ours"], figures["baseline"]
    print(f"\npeople benchmark: {len(people)} people, {sum(len(p.files) for p in people)} "
          f"documents (born-digital), as of {AS_OF}")
    print(f"{'check':44s} {'ours':>8s} {'baseline':>9s}")
    rows = [
        ("sponsored-vs-actual mismatch recall", "mismatch_recall"),
        ("sponsored-vs-actual mismatch precision", "mismatch_precision"),
        ("qualifying days exact (share of people)", "qualifying_exact"),
        ("qualifying days within 31 days", "qualifying_within_31d"),
        ("fast-track verdict right (share of people)", "fast_track_accuracy"),
    ]
    for label, key in rows:
        print(f"{label:44s} {ours[key]:8.1%} {naive[key]:9.1%}")
    print(f"{'mismatching periods (truth) / flagged':44s} {ours['mismatches']:>4d}/{ours['flagged']:<3d} "
          f"{naive['mismatches']:>5d}/{naive['flagged']:<3d}")
    print("baseline: the naive per-document view (the latest contract decides: E-7-1 -> qualifies "
          "since the first contract; sponsored code compared with it only; fast track from it)")
    for key, value in figures["manifest"].items():
        print(f"manifest check {key}: {value}")
    (base / "figures.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
