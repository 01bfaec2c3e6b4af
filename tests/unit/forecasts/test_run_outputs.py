"""`wijksignaal run` writes backtest.csv and the forecast audit section; --scenario and --as-of work."""

from __future__ import annotations

import json

import polars as pl
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.forecasts._scenario import SCENARIO_DIR

runner = CliRunner()


def test_run_writes_backtest_and_forecast_audit_with_scenario_and_as_of(tmp_path):
    out = tmp_path / "out"
    scenario = SCENARIO_DIR / "prijsindexatie_3pct.toml"
    result = runner.invoke(app, ["run", "--out", str(out), "--as-of", "2021", "--scenario", str(scenario)])
    assert result.exit_code == 0, result.output
    backtest = pl.read_csv(out / "backtest.csv")
    assert backtest.columns[:10] == ["level", "model", "horizon", "origin", "mae", "mape", "bias", "total_bias",
                                     "coverage_80", "coverage_95"]
    assert "n_regions" in backtest.columns
    assert {"model", "model_rates_constant", "last_value", "drift"} <= set(backtest["model"])
    forecast = pl.read_csv(out / "forecast.csv")
    assert forecast["year"].min() == 2022 and forecast["year"].max() == 2026
    section = json.loads((out / "audit.json").read_text())["forecast"]
    assert section["origin_year"] == 2021
    assert section["scenario"]["indexation_pct_per_year"] == 3.0
    assert "83454NED" in section["price"]["source"]
    assert section["backtest"]["origins"] == [2019, 2020]
    assert section["coherence"]["gemeente_minus_sum_of_children_clients_max_abs"] == 0


def test_unknown_scenario_file_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["run", "--out", str(tmp_path / "o"), "--scenario", str(tmp_path / "x.toml")])
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()
