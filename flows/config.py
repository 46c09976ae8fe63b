"""The operations config (TOML): scheduled audit jobs for `ksoc-audit serve`.

See ksoc-audit.example.toml for a commented example. Relative paths are resolved against the
folder of the config file. Every error names the key that is wrong (never its value).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from extractors.errors import ConfigError
from extractors.records import Record
from flows.documents import ReportsMode
from flows.runners import RunnerKind, resolve_runner

_JOB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_DASK_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc)://\S+$")


class Defaults(Record):
    """Settings every job inherits unless it sets its own."""

    runner: RunnerKind | None = None  # processes | threads | dask
    workers: int | None = Field(default=None, ge=1)  # documents in parallel (default: cores)
    dask_address: str | None = None  # tcp://host:8786 of an existing Dask scheduler
    reports: ReportsMode = ReportsMode.all  # all | html | json
    batch_size: int = Field(default=100, ge=1, le=10_000)  # documents per sub-batch flow run
    timezone: str = "Asia/Seoul"  # IANA time zone of the cron schedules
    show_pii: bool = False  # do not mask identifiers in outputs

    @field_validator("dask_address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value and not _DASK_ADDRESS.match(value):
            raise ValueError("expected a scheduler address like tcp://host:8786")
        return value or None


class Job(Defaults):
    """One scheduled audit: a Prefect deployment of the `audit_contracts` flow."""

    name: str  # deployment name: letters, digits, '-', '_', '.'
    inputs: list[str] = Field(min_length=1)  # files or folders to audit (recursively)
    out: str  # output folder of this job (one per client for relocation firms)
    schedule: str  # cron expression, e.g. "0 2 * * *" for 02:00 every night
    client: str | None = None  # relocation-firm client the documents belong to
    per_client_folders: bool = False  # first-level subfolders of each input are clients
    description: str = ""  # shown in the Prefect UI

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _JOB_NAME.match(value):
            raise ValueError("use 1-63 letters, digits, '-', '_' or '.'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Job:
        from prefect.client.schemas.schedules import CronSchedule

        if self.client and self.per_client_folders:
            raise ValueError("set either client or per_client_folders, not both")
        try:
            CronSchedule(cron=self.schedule, timezone=self.timezone)
        except ValidationError as exc:
            raise ValueError(f"invalid schedule or timezone ({_first_field(exc)})") from None
        try:
            resolve_runner(self.runner, self.workers, self.dask_address)
        except ConfigError as exc:
            raise ValueError(exc.args[0]) from None
        return self


class OpsConfig(Record):
    jobs: list[Job] = Field(min_length=1)  # the scheduled audits

    @model_validator(mode="after")
    def _unique(self) -> OpsConfig:
        names = [job.name for job in self.jobs]
        if len(set(names)) != len(names):
            raise ValueError("job names must be unique")
        outs = [str(Path(job.out).resolve()) for job in self.jobs]
        if len(set(outs)) != len(outs):
            raise ValueError("each job needs its own output folder")
        return self


def load_config(path: str | Path) -> OpsConfig:
    """Read and validate a config file; raise ConfigError naming the offending key."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found", advice=_ADVICE) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name} is not valid TOML ({exc})", advice=_ADVICE) from None
    return parse_config(raw, base=path.parent)


def parse_config(raw: dict[str, Any], *, base: Path) -> OpsConfig:
    """Validate a parsed TOML document; each job inherits [defaults]."""
    if not isinstance(raw.get("defaults", {}), dict) or not isinstance(raw.get("jobs", []), list):
        raise ConfigError("[defaults] must be a table and [[jobs]] an array of tables",
                          advice=_ADVICE)
    unknown = sorted(set(raw) - {"defaults", "jobs"})
    if unknown:
        raise ConfigError(f"unknown top-level key(s): {', '.join(unknown)}", advice=_ADVICE)
    defaults = raw.get("defaults", {})
    jobs = [_resolve_paths({**defaults, **job}, base) if isinstance(job, dict) else job
            for job in raw.get("jobs", [])]
    try:
        return OpsConfig.model_validate({"jobs": jobs})
    except ValidationError as exc:
        raise ConfigError(_describe(exc), advice=_ADVICE) from None


_ADVICE = "see ksoc-audit.example.toml and docs/OPERATIONS.md"


def _resolve_paths(job: dict[str, Any], base: Path) -> dict[str, Any]:
    resolved = dict(job)
    if isinstance(job.get("out"), str):
        resolved["out"] = str((base / job["out"]).resolve())
    if isinstance(job.get("inputs"), list):
        resolved["inputs"] = [str((base / p).resolve()) if isinstance(p, str) else p
                              for p in job["inputs"]]
    return resolved


def _describe(exc: ValidationError) -> str:
    """'jobs[2].schedule: ...' lines, without the offending values (they may be paths)."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        parts.append(f"{loc.lstrip('.') or 'config'}: {error['msg']}")
    return "invalid config: " + "; ".join(parts)


def _first_field(exc: ValidationError) -> str:
    return ", ".join(str(e["loc"][0]) for e in exc.errors() if e["loc"]) or "schedule"
