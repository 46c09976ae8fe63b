"""Command-line behaviour that needs no pipeline: usage errors, exit codes, doctor."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.records import Status
from flows.cli import EXIT_USAGE, audit_exit_code, main
from reports.records import BatchSummary, SummaryEntry


def test_usage_errors_exit_64(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["audit"])
    assert exc.value.code == EXIT_USAGE
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == EXIT_USAGE


def test_missing_input_path_is_a_usage_error(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == EXIT_USAGE
    assert "no such file" in capsys.readouterr().err


def _summary(*entries):
    return BatchSummary(documents=list(entries))


@pytest.mark.parametrize(("entries", "code"), [
    ([SummaryEntry(source="a", status=Status.success)], 0),
    ([SummaryEntry(source="a", status=Status.success, findings=["generic_title"],
                   worst_severity="high")], 1),
    ([SummaryEntry(source="a", status=Status.success, findings=["f27_income_points"],
                   worst_severity="low")], 0),
    ([SummaryEntry(source="a", status=Status.failed),
      SummaryEntry(source="b", status=Status.success, findings=["x"], worst_severity="medium")], 2),
])
def test_exit_codes(entries, code):
    assert audit_exit_code(_summary(*entries)) == code


def test_doctor_reports_each_check(capsys):
    from flows.doctor import run_doctor

    lines: list[str] = []
    run_doctor(echo=lines.append)
    text = "\n".join(lines)
    for name in ("tesseract", "language kor", "NanumGothic", "Prefect home", "reference data"):
        assert name in text


def test_prefect_reads_the_quiet_log_level_the_cli_sets(tmp_path):
    # The CLI sets the environment before anything imports Prefect (which reads its settings
    # once, at import), or Prefect's INFO run logs would mix with the progress bar. Building the
    # parser no longer imports Prefect (tests/test_server.py); importing it afterwards must
    # still find the quiet level.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_LOGGING")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    code = ("import sys, flows.cli as c; c.main(['rules']); "
            "import prefect.settings as s; print('LEVEL', s.get_current_settings().logging.level)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "LEVEL WARNING" in out


def test_match_title_option_is_the_korean_title_and_options_are_never_abbreviated(capsys):
    assert main(["match", "--title", "웹 개발자"]) == 0
    first = capsys.readouterr().out.splitlines()[1].split()
    assert first[:2] == ["1", "2224"]  # 웹 개발자, not an English title that matched nothing
    with pytest.raises(SystemExit) as exc:
        main(["match", "--title-e", "Web Developer"])  # prefixes are not options
    assert exc.value.code == EXIT_USAGE
    assert main(["match", "웹 개발자", "--title", "간호사"]) == EXIT_USAGE


def test_version_and_subcommand_help(capsys) -> None:
    from flows.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("ksoc-audit ")
    for command in ("audit", "match", "rules", "doctor", "watch"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert "example:" in text and "exit codes" in text, command
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    assert "real names" in capsys.readouterr().out  # what masking covers, and what it does not


def test_a_folder_without_contract_files_is_a_usage_error(tmp_path, capsys) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "in" / "list.csv").write_text("a,b\n", encoding="utf-8")
    assert main(["audit", str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == EXIT_USAGE
    assert "no contract files found" in capsys.readouterr().err


def test_notes_and_data_beside_the_contracts_are_skipped_and_counted(tmp_path) -> None:
    from flows.discover import discover

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("contract.pdf", "photo.jpg", "README.md", "notes.txt", "data.json", "list.csv"):
        (folder / name).write_bytes(b"x")
    skipped: list = []
    found = discover([str(folder)], skipped=skipped)
    assert sorted(Path(i.path).name for i in found) == ["contract.pdf", "photo.jpg"]
    assert sorted(Path(s.source).name for s in skipped) == ["README.md", "data.json", "list.csv",
                                                             "notes.txt"]
    assert {s.code for s in skipped} == {"not_a_document"}
    given = discover([str(folder / "notes.txt")], skipped=skipped)  # named files are audited
    assert [Path(i.path).name for i in given] == ["notes.txt"]
