"""The "forecast" section of audit.json: method, definition bridge, backtest, prices, scenario, coherence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from toolkit.forecasts._backtest import Backtest
from toolkit.forecasts._hierarchy import coherence_residuals
from toolkit.forecasts._intervals import Calibration
from toolkit.forecasts._population import DAMPING, growth_log_sd, growth_years

if TYPE_CHECKING:
    from toolkit.forecasts._assemble import Inputs

__all__ = ["forecast_audit", "h1_summary"]

METHOD = (
    "Youth-care rate per wijk: one ridge model pooled over all Dutch wijken, no intercept, on the "
    "one-year change of the log rate (lags, gemeente level, level expected from open indicators, "
    "size-scaled shrinkage of small wijken, gemeente trend, definition-change indicator), applied "
    "recursively for horizons 2-5 (2022 -> 2024 is one 2-year step); ridge penalty chosen by forward-chaining "
    "validation on the training years; plus the growth assumption the backtest chose (see 'growth'). "
    "Clients = rate x projected youth population (0-22). Euros = clients x price x indexation."
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


def _row(t: pl.DataFrame, level: str, model: str, horizon: int, origin: str = "all") -> dict[str, Any] | None:
    got = t.filter(pl.col("level") == level, pl.col("model") == model, pl.col("horizon") == horizon,
                   pl.col("origin") == origin)
    return got.row(0, named=True) if got.height else None


def h1_summary(bt: Backtest) -> dict[str, Any]:
    """Wijk MAE ratio model / last value at horizon 1 (every origin of one definition) and coverages."""
    t = bt.table
    model, last = _row(t, "wijk", "model", 1), _row(t, "wijk", "last_value", 1)
    ratio = round(model["mae"] / last["mae"], 4) if model and last and last["mae"] else None
    wijk = t.filter(pl.col("level") == "wijk", pl.col("model") == "model", pl.col("origin") == "all",
                    pl.col("coverage_80").is_not_null())
    cover = float((wijk["coverage_80"] * wijk["n_forecasts"]).sum() / wijk["n_forecasts"].sum()) if wijk.height \
        else None
    return {
        "mae_ratio_model_to_last_value_h1": ratio,
        "coverage_80_model": None if cover is None else round(cover, 4),
        "coverage_by_level_and_horizon": coverage_table(t),
    }


def coverage_table(t: pl.DataFrame) -> list[dict[str, Any]]:
    """Out-of-sample coverage of the model's intervals per level, origin and horizon."""
    cov = t.filter(pl.col("model") == "model", pl.col("coverage_80").is_not_null())
    return cov.select("level", "origin", "horizon", "coverage_80", "coverage_95", "n_forecasts",
                      "same_definition").to_dicts()


def _gemeente_coverage(bt: Backtest) -> dict[str, Any]:
    """Nested out-of-sample coverage of the gemeente (joint-error) intervals, client totals."""
    rows = bt.table.filter(pl.col("level") == "gemeente", pl.col("model") == "model", pl.col("origin") != "all",
                           pl.col("coverage_80").is_not_null()) if bt.table.height else pl.DataFrame()
    if rows.is_empty():
        return {"coverage_80": None, "coverage_95": None, "n_gemeente_forecasts": 0}
    n = int(rows["n_forecasts"].sum())
    return {
        "coverage_80": round(float((rows["coverage_80"] * rows["n_forecasts"]).sum()) / n, 4),
        "coverage_95": round(float((rows["coverage_95"] * rows["n_forecasts"]).sum()) / n, 4),
        "n_gemeente_forecasts": n,
    }


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
            "table": bt.table.filter(pl.col("origin") == "all").to_dicts() if bt.table.height else [],
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
