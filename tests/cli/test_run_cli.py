"""`wijksignaal run` through typer's CliRunner: outputs, exit codes, atomic writes, the output folder, progress."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from ethics.egress import MARKER
from toolkit.cli import app

runner = CliRunner()
STAGES = ("reading the CBS indicators", "profiles of 1 gemeente(n)", "5-year forecasts and backtest",
          "fairness audit", "audit and report pages", "egress checks and writing the outputs")
GATE_STAGES = ("privacy gate: reading and checking the register", "privacy gate: bounding and counting ",
               "privacy gate: charging the budget, adding noise and applying the CBS rule")


@pytest.fixture(scope="module")
def den_haag(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    result = runner.invoke(app, ["run", "--out", str(out)])
    return out, result


def test_run_den_haag_writes_contract_outputs(den_haag):
    out, result = den_haag
    assert result.exit_code == 0, result.output
    profiles = pl.read_csv(out / "profiles.csv")
    assert profiles.height == 44
    assert set(profiles["status"]) <= {"ok", "secret", "too_small"}
    forecast = pl.read_csv(out / "forecast.csv")
    assert sorted(forecast["horizon"].unique()) == [1, 2, 3, 4, 5]
    assert set(forecast["level"]) == {"wijk", "gemeente"}
    audit = json.loads((out / "audit.json").read_text())
    assert all(len(i["sha256"]) == 64 for i in audit["inputs"])
    assert len(audit["config"]["sha256"]) == 64
    marker = json.loads((out / MARKER).read_text())
    assert sorted(marker["files"]) == sorted(p.name for p in out.iterdir() if p.name != MARKER)


def test_progress_shows_every_stage_as_plain_lines_when_not_on_a_terminal(den_haag):
    _, result = den_haag
    for stage in STAGES:
        assert f"wijksignaal: {stage} ..." in result.output and f"wijksignaal: done {stage} (" in result.output
    progress = [line for line in result.output.splitlines() if line.startswith("wijksignaal:")]
    assert all("WK" not in line and "GM" not in line for line in progress)  # stages and counts only


def test_progress_shows_the_steps_of_the_privacy_gate_with_the_number_of_rows(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--demo-records", "--gemeente", "GM0088", "--years", "2023-2024",
                                 "--ledger", str(tmp_path / "l.sqlite"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("wijksignaal: privacy gate")]
    for step in GATE_STAGES:
        assert any(line.startswith(f"wijksignaal: {step}") for line in lines), (step, lines)
    counting = next(line for line in lines if "bounding and counting" in line)
    assert counting.split("counting ")[1].split(" rows")[0].replace(",", "").isdigit()  # a count, no value


def test_quiet_prints_nothing_and_replaces_the_earlier_output(den_haag):
    out, _ = den_haag
    (out / "profiles.csv").write_text("stale")
    result = runner.invoke(app, ["run", "--quiet", "--out", str(out)])
    assert result.exit_code == 0 and result.output == ""
    assert pl.read_csv(out / "profiles.csv").height == 44
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_unknown_gemeente_is_a_usage_error_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--gemeente", "GM9999", "--out", str(out)])
    assert result.exit_code == 2
    assert "GM9999" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_as_of_before_the_youth_population_data_is_a_clear_usage_error(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--as-of", "2020", "--out", str(out)])
    assert result.exit_code == 2
    assert "--as-of 2020 is too early" in result.output and "2021" in result.output
    assert not out.exists()


def _tree(folder):
    return sorted((p.relative_to(folder).as_posix(), p.read_bytes() if p.is_file() else b"")
                  for p in folder.rglob("*"))


@pytest.mark.parametrize("case", ["dot", "user-files", "symlink", "file"])
def test_out_that_would_lose_user_files_is_refused_before_any_work(tmp_path, monkeypatch, case):
    (tmp_path / "thesis.docx").write_text("mine")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "notes.csv").write_text("=mine")
    (tmp_path / "link").symlink_to(tmp_path / "dir")
    monkeypatch.chdir(tmp_path)
    out, named = {"dot": (".", str(tmp_path)), "user-files": ("dir", str(tmp_path / "dir")),
                  "symlink": ("link", str(tmp_path / "link")), "file": ("thesis.docx", str(tmp_path / "thesis.docx"))
                  }[case]
    before = _tree(tmp_path)
    result = runner.invoke(app, ["run", "--out", out])
    assert result.exit_code == 2, result.output
    assert named in result.output and "Nothing was written" in result.output
    assert "wijksignaal: profiles" not in result.output  # refused before the work starts
    assert _tree(tmp_path) == before


def test_a_bug_exits_1_with_a_generic_message_no_details_and_writes_nothing(tmp_path, monkeypatch):
    import toolkit.pipeline

    def broken(*args, **kwargs):
        raise ValueError("client SYN-000042 with bsn 111222333 broke it")  # a message quoting personal data

    monkeypatch.setattr(toolkit.pipeline, "build_profiles", broken)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--out", str(out)])
    assert result.exit_code == 1
    assert "unexpected error (ValueError)" in result.output and "This is a bug" in result.output
    assert "SYN-000042" not in result.output and "111222333" not in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
