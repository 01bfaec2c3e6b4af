"""Forecasts on the panel with CBS KWB 2024 (real data): 2025-2029, both growth assumptions, the 2022 -> 2024
check in the backtest, recoded wijken, and no leakage of 2024 into a forecast made as of 2022."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from toolkit.config import RunConfig
from toolkit.forecasts import build_forecasts
from toolkit.forecasts._backtest import build_states, run_backtest
from toolkit.panel import build_panel

KWB_2024 = Path(__file__).resolve().parents[4] / "shared" / "data" / "cbs" / "kwb_2024_wijk_gemeente_85984NED.csv"


@pytest.fixture(scope="module")
def panel_2024(panel_frame, policy) -> pl.DataFrame:
    """The embedded panel if it holds 2024 youth care, else it merged with the real KWB 2024 file."""
    if panel_frame.filter(pl.col("year") == 2024, pl.col("youth_care_rate_pct").is_not_null()).height:
        return panel_frame
    if not KWB_2024.exists():
        pytest.skip("the real KWB 2024 file (../shared/data/cbs) is not available")
    from toolkit.sources import load_indicators

    return load_indicators(KWB_2024, policy)


@pytest.fixture(scope="module")
def den_haag_2024(panel_2024, policy, run_forecast):
    return run_forecast(panel_2024, policy)


@pytest.fixture(scope="module")
def backtest_2024(panel_2024):
    return run_backtest(build_states(panel_2024, 2024, frozenset()), 2024, frame=panel_2024)


def test_default_run_forecasts_2025_to_2029_from_2024(den_haag_2024):
    t = den_haag_2024.primary
    assert sorted(t["year"].unique().to_list()) == [2025, 2026, 2027, 2028, 2029]
    assert den_haag_2024.audit["origin_year"] == 2024


def test_both_growth_assumptions_are_published_in_euros_for_the_gemeente(den_haag_2024):
    gem = den_haag_2024.table.filter(pl.col("level") == "gemeente")
    labels = set(gem["scenario"].unique().to_list())
    assert labels == {"bij ongewijzigd beleid; tarieven constant", "bij ongewijzigd beleid; trend zet door"}
    assert gem.group_by("scenario").len()["len"].to_list() == [5, 5]
    assert gem.filter(pl.col("cost_eur").is_null()).is_empty()
    # wijk rows carry only the leading assumption, so every wijk-year appears once
    wijk = den_haag_2024.table.filter(pl.col("level") == "wijk")
    assert wijk.select("region_code", "year").is_duplicated().sum() == 0
    assert wijk["growth"].unique().to_list() == [den_haag_2024.audit["growth"]["chosen"]]


def test_every_interval_is_ordered_and_never_negative(den_haag_2024):
    ok = den_haag_2024.table.filter(pl.col("status") == "ok")
    for lo, hi in (("clients_lower", "clients_upper"), ("clients_lower_95", "clients_upper_95"),
                   ("cost_lower_eur", "cost_upper_eur")):
        assert ok.select((pl.col(lo) >= 0).all() & (pl.col(lo) <= pl.col(hi)).all()).item()
    assert ok.select((pl.col("clients_lower_95") <= pl.col("clients_lower")).all()
                     & (pl.col("clients_upper") <= pl.col("clients_upper_95")).all()).item()


def test_growth_choice_is_published_with_its_scores(den_haag_2024):
    growth = den_haag_2024.audit["growth"]
    assert growth["chosen"] in growth["mean_abs_log_error_by_level"]["gemeente"]
    assert set(growth["chosen_by_level"]) == {"wijk", "gemeente"}
    assert [s["to"] for s in growth["trend"]["steps"]][-1] == 2024  # 2022 -> 2024: one 2-year step


def test_backtest_has_gemeente_rows_and_the_2022_to_2024_check(backtest_2024):
    t = backtest_2024.table
    gem = t.filter(pl.col("level") == "gemeente")
    check = gem.filter(pl.col("origin") == "2022", pl.col("horizon") == 2)
    assert set(check["model"]) >= {"model", "model_rates_constant", "last_value", "drift"}
    assert check["n_regions"].min() >= 300
    wijk = t.filter(pl.col("level") == "wijk", pl.col("origin") == "2022", pl.col("horizon") == 2)
    assert set(wijk["model"]) >= {"model", "last_value", "drift"}
    assert gem["total_bias"].is_not_null().all()
    assert set(t.filter(pl.col("model") == "model", pl.col("level") == "wijk")["origin"]) >= {"2019", "2021", "all"}


def test_recoded_wijken_start_from_their_level_and_say_so(panel_2024, policy):
    panel = build_panel(panel_2024, ["GM0363"])  # Amsterdam recoded its wijken in 2023 (letter codes)
    status = panel.scope_wijken().select("region_code", pl.lit("ok").alias("status"))
    result = build_forecasts(panel, status, policy, RunConfig(gemeenten=("GM0363",)))
    new = result.primary.filter(pl.col("level") == "wijk", pl.col("flag").str.starts_with("no_history"))
    assert new.height > 0
    assert new.filter(pl.col("status") == "ok")["clients"].is_not_null().all()


def test_a_forecast_as_of_2022_does_not_see_2024(panel_2024, policy, run_forecast):
    later = pl.col("year") > 2022
    scrambled = panel_2024.with_columns(
        pl.when(later).then(pl.col(c) * 2).otherwise(pl.col(c)).alias(c)
        for c in ("youth_care_rate_pct", "youth_care_clients", "youth_0_22_est", "pop_0_14", "pop_15_24")
    )
    real, fake = run_forecast(panel_2024, policy, as_of=2022), run_forecast(scrambled, policy, as_of=2022)
    assert_frame_equal(real.table, fake.table)
    assert real.audit["growth"] == fake.audit["growth"]
    assert real.table["year"].min() == 2023


def test_a_scenario_file_can_put_rates_constant_first(panel_2024, policy, run_forecast, den_haag_2024):
    from toolkit.forecasts._scenario import SCENARIO_DIR

    constant = run_forecast(panel_2024, policy, scenario=SCENARIO_DIR / "tarieven_constant.toml")
    assert constant.audit["growth"]["chosen"].endswith("rates_constant")
    assert constant.primary["scenario"].str.ends_with("; tarieven constant").all()
    gem = constant.table.filter(pl.col("level") == "gemeente", pl.col("horizon") == 5)
    by = dict(zip(gem["scenario"].str.split("; ").list.last(), gem["clients"], strict=True))
    assert set(by) == {"tarieven constant", "trend zet door"}
    trend = den_haag_2024.audit["growth"]["trend"]["national_log_change_per_year"]
    assert (by["trend zet door"] > by["tarieven constant"]) == (trend > 0)
