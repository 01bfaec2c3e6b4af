"""Rolling-origin backtest on the real panel: never a random split over time.

For every origin t (a year with wijk rates, before the latest year) the model is fitted on pairs up to t
only and forecasts every Dutch wijk with a rate in t for horizons 1..(latest - t); the baselines of
`_baseline` forecast the same wijken. Origins where the model has no training pair yet (the first year)
are skipped for every method, so all methods are scored on the same wijk-origin-horizon set.

Scores are in the unit of the rate (percentage points of youths under 23): MAE, MAPE (actual rates are
> 0) and the coverage of the 80% interval. The interval of a forecast made at origin t is calibrated only on
errors of forecasts made before t whose target year is <= t (nested, so coverage is out of sample too).
Targets after 2020 use the bridged definition: errors across the bridge include its level shift, which a
model at a 2019 or 2020 origin cannot know; the audit reports them separately.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from toolkit.forecasts._baseline import BASELINES, baseline_forecast
from toolkit.forecasts._features import origin_state
from toolkit.forecasts._intervals import add_intervals, calibrate
from toolkit.forecasts._rate_model import fit_rate_model, forecast_log_rates

__all__ = ["METHODS", "Backtest", "build_states", "gemeente_errors", "run_backtest"]

METHODS = ("model", *BASELINES)
BACKTEST_COLUMNS = ("model", "horizon", "mae", "mape", "coverage_80", "n_regions")


@dataclass(frozen=True)
class Backtest:
    """Scored rolling-origin forecasts (`rows`), backtest.csv (`table`) and per-wijk model errors."""

    rows: pl.DataFrame
    table: pl.DataFrame
    region_errors: pl.DataFrame
    origins: tuple[int, ...]


def build_states(frame: pl.DataFrame, latest: int, excluded: frozenset[str]) -> dict[int, pl.DataFrame]:
    """`origin_state` of every year with wijk rates up to `latest`."""
    years = (
        frame.filter(
            pl.col("level") == "wijk", pl.col("year") <= latest, pl.col("youth_care_rate_pct").is_not_null()
        )["year"]
        .unique()
        .sort()
        .to_list()
    )
    return {int(t): origin_state(frame, int(t), excluded) for t in years}


def _forecasts(
    states: dict[int, pl.DataFrame], t: int, horizon: int, alpha: float | None
) -> pl.DataFrame | None:
    model = fit_rate_model(states, t, alpha)
    if model is None:
        return None
    parts = [forecast_log_rates(model, states[t], horizon).with_columns(pl.lit("model").alias("method"))]
    parts += [
        baseline_forecast(b, states[t], horizon).with_columns(pl.lit(b).alias("method")) for b in BASELINES
    ]
    meta = states[t].select("region_code", "gemeente_code", "size", pl.col("m").alias("m_origin"))
    return pl.concat(parts).join(meta, on="region_code").with_columns(pl.lit(t).alias("origin"))


def _actuals(states: dict[int, pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(
        [
            s.select(
                "region_code",
                pl.lit(t).alias("target_year"),
                pl.col("y").alias("y_true"),
                pl.col("m").alias("m_target"),
            )
            for t, s in states.items()
        ]
    )


def _nested_intervals(rows: pl.DataFrame) -> pl.DataFrame:
    out = []
    for (method, t), part in rows.group_by("method", "origin", maintain_order=True):
        past = rows.filter(pl.col("method") == method, pl.col("origin") < t, pl.col("target_year") <= t)
        cal = calibrate(past.select("horizon", "log_error", "size"))
        out.append(add_intervals(part, cal) if cal else part)
    return pl.concat(out, how="diagonal_relaxed")


def _score(rows: pl.DataFrame, land: str) -> pl.DataFrame:
    rate, true = pl.col("y_hat").exp(), pl.col("y_true").exp()
    covered = pl.when(pl.col("lo80").is_not_null()).then((pl.col("lo80") <= true) & (true <= pl.col("hi80")))
    return (
        rows.group_by("method", "horizon")
        .agg(
            (rate - true).abs().mean().alias("mae"),
            ((rate - true).abs() / true * 100).mean().alias("mape"),
            covered.cast(pl.Float64).mean().alias("coverage_80"),
            pl.col("region_code").n_unique().alias("n_regions"),
            pl.len().alias("n_forecasts"),
            pl.col("origin").unique().sort().cast(pl.String).str.join(",").alias("origins"),
        )
        .rename({"method": "model"})
        .with_columns(
            pl.col("mae").round(4),
            pl.col("mape").round(2),
            pl.col("coverage_80").round(4),
            pl.lit("pct_points_of_youths_under_23").alias("unit"),
            pl.lit(land).alias("region_code"),
        )
        .sort(pl.col("model").replace_strict({m: i for i, m in enumerate(METHODS)}), "horizon")
    )


def _region_errors(rows: pl.DataFrame) -> pl.DataFrame:
    err = pl.col("y_hat").exp() - pl.col("y_true").exp()
    return (
        rows.filter(pl.col("method") == "model")
        .group_by("region_code", "horizon")
        .agg(err.mean().alias("error"), err.abs().mean().alias("abs_error"), pl.len().alias("n_origins"))
        .select("region_code", pl.lit("model").alias("model"), "horizon", "error", "abs_error", "n_origins")
        .sort("region_code", "horizon")
    )


def gemeente_errors(rows: pl.DataFrame) -> pl.DataFrame:
    """Joint log error of each gemeente's size-weighted total per method, origin and horizon."""
    w = pl.col("size")
    return (
        rows.group_by("method", "origin", "horizon", "target_year", "gemeente_code")
        .agg(
            ((pl.col("y_true").exp() * w).sum() / (pl.col("y_hat").exp() * w).sum()).log().alias("log_error"),
            w.sum().alias("size"),
            pl.len().alias("n_wijken"),
        )
        .filter(pl.col("n_wijken") >= 2)
    )


def run_backtest(
    states: dict[int, pl.DataFrame], latest: int, land: str = "NL00", alpha: float | None = None
) -> Backtest:
    """Rolling-origin forecasts for every origin before `latest`, scored against what happened.

    `alpha` fixes the ridge penalty (default: chosen per origin by `select_alpha`; the benchmark compares).
    """
    parts = [
        f for t in sorted(states) if t < latest if (f := _forecasts(states, t, latest - t, alpha)) is not None
    ]
    if not parts:
        empty = pl.DataFrame(schema=dict.fromkeys(BACKTEST_COLUMNS, pl.String))
        return Backtest(pl.DataFrame(), empty, pl.DataFrame(), ())
    rows = (
        pl.concat(parts)
        .with_columns((pl.col("origin") + pl.col("horizon")).alias("target_year"))
        .join(_actuals(states), on=["region_code", "target_year"])
        .with_columns(
            (pl.col("y_true") - pl.col("y_hat")).alias("log_error"),
            (pl.col("m_target") != pl.col("m_origin")).alias("crosses_definition"),
        )
    )
    rows = _nested_intervals(rows)
    origins = tuple(int(o) for o in np.unique(rows["origin"].to_numpy()))
    return Backtest(rows, _score(rows, land), _region_errors(rows), origins)
