"""`wijksignaal run` through typer's CliRunner: outputs, exit codes, atomic writes."""

from __future__ import annotations

import json

import polars as pl
from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()


def test_run_den_haag_writes_contract_outputs(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--out", str(out)])
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
