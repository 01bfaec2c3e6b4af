"""The "forecast" section of audit.json: method, definition bridge, backtest, prices, scenario, coherence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from toolkit.forecasts._backtest import Backtest, gemeente_errors
from toolkit.forecasts._hierarchy import coherence_residuals
from toolkit.forecasts._intervals import Calibration, add_intervals, calibrate
from toolkit.forecasts._population import DAMPING, growth_log_sd, growth_years

if TYPE_CHECKING:
    from toolkit.forecasts._assemble import Inputs

__all__ = ["forecast_audit", "h1_summary"]

METHOD = (
    "Youth-care rate per wijk: one ridge model pooled over all Dutch wijken, no intercept, on the "
    "one-year change of the log rate (lags, gemeente level, level expected from open indicators, "
    "size-scaled shrinkage of small wijken, gemeente trend, definition-change indicator), applied "
    "recursively for horizons 2-5; ridge penalty chosen by forward-chaining validation on the training "
    "years. Clients = rate x projected youth population (0-22). Euros = clients x price x indexation."
)
BRIDGE = (
    "Rates 2018-2020 are the KWB percentage (kwb_pct), 2021-2022 counts / estimated youths under 23 "
    "(count_bridge, toolkit/sources/bridge.py). The model never differences across the bridge: lags of "
    "the other definition get their own coefficients and flags, training pairs 2020->2021 carry a "
    "definition-change indicator (its coefficient absorbs the level shift; 0 for every forecast), "
    "trends and the drift baseline use only pairs of years with one definition. Backtest errors across "
    "the bridge are reported separately: a model at a 2019/2020 origin cannot know the shift."
)
ROUNDING = (
    "CBS rounds counts to multiples of 5 and hides 0-7: rates of small wijken jump. The model shrinks "
    "them (lags, gemeente, open indicators; more for small wijken), intervals are normalised by wijk "
    "size, and client intervals are widened in quadrature by z x sd of rounding (base / sqrt(12))."
)


def h1_summary(bt: Backtest) -> dict[str, Any]:
    """MAE ratio model / last value at horizon 1 and the model's 80% coverage (all horizons with one)."""
    t = bt.table
    if t.is_empty():
        return {"mae_ratio_model_to_last_value_h1": None, "coverage_80_model": None}
    mae = {m: t.filter(pl.col("model") == m, pl.col("horizon") == 1)["mae"] for m in ("model", "last_value")}
    rows = (
        bt.rows.filter(pl.col("method") == "model", pl.col("lo80").is_not_null())
        if "lo80" in bt.rows.columns
        else pl.DataFrame()
    )
    true = pl.col("y_true").exp()
    cover = (
        rows.select(((pl.col("lo80") <= true) & (true <= pl.col("hi80"))).mean()).item()
        if rows.height
        else None
    )
    split = (
        rows.group_by("crosses_definition").agg(
            ((pl.col("lo80") <= true) & (true <= pl.col("hi80"))).mean().alias("c"), pl.len()
        )
        if rows.height
        else None
    )
    return {
        "mae_ratio_model_to_last_value_h1": round(float(mae["model"][0] / mae["last_value"][0]), 4)
        if len(mae["model"]) and len(mae["last_value"])
        else None,
        "coverage_80_model": None if cover is None else round(float(cover), 4),
        "coverage_80_model_by_crossing_definition": {}
        if split is None
        else {
            str(r["crosses_definition"]).lower(): {"coverage_80": round(r["c"], 4), "n": r["len"]}
            for r in split.iter_rows(named=True)
        },
    }


def _gemeente_coverage(bt: Backtest) -> dict[str, Any]:
    """Nested out-of-sample coverage of the gemeente (joint-error) intervals."""
    if bt.rows.is_empty():
        return {}
    g = gemeente_errors(bt.rows.filter(pl.col("method") == "model"))
    hits, n = 0, 0
    for t in sorted(g["origin"].unique().to_list()):
        cal = calibrate(
            g.filter(pl.col("origin") < t, pl.col("target_year") <= t).select("horizon", "log_error", "size")
        )
        if cal is None:
            continue
        part = add_intervals(g.filter(pl.col("origin") == t).with_columns(pl.lit(0.0).alias("y_hat")), cal)
        true = pl.col("log_error").exp()
        hits += int(part.select(((pl.col("lo80") <= true) & (true <= pl.col("hi80"))).sum()).item())
        n += part.height
    return {"coverage_80": round(hits / n, 4) if n else None, "n_gemeente_forecasts": n}


def _calibration(cal: Calibration | None) -> dict[str, Any] | None:
    if cal is None:
        return None
    return {
        "beta_size_exponent": round(cal.beta, 4),
        "ref_size": cal.ref_size,
        "quantiles_by_horizon": {
            str(h): {str(k): round(v, 4) for k, v in q.items()} for h, q in sorted(cal.quantiles.items())
        },
        "n_scores_by_horizon": {str(h): n for h, n in sorted(cal.n_scores.items())},
        "beyond_calibrated_horizons": "quantile of the longest calibrated horizon h* x sqrt(h / h*)",
    }


def forecast_audit(
    inp: Inputs,
    bt: Backtest,
    cal_w: Calibration | None,
    cal_g: Calibration | None,
    table: pl.DataFrame,
    nodes: pl.DataFrame,
) -> dict[str, Any]:
    """The audit.json "forecast" section."""
    price = inp.price
    return {
        "method": METHOD,
        "definition_bridge": BRIDGE,
        "rounding": ROUNDING,
        "origin_year": inp.panel.latest_year,
        "horizon_years": inp.horizon,
        "population": {
            "years_for_growth": growth_years(inp.panel),
            "damping_toward_gemeente": DAMPING,
            "growth_log_sd_per_year_in_intervals": round(growth_log_sd(inp.panel), 4),
            "source": "youth_0_22_est: KWB age bands 2021-2022 and the 2024 wijk map",
        },
        "backtest": {
            "scheme": "rolling origin over all Dutch wijken, never a random split over time",
            "origins": list(bt.origins),
            "unit": "percentage points of youths under 23",
            "table": bt.table.to_dicts(),
            **h1_summary(bt),
            "gemeente_intervals": _gemeente_coverage(bt),
        },
        "intervals": {
            "method": "split conformal on rolling-origin errors by horizon, normalised by size",
            "wijk": _calibration(cal_w),
            "gemeente": _calibration(cal_g),
        },
        "price": {
            "eur_per_client_year": price.eur_per_client_year,
            "price_year": price.price_year,
            "source": price.source,
            "relative_sd": price.relative_sd,
            "indexation_pct_per_year": inp.indexation,
        },
        "scenario": inp.scenario.as_dict(),
        "coherence": coherence_residuals(table, nodes),
    }
