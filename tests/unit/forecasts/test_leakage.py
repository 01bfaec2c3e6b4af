"""No time leakage: nothing after the origin (backtest) or after --as-of changes a forecast."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ethics.errors import ConfigError
from toolkit.forecasts._backtest import build_states, run_backtest
from toolkit.forecasts._features import origin_state
from toolkit.forecasts._population import growth_years
from toolkit.panel import build_panel

NUMERIC = (
    "youth_care_rate_pct",
    "youth_0_22_est",
    "youth_care_clients",
    "n_aow",
    "pct_rental",
    "income_avg_per_inhabitant_x1000eur",
    "pop_0_14",
    "pop_15_24",
)


def _scramble_after(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    """The same panel with every value after `year` changed (rates tripled, counts and indicators halved)."""
    later = pl.col("year") > year
    return frame.with_columns(
        pl.when(later)
        .then(pl.col(c) * (3.0 if c == "youth_care_rate_pct" else 0.5))
        .otherwise(pl.col(c))
        .alias(c)
        for c in NUMERIC
    )


@pytest.mark.parametrize("origin", [2019, 2020, 2021])
def test_origin_features_ignore_later_years(panel_frame, origin):
    before = origin_state(panel_frame, origin)
    after = origin_state(_scramble_after(panel_frame, origin), origin)
    assert_frame_equal(before, after)


def test_backtest_forecasts_at_an_origin_ignore_later_years(panel_frame):
    origin = 2020
    keep = ["method", "origin", "horizon", "region_code", "y_hat", "lo80", "hi80"]
    scrambled_frame = _scramble_after(panel_frame, origin)
    real_bt = run_backtest(build_states(panel_frame, 2022, frozenset()), 2022, frame=panel_frame)
    fake_bt = run_backtest(build_states(scrambled_frame, 2022, frozenset()), 2022, frame=scrambled_frame)
    assert real_bt.choices_by_origin[origin] == fake_bt.choices_by_origin[origin]  # chosen on earlier years
    real, fake = real_bt.rows, fake_bt.rows
    a = real.filter(pl.col("origin") == origin).select(keep).sort(keep[:4])
    b = fake.filter(pl.col("origin") == origin).select(keep).sort(keep[:4])
    assert a.height > 1000
    assert_frame_equal(a, b)
    # and the scrambled years did change what those forecasts are scored against
    assert not real.filter(pl.col("origin") == origin)["y_true"].equals(
        fake.filter(pl.col("origin") == origin)["y_true"]
    )


def test_as_of_forecast_ignores_every_later_year_including_the_2024_map(panel_frame, policy, run_forecast):
    real = run_forecast(panel_frame, policy, as_of=2021)
    fake = run_forecast(_scramble_after(panel_frame, 2021), policy, as_of=2021)
    assert_frame_equal(real.table, fake.table)
    assert_frame_equal(real.backtest, fake.backtest)
    assert real.table["year"].min() == 2022
    assert real.audit["backtest"]["origins"] == [2019, 2020]


def test_as_of_population_growth_uses_no_later_year(panel_frame):
    assert growth_years(build_panel(panel_frame, ["GM0518"])) == (2022, 2024)
    assert growth_years(build_panel(panel_frame, ["GM0518"], as_of=2022)) == (2021, 2022)
    assert growth_years(build_panel(panel_frame, ["GM0518"], as_of=2021)) is None


def test_as_of_before_the_youth_population_exists_is_a_usage_error(panel_frame, policy, run_forecast):
    # KWB publishes wijk youth populations (and gemeente rows) from 2021: no clients can be forecast before.
    with pytest.raises(ConfigError):
        run_forecast(panel_frame, policy, as_of=2020)
