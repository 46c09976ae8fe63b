"""Scheduled audits: the TOML config's validation, the deployments built from it, and a real
`ksoc-audit serve` registering them with the Prefect server (stopped after the check)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractors.errors import ConfigError
from flows.config import load_config, parse_config
from flows.serve import build_deployments, job_parameters, next_runs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "ksoc-audit.example.toml"
JOB = {"name": "nightly", "inputs": ["in"], "out": "out", "schedule": "0 2 * * *"}


def _parse(*jobs: dict, defaults: dict | None = None, base: Path = Path("/srv/hr")):
    raw = {"jobs": list(jobs)} | ({"defaults": defaults} if defaults else {})
    return parse_config(raw, base=base)


def test_the_example_config_is_valid():
    config = load_config(EXAMPLE)
    names = [job.name for job in config.jobs]
    assert names == ["nightly-staff-files", "weekly-reaudit", "client-acme", "client-hanbit"]
    acme = config.jobs[2]
    assert acme.client == "ACME Korea" and acme.timezone == "Asia/Seoul"
    assert acme.out == str(ROOT / "audits/clients/acme")
    assert config.jobs[1].reports == "all" and config.jobs[0].reports == "html"


@pytest.mark.parametrize(("change", "message"), [
    ({"schedule": "61 * * * *"}, r"jobs\[0\]: .*invalid schedule"),
    ({"timezone": "Mars/Olympus"}, r"jobs\[0\]: .*invalid schedule or timezone"),
    ({"colour": "blue"}, r"jobs\[0\]\.colour: Extra inputs"),
    ({"inputs": []}, r"jobs\[0\]\.inputs: List should have at least 1 item"),
    ({"name": "night ly/1"}, r"jobs\[0\]\.name: .*letters"),
    ({"client": "acme", "per_client_folders": True}, "either client or per_client_folders"),
    ({"dask_address": "10.0.0.5:8786"}, r"dask_address: .*tcp://"),
    ({"dask_address": "tcp://10.0.0.5:8786", "runner": "threads"}, "needs the dask runner"),
    ({"workers": 0}, r"jobs\[0\]\.workers: .*greater than or equal to 1"),
    ({"out": None}, r"jobs\[0\]\.out"),
])
def test_config_errors_name_the_key(change, message):
    job = {k: v for k, v in {**JOB, **change}.items() if v is not None}
    with pytest.raises(ConfigError, match=message):
        _parse(job)


def test_config_errors_across_jobs_and_files(tmp_path):
    with pytest.raises(ConfigError, match="names must be unique"):
        _parse(JOB, {**JOB, "out": "other"})
    with pytest.raises(ConfigError, match="own output folder"):
        _parse(JOB, {**JOB, "name": "other"})
    with pytest.raises(ConfigError, match="jobs: List should have at least 1"):
        parse_config({"defaults": {}}, base=tmp_path)
    with pytest.raises(ConfigError, match="unknown top-level key"):
        parse_config({"job": [JOB]}, base=tmp_path)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("[[jobs]\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path / "bad.toml")


def test_errors_never_echo_values():
    secret = "/srv/hr/김민수-passport-M12345678.pdf"
    with pytest.raises(ConfigError) as info:
        _parse({**JOB, "inputs": [secret, 5]})
    assert "M12345678" not in info.value.message and "김민수" not in info.value.message


def test_defaults_are_inherited_and_paths_resolved():
    config = _parse(JOB, {**JOB, "name": "acme", "out": "acme-out", "client": "ACME",
                          "reports": "json", "workers": 3},
                    defaults={"reports": "html", "timezone": "UTC", "batch_size": 50})
    nightly, acme = config.jobs
    assert nightly.reports == "html" and acme.reports == "json"
    assert nightly.timezone == acme.timezone == "UTC" and acme.batch_size == 50
    assert nightly.inputs == ["/srv/hr/in"] and acme.out == "/srv/hr/acme-out"
    assert job_parameters(acme) == {
        "paths": ["/srv/hr/in"], "out_dir": "/srv/hr/acme-out", "client": "ACME",
        "per_client_folders": False, "show_pii": False, "reports": "json", "batch_size": 50,
        "workers": 3}


def test_deployments_carry_schedules_and_parameters():
    config = _parse(JOB, {**JOB, "name": "weekly", "out": "weekly", "schedule": "30 6 * * 1",
                          "dask_address": "tcp://10.0.0.5:8786"},
                    defaults={"timezone": "Asia/Seoul"})
    nightly, weekly = build_deployments(config)
    assert (nightly.name, weekly.name) == ("nightly", "weekly")
    assert nightly.entrypoint == "flows.audit.audit_contracts"
    crons = [(d.schedules[0].schedule.cron, d.schedules[0].schedule.timezone)
             for d in (nightly, weekly)]
    assert crons == [("0 2 * * *", "Asia/Seoul"), ("30 6 * * 1", "Asia/Seoul")]
    assert weekly.parameters["dask_address"] == "tcp://10.0.0.5:8786"
    assert weekly.parameters["out_dir"] == "/srv/hr/weekly"
    monday = next_runs(config.jobs[1], n=2)
    assert [d.isoweekday() for d in monday] == [1, 1] and (monday[1] - monday[0]).days == 7


def test_serve_check_and_usage_errors(tmp_path, capsys):
    from flows.cli import main

    assert main(["serve", "--config", str(EXAMPLE), "--check"]) == 0
    out = capsys.readouterr().out
    assert "nightly-staff-files: '0 2 * * *' (Asia/Seoul), next run" in out
    (tmp_path / "bad.toml").write_text('[[jobs]]\nname = "x"\n', encoding="utf-8")
    assert main(["serve", "--config", str(tmp_path / "bad.toml")]) == 64
    assert "jobs[0].inputs: Field required" in capsys.readouterr().err


@pytest.mark.slow
def test_serve_registers_scheduled_deployments(prefect_harness, tmp_path):
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL

    config = tmp_path / "ops.toml"
    config.write_text('[[jobs]]\nname = "serve-test"\ninputs = ["in"]\nout = "out"\n'
                      'schedule = "0 3 * * *"\ntimezone = "Asia/Seoul"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_API_URL": PREFECT_API_URL.value()}
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--config", str(config)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deployment = _wait_for_deployment(get_client(sync_client=True), proc)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert deployment.entrypoint == "flows.audit.audit_contracts"
    assert deployment.parameters["out_dir"] == str(tmp_path / "out")
    schedule = deployment.schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("0 3 * * *", "Asia/Seoul")


def _wait_for_deployment(client, proc, timeout: float = 60):
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    with client:
        while True:
            assert proc.poll() is None, proc.stderr.read().decode(errors="replace")[-2000:]
            try:
                return client.read_deployment_by_name("audit_contracts/serve-test")
            except ObjectNotFound:
                assert time.monotonic() < deadline, "serve did not register the deployment"
                time.sleep(0.3)
