"""Scenarios move euros and clients exactly as documented in toolkit/forecasts/_scenario.py."""

from __future__ import annotations

import polars as pl
import pytest

from ethics.errors import ConfigError
from toolkit.forecasts import load_scenario
from toolkit.forecasts._scenario import DEFAULT_SCENARIO, SCENARIO_DIR


def _write(tmp_path, body: str):
    path = tmp_path / "scenario.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _ok(result) -> pl.DataFrame:
    return result.primary.filter(pl.col("status") == "ok").sort("level", "region_code", "year")


def test_default_scenario_is_policy_unchanged(den_haag):
    assert load_scenario().name == "bij ongewijzigd beleid"
    assert load_scenario(DEFAULT_SCENARIO).price_factor == 1.0
    assert den_haag.audit["scenario"]["name"] == "bij ongewijzigd beleid"
    assert den_haag.table["scenario"].str.starts_with("bij ongewijzigd beleid; ").all()


def test_shipped_scenarios_load():
    names = {load_scenario(p).name for p in SCENARIO_DIR.glob("*.toml")}
    assert len(names) >= 3


def test_price_factor_moves_euros_not_clients(den_haag, panel_frame, policy, run_forecast, tmp_path):
    path = _write(tmp_path, '[scenario]\nname = "duurder"\n[prices]\nfactor = 1.10\n')
    base, new = _ok(den_haag), _ok(run_forecast(panel_frame, policy, scenario=path))
    assert new["clients"].equals(base["clients"])
    wijk = new["level"] == "wijk"
    ratio = (new["cost_eur"] / base["cost_eur"]).filter(wijk & (base["cost_eur"] >= 500_000))
    assert ratio.min() > 1.09 and ratio.max() < 1.11  # euros are rounded to thousands per wijk
    g_new, g_base = new.filter(~wijk)["cost_eur"], base.filter(~wijk)["cost_eur"]
    assert ((g_new / g_base - 1.10).abs() < 0.001).all()


def test_indexation_compounds_from_the_price_year(den_haag, panel_frame, policy, run_forecast, tmp_path):
    path = _write(tmp_path, '[scenario]\nname = "index"\n[indexation]\npct_per_year = 3.0\n')
    base, new = _ok(den_haag), _ok(run_forecast(panel_frame, policy, scenario=path))
    g = new.filter(pl.col("level") == "gemeente")
    price_year = den_haag.audit["price"]["price_year"]
    expected = base.filter(pl.col("level") == "gemeente")["cost_eur"] * 1.03 ** (g["year"] - price_year).cast(
        pl.Float64
    )
    assert ((g["cost_eur"] / expected - 1).abs() < 0.001).all()


def test_rate_change_moves_clients_per_horizon(den_haag, panel_frame, policy, run_forecast, tmp_path):
    path = _write(tmp_path, '[scenario]\nname = "preventie"\n[rates]\npct_change_per_year = -2.0\n')
    base, new = _ok(den_haag), _ok(run_forecast(panel_frame, policy, scenario=path))
    g, b = new.filter(pl.col("level") == "gemeente"), base.filter(pl.col("level") == "gemeente")
    expected = b["clients"] * 0.98 ** g["horizon"].cast(pl.Float64)
    assert ((g["clients"] - expected).abs() <= 50).all()  # each child is rounded to whole clients
    assert (g["clients"] < b["clients"]).all() and (g["cost_eur"] < b["cost_eur"]).all()
    assert new.filter(pl.col("status") == "ok").select(pl.col("clients_lower").min()).item() >= 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('[scenario]\nname = ""\n', "scenario.name"),
        ('[scenario]\nname = "x"\n[prices]\nfactor = 0\n', "prices.factor"),
        ('[scenario]\nname = "x"\n[prices]\nfactor = "hoog"\n', "prices.factor"),
        ('[scenario]\nname = "x"\n[rates]\npct_change_per_year = 80\n', "rates.pct_change_per_year"),
        ("not toml = = 1", "not valid TOML"),
    ],
)
def test_bad_scenario_files_are_config_errors(tmp_path, body, reason):
    with pytest.raises(ConfigError, match=reason):
        load_scenario(_write(tmp_path, body))


def test_missing_scenario_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_scenario(tmp_path / "nope.toml")
