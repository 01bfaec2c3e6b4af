"""Rolling-origin backtest on the real panel (never a random split over time), with the growth choice.

For every origin t (a year with wijk rates before the latest year, with training pairs) the rate model is
fitted on pairs up to t only and forecasts every Dutch wijk with a rate in t for the years up to the latest
(2023 is missing: from 2022 the next target is 2024, horizon 2). The baselines of `_baseline` forecast the
same wijken. Every growth candidate of `_trend` (rates constant, national trend, damped, with the
gemeente's own trend) is added to the model's forecast with the trend known at t.

At every origin the growth option is chosen from the forecasts made before it (`_choice`); "model" in
backtest.csv is that procedure, choice included, so its scores are out of sample; "model_rates_constant" is
the model without trend, bottom-up.

Intervals of a forecast at origin t are calibrated on errors of forecasts made before t whose target
year is <= t (nested): wijk intervals on wijk errors of one definition, gemeente intervals on gemeente
(joint) errors. backtest.csv (`_scores`) has wijk rows (rates) and gemeente rows (clients).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from toolkit.forecasts._baseline import BASELINES, baseline_forecast
from toolkit.forecasts._choice import OPTION_G, Choice, apply_choice, choose, wijk_error
from toolkit.forecasts._features import origin_state
from toolkit.forecasts._gemeente_errors import PRED_COLUMNS, client_forecasts, rate_errors
from toolkit.forecasts._intervals import add_intervals, calibrate
from toolkit.forecasts._rate_model import fit_rate_model, forecast_log_rates
from toolkit.forecasts._scores import score_table
from toolkit.forecasts._trend import CANDIDATES, CONSTANT, estimate_trend, offset_expr

__all__ = ["Backtest", "build_states", "gemeente_errors", "run_backtest"]

@dataclass(frozen=True)
class Backtest:
    """Scored rolling-origin forecasts: wijk `rows`, gemeente `gemeente` rows, backtest.csv `table`."""

    rows: pl.DataFrame
    table: pl.DataFrame
    region_errors: pl.DataFrame
    origins: tuple[int, ...]
    gemeente: pl.DataFrame = field(default_factory=pl.DataFrame)
    choice: dict[str, Choice] = field(default_factory=lambda: {"gemeente": Choice(CONSTANT), "wijk": Choice(CONSTANT)})
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    choices_by_origin: dict[int, str] = field(default_factory=dict)


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


def with_trend(rows: pl.DataFrame, frame: pl.DataFrame, origin: int) -> pl.DataFrame:
    """Add mu, tau (trend known at `origin`) and one log-rate column per candidate (`PRED_COLUMNS`)."""
    trend = estimate_trend(frame, origin)
    out = rows.join(trend.tau, on="gemeente_code", how="left").with_columns(pl.lit(trend.mu).alias("mu"))
    return out.with_columns(
        (pl.col("y_hat") + offset_expr(c, pl.col("mu"), pl.col("tau"), pl.col("horizon"))).alias(f"y_{c.name}")
        for c in CANDIDATES
    )


def _forecasts(states: dict[int, pl.DataFrame], t: int, horizon: int, alpha: float | None,
               frame: pl.DataFrame) -> pl.DataFrame | None:
    model = fit_rate_model(states, t, alpha)
    if model is None:
        return None
    meta = states[t].select("region_code", "gemeente_code", "size", pl.col("m").alias("m_origin"),
                            pl.col("y").alias("y0"))
    rates = with_trend(forecast_log_rates(model, states[t], horizon).join(meta, on="region_code"), frame, t)
    parts = [rates.with_columns(pl.lit("model").alias("method"))]
    parts += [
        baseline_forecast(b, states[t], horizon).join(meta, on="region_code").with_columns(pl.lit(b).alias("method"))
        for b in BASELINES
    ]
    return pl.concat(parts, how="diagonal_relaxed").with_columns(pl.lit(t).alias("origin"))


def _actuals(states: dict[int, pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(
        [
            s.select("region_code", pl.lit(t).alias("target_year"), pl.col("y").alias("y_true"),
                     pl.col("m").alias("m_target"))
            for t, s in states.items()
        ]
    )


def _gemeente_rows(frame: pl.DataFrame, forecasts: pl.DataFrame, model_rows: pl.DataFrame) -> pl.DataFrame:
    """Joint gemeente log errors per candidate: client totals where counts exist, else rate totals.

    `forecasts`: the model's wijk forecasts before they meet the actuals (a wijk recoded after the origin
    still counts in its gemeente's total); `model_rows`: the scored ones, for the rate totals.
    """
    parts = []
    for t in sorted(forecasts["origin"].unique().to_list()):
        fc = client_forecasts(frame, forecasts.filter(pl.col("origin") == t), t)
        if fc.is_empty():
            continue
        actual = frame.filter(pl.col("level") == "gemeente", pl.col("youth_care_clients") > 0).select(
            pl.col("region_code").alias("gemeente_code"), pl.col("year").alias("target_year"),
            pl.col("youth_care_clients").alias("g_true"))
        parts.append(fc.join(actual, on=["gemeente_code", "target_year"]).with_columns(
            (pl.col("g_true") / pl.col(g)).log().alias(g.replace("G_", "e_", 1)) for g in OPTION_G
        ).with_columns(pl.lit("clients").alias("kind")))
    clients = pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame()
    counted = set(clients["origin"].unique().to_list()) if clients.height else set()
    rates = rate_errors(model_rows.filter(~pl.col("origin").is_in(list(counted))))
    return pl.concat([clients, rates], how="diagonal_relaxed") if clients.height else rates


def _wijk_errors(model_rows: pl.DataFrame) -> pl.DataFrame:
    ok = model_rows.filter(pl.col("same_definition"))
    return ok.select("origin", "target_year", *((pl.col("y_true") - pl.col(p)).alias(p.replace("y_", "e_", 1))
                                                 for p in PRED_COLUMNS))


def _nested(frame: pl.DataFrame, errors: pl.DataFrame, point: str,
            own: dict[int, pl.Expr] | None = None) -> pl.DataFrame:
    """Intervals for each origin t from errors made before t with target <= t.

    `own[t]`: the log error, in the past rows, of the option used at t (its own past errors); default the
    rows' `log_error`.
    """
    out = []
    for (t,), part in frame.group_by("origin", maintain_order=True):
        past = errors.filter(pl.col("origin") < t, pl.col("target_year") <= t)
        if own is not None:
            past = past.with_columns(own[int(t)].alias("log_error"))  # type: ignore[index]
        cal = calibrate(past.select("horizon", "log_error", "size"))
        out.append(add_intervals(part, cal, point=point) if cal else part)
    return pl.concat(out, how="diagonal_relaxed") if out else frame


def gemeente_errors(bt: Backtest, option_name: str) -> pl.DataFrame:
    """Joint gemeente log errors of one option over the whole backtest, for calibration."""
    if bt.gemeente.is_empty():
        return pl.DataFrame(schema={"origin": pl.Int32, "horizon": pl.Int32, "target_year": pl.Int32,
                                    "log_error": pl.Float64, "size": pl.Float64})
    return bt.gemeente.select("origin", "horizon", "target_year", pl.col(f"e_{option_name}").alias("log_error"),
                              "size")


def run_backtest(
    states: dict[int, pl.DataFrame], latest: int, land: str = "NL00", alpha: float | None = None,
    frame: pl.DataFrame | None = None,
) -> Backtest:
    """Rolling-origin forecasts for every origin before `latest`, scored against what happened.

    `frame` is the panel (gemeente counts, youth populations, trend); `alpha` fixes the ridge penalty
    (default: chosen per origin by `select_alpha`; the benchmark compares).
    """
    frame = pl.DataFrame() if frame is None else frame
    parts = [
        f for t in sorted(states) if t < latest
        if (f := _forecasts(states, t, latest - t, alpha, frame)) is not None
    ]
    if not parts:
        return Backtest(pl.DataFrame(), score_table(pl.DataFrame(), pl.DataFrame(), land), pl.DataFrame(), ())
    forecasts = pl.concat(parts, how="diagonal_relaxed")
    rows = (
        forecasts
        .with_columns((pl.col("origin") + pl.col("horizon")).alias("target_year"))
        .join(_actuals(states), on=["region_code", "target_year"])
        .with_columns(
            (pl.col("m_target") == pl.col("m_origin")).alias("same_definition"),
            (pl.col("m_target") != pl.col("m_origin")).alias("crosses_definition"),
        )
    )
    model_rows = rows.filter(pl.col("method") == "model")
    gem = (_gemeente_rows(frame, forecasts.filter(pl.col("method") == "model"), model_rows) if frame.height
           else pl.DataFrame())
    origins = sorted(int(o) for o in np.unique(rows["origin"].to_numpy()))
    rows, gem, chosen = apply_choice(rows, gem, origins)
    rows = rows.with_columns((pl.col("y_true") - pl.col("y_hat")).alias("log_error"))
    own_w = {t: wijk_error(o) for t, o in chosen.items()}
    rows = pl.concat([_nested(part, part.filter(pl.col("same_definition")), "y_hat", own_w if m == "model" else None)
                      for (m,), part in rows.group_by("method", maintain_order=True)], how="diagonal_relaxed")
    if gem.height:
        own_g = {t: pl.col(f"e_{o}") for t, o in chosen.items()}
        gem = _nested(gem.with_columns(pl.lit(0.0).alias("zero")), gem, "zero", own_g)
    g_choice, g_scores = choose(gem, latest + 1) if gem.height else (Choice(CONSTANT), {})
    w_choice, w_scores = choose(_wijk_errors(model_rows), latest + 1, tuple(c.name for c in CANDIDATES))
    err = pl.col("y_hat").exp() - pl.col("y_true").exp()
    region_errors = (
        rows.filter(pl.col("method") == "model")
        .group_by("region_code", "horizon")
        .agg(err.mean().alias("error"), err.abs().mean().alias("abs_error"), pl.len().alias("n_origins"))
        .select("region_code", pl.lit("model").alias("model"), "horizon", "error", "abs_error", "n_origins")
        .sort("region_code", "horizon")
    )
    return Backtest(rows, score_table(rows, gem, land), region_errors, tuple(origins), gem,
                    {"gemeente": g_choice, "wijk": w_choice}, {"gemeente": g_scores, "wijk": w_scores}, chosen)
