"""Per-person audits: group the audited documents by person (folders, the HR manifest or
`--person`), build each person's record (reports.people.build) and write the person reports,
people.csv, people.xlsx, people.json and the dashboard grouped by person.

Runs after the document flow, on its summary and result files: nothing is audited twice.
Logs name people by count only.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from flows.discover import Input, discover
from reports.names import display_path

if TYPE_CHECKING:  # imported where used: building the command line loads no pipeline
    from reports.people.build import PersonInput
    from reports.people.manifest import Manifest, ManifestRow
    from reports.people.records import PersonRecord
    from reports.records import BatchSummary, DocumentResult, SummaryEntry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeopleOptions:
    per_person_folders: bool = False  # each (client's) sub-folder is one person
    person: str | None = None  # one person: NAME's sub-folder, or all the inputs
    manifest: str | None = None  # HR staff list (XLSX or CSV)
    per_client_folders: bool = False  # clients/<client>/<person>/
    client: str | None = None  # every document belongs to this client

    @property
    def enabled(self) -> bool:
        return bool(self.per_person_folders or self.person or self.manifest)


@dataclass
class PeopleRun:
    records: list[PersonRecord]
    manifest: Manifest | None
    written: dict[str, Path] = field(default_factory=dict)

    @property
    def actionable(self) -> bool:
        return any(r.verdict.kind.value == "action_needed" for r in self.records) or bool(
            self.manifest and self.manifest.problems)


def person_inputs(paths: list[str], person: str | None) -> tuple[list[str], bool]:
    """The paths to audit for `--person NAME`: NAME's sub-folder of each input folder when there
    is one (then True), else the inputs themselves (all of them are NAME's documents)."""
    if not person:
        return list(paths), False
    folders = [str(Path(p) / person) for p in paths if (Path(p) / person).is_dir()]
    return (folders, True) if folders else (list(paths), False)


def _folder_person(root: Path, item: Input, options: PeopleOptions,
                   person_roots: bool) -> tuple[str | None, str | None]:
    """(client, person folder) of a discovered file under `root`."""
    if person_roots:
        return item.client, root.name
    if root.is_file():
        return item.client, None
    try:
        parts = Path(item.path).relative_to(root.resolve()).parts
    except ValueError:
        return item.client, None
    depth = 1 if options.per_client_folders and not options.client else 0
    if options.per_person_folders and len(parts) > depth + 1:
        return item.client, parts[depth]
    return item.client, None


def group_documents(paths: list[str], options: PeopleOptions, out: Path,
                    person_roots: bool = False) -> dict[str, tuple[str | None, str | None, str]]:
    """source -> (client, person folder or None, resolved path) for every file to audit."""
    groups: dict[str, tuple[str | None, str | None, str]] = {}
    for raw in paths:
        root = Path(raw)
        for item in discover([raw], client=options.client,
                             per_client_folders=options.per_client_folders,
                             exclude=[str(out)] + ([options.manifest] if options.manifest else [])):
            client, folder = _folder_person(root, item, options, person_roots)
            groups.setdefault(item.source, (client, folder, item.path))
    return groups


def run_people(summary: BatchSummary, out: Path, paths: list[str], options: PeopleOptions, *,
               show_pii: bool = False, pdf: bool = True, as_of: date | None = None,
               person_roots: bool = False) -> PeopleRun:
    """Build and write every person's record after the documents of `summary` were audited."""
    from flows.audit import _versions
    from reports.people.build import build_person
    from reports.people.manifest import read_manifest
    from reports.people.render import write_people

    manifest = None
    if options.manifest:
        search = [Path(p) for p in paths if Path(p).is_dir()]
        manifest = read_manifest(Path(options.manifest), search=search)
    groups = group_documents(paths, options, out, person_roots)
    inputs = assemble(summary, out, groups, manifest, options)
    pipeline, reference = _versions()
    records = [build_person(p, as_of=as_of, pipeline_version=pipeline,
                            reference_version=reference) for p in inputs]
    log.info("people: %d person record(s)", len(records))
    written = write_people(records, out, manifest=manifest, summary=summary, show_pii=show_pii,
                           pdf=pdf, manifest_source=display_path(options.manifest)
                           if options.manifest else None)
    return PeopleRun(records, manifest, written)


def assemble(summary: BatchSummary, out: Path,
             groups: dict[str, tuple[str | None, str | None, str]], manifest: Manifest | None,
             options: PeopleOptions) -> list[PersonInput]:
    """The people of the run: folders and manifest rows joined, documents attached."""
    people: dict[tuple[str, str], PersonInput] = {}
    by_path: dict[str, SummaryEntry] = {}
    entries = {e.source: e for e in summary.documents}
    for source, (client, folder, path) in groups.items():
        entry = entries.get(source)
        if entry is None:
            continue
        by_path[path] = entry
        name = options.person if options.person else folder
        if name is None:
            continue
        person = _person(people, client, name)
        person.documents.append((entry, _result(out, entry)))
    if manifest is not None:
        for row in manifest.rows:
            _attach_row(people, row, by_path, out)
    return sorted(people.values(), key=lambda p: (p.client or "", p.person_id))


def _person(people: dict[tuple[str, str], PersonInput], client: str | None,
            name: str) -> PersonInput:
    from reports.people.build import PersonInput
    from reports.people.manifest import person_key

    key = (client or "", person_key(name))
    if key not in people:
        people[key] = PersonInput(person_id=name, name=name, client=client)
    return people[key]


def _attach_row(people: dict[tuple[str, str], PersonInput], row: ManifestRow,
                by_path: dict[str, SummaryEntry], out: Path) -> None:
    from reports.people.manifest import person_key

    if row.key is None:
        return
    keys = {person_key(row.employee_id), person_key(row.name)} - {""}
    match = [p for (client, k), p in people.items()
             if (k in keys or any(key and key in k for key in keys))
             and (row.client is None or client in ("", row.client))]
    person = match[0] if match else _person(people, row.client, row.key)
    if row.name:
        person.name = row.name
    person.employee_id = person.employee_id or row.employee_id
    person.nationality = person.nationality or row.nationality
    person.rows.append(row)
    have = {e.source for e, _ in person.documents}
    for path in row.files:
        entry = by_path.get(str(path))
        if entry is not None and entry.source not in have:
            _detach(people, entry.source)
            person.documents.append((entry, _result(out, entry)))
            have.add(entry.source)


def _detach(people: dict[tuple[str, str], PersonInput], source: str) -> None:
    """A file the manifest assigns to a person leaves the folder person it was grouped under."""
    for person in people.values():
        person.documents = [(e, r) for e, r in person.documents if e.source != source]


def _result(out: Path, entry: SummaryEntry) -> DocumentResult | None:
    from reports.output import read_result

    if not entry.result:
        return None
    try:
        return read_result(out, entry.result)
    except (OSError, ValueError):
        log.warning("result of document %s unreadable", (entry.sha256 or "?")[:12])
        return None


# ---------------------------------------------------------------- command line


def add_people_arguments(parser: argparse.ArgumentParser) -> None:
    """`ksoc-audit audit` options of the per-person audit."""
    group = parser.add_argument_group(
        "per person", "audit each person's whole employment history (docs/PEOPLE.md): a person "
        "report, people.csv/.xlsx and a dashboard grouped by person")
    group.add_argument("--per-person-folders", action="store_true",
                       help="treat each sub-folder of an input folder as one person's documents "
                            "(with --per-client-folders: clients/<client>/<person>/)")
    group.add_argument("--person", metavar="NAME",
                       help="audit one person: the sub-folder NAME of the input folders, or, "
                            "when there is none, every input as NAME's documents")
    group.add_argument("--manifest", metavar="FILE",
                       help="HR staff list (XLSX or CSV, UTF-8 or CP949, Korean or English "
                            "headers): id, name, status of stay, sponsored code, visa dates, "
                            "planned F-2-7 filing date, document files")


def people_setup(args: argparse.Namespace) -> tuple[PeopleOptions | None, str | None]:
    """The per-person options of an `audit` command (None without any), `args.paths` narrowed
    to the person's folder for --person; or an error message (a usage error)."""
    options = PeopleOptions(
        per_person_folders=getattr(args, "per_person_folders", False),
        person=getattr(args, "person", None), manifest=getattr(args, "manifest", None),
        per_client_folders=getattr(args, "per_client_folders", False),
        client=getattr(args, "client", None))
    if not options.enabled:
        return None, None
    if options.manifest and not Path(options.manifest).is_file():
        return None, f"no such manifest file: {display_path(options.manifest)}"
    if options.manifest and Path(options.manifest).suffix.lower() not in (
            ".xlsx", ".xlsm", ".csv", ".tsv", ".txt"):
        return None, "the manifest must be an XLSX or CSV file"
    paths, roots = person_inputs(list(args.paths), options.person)
    args.paths = paths
    args.person_roots = roots
    return options, None


def people_after_audit(args: argparse.Namespace, options: PeopleOptions, summary: BatchSummary, out: Path,
                       code: int, *, pdf: bool = True) -> int:
    """Write the person outputs, print one line per person and the manifest's row problems;
    the exit code becomes 1 (unless documents failed: 2) when a person needs action."""
    run = run_people(summary, out, list(args.paths), options, show_pii=args.show_pii, pdf=pdf,
                     person_roots=getattr(args, "person_roots", False))
    from reports.pii import mask_name, mask_text

    counts: dict[str, int] = {}
    for record in run.records:
        counts[record.verdict.kind.value] = counts.get(record.verdict.kind.value, 0) + 1
    parts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(counts.items()))
    print(f"People: {len(run.records)} person record(s){': ' + parts if parts else ''}.")
    for record in run.records:
        name = record.name or record.person_id
        shown = name if args.show_pii else mask_name(name)
        print(f"  {shown}: {record.verdict.label_en}; qualifying "
              f"{record.f27.qualifying_years:.2f}/{record.f27.required_years} years; "
              f"{len(record.fixes)} fix(es) before filing")
    if run.manifest is not None:
        for problem in run.manifest.problems:
            print(f"  MANIFEST row {problem.row}: {mask_text(problem.message)}")
    index = out / "people.csv"
    print(f"People: {display_path(index)}; {display_path(out / 'index.html')}")
    if code == 2:
        return code
    return max(code, 1) if run.actionable else code
