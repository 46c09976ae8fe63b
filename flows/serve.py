"""`ksoc-audit serve`: the config's jobs as Prefect deployments with cron schedules, served here."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.audit import audit_contracts
from flows.config import Job, OpsConfig

log = logging.getLogger(__name__)

TAGS = ["ksoc-audit"]


def job_parameters(job: Job) -> dict[str, Any]:
    """The `audit_contracts` parameters of a job (only what the job sets)."""
    params = {
        "paths": list(job.inputs), "out_dir": job.out, "client": job.client,
        "per_client_folders": job.per_client_folders, "show_pii": job.show_pii,
        "reports": job.reports.value, "batch_size": job.batch_size,
        "runner": job.runner.value if job.runner else None, "workers": job.workers,
        "dask_address": job.dask_address,
    }
    return {k: v for k, v in params.items() if v is not None}


def build_deployment(job: Job) -> RunnerDeployment:
    """One deployment of `audit_contracts`, loaded by module path so any working folder works."""
    # Prefect's async_dispatch types the result as "deployment or coroutine"; called from sync
    # code, as here, it is the deployment.
    return audit_contracts.to_deployment(  # type: ignore[return-value]
        name=job.name,
        schedules=[Cron(job.schedule, timezone=job.timezone)],
        parameters=job_parameters(job),
        description=job.description or f"ksoc-audit job {job.name}",
        tags=TAGS,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def build_deployments(config: OpsConfig) -> list[RunnerDeployment]:
    return [build_deployment(job) for job in config.jobs]


def describe_jobs(config: OpsConfig, *, now: datetime | None = None) -> list[str]:
    """One line per job with its schedule and next run, for `serve --check`."""
    lines = []
    for job in config.jobs:
        nxt = next_runs(job, n=1, start=now)
        when = nxt[0].isoformat() if nxt else "never"
        lines.append(f"{job.name}: '{job.schedule}' ({job.timezone}), next run {when} -> {job.out}")
    return lines


def next_runs(job: Job, *, n: int, start: datetime | None = None) -> list[datetime]:
    """The next `n` scheduled times of a job, as Prefect's scheduler computes them."""
    from prefect.server.schemas.schedules import CronSchedule

    schedule = CronSchedule(cron=job.schedule, timezone=job.timezone)
    return list(asyncio.run(schedule.get_dates(n=n, start=start)))


def serve_jobs(config: OpsConfig, *, limit: int = 1) -> None:
    """Register the deployments and run their scheduled flow runs until interrupted.

    `limit` flow runs at a time (default 1: each run already uses every core).
    """
    from prefect import serve

    deployments = build_deployments(config)
    log.info("serving %d deployment(s)", len(deployments))
    serve(*deployments, limit=limit, print_starting_message=True)
