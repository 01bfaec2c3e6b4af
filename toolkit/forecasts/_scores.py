"""backtest.csv: scores per level, model, origin and horizon, and over every origin of one definition.

Wijk rows score rates (percentage points of youths under 23) of every Dutch wijk with a rate; gemeente rows
score client totals against the CBS gemeente counts. Columns: level, model, horizon, origin (a year, or
"all" = every origin whose target has the origin's rate definition), mae, mape (%), bias (mean of forecast
minus actual), total_bias (% : sum of forecasts / sum of actuals - 1; wijk rates weighted by size),
coverage_80 / coverage_95 (share of actuals inside the nested out-of-sample interval), n_regions,
n_forecasts, same_definition, unit, region_code (the land: the scores are national).
"""

from __future__ import annotations

import polars as pl

__all__ = ["SCORE_COLUMNS", "score_table"]

SCORE_COLUMNS = ("level", "model", "horizon", "origin", "mae", "mape", "bias", "total_bias", "coverage_80",
                 "coverage_95", "n_regions", "n_forecasts", "same_definition", "unit", "region_code")
ORDER = ("model", "model_rates_constant", "last_value", "drift", "gemeente_trend")
UNITS = {"wijk": "pct_points_of_youths_under_23", "gemeente": "clients"}


def _covered(lo: str, hi: str, true: pl.Expr) -> pl.Expr:
    return pl.when(pl.col(lo).is_not_null()).then((pl.col(lo) <= true) & (true <= pl.col(hi))).cast(pl.Float64)


def _agg(frame: pl.DataFrame, keys: list[str], f: pl.Expr, a: pl.Expr, w: pl.Expr, true: pl.Expr) -> pl.DataFrame:
    lo = [c for c in ("lo80", "hi80", "lo95", "hi95") if c not in frame.columns]
    frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in lo)
    return frame.group_by(keys).agg(
        (f - a).abs().mean().alias("mae"),
        ((f - a).abs() / a * 100).mean().alias("mape"),
        (f - a).mean().alias("bias"),
        (((f * w).sum() / (a * w).sum() - 1) * 100).alias("total_bias"),
        _covered("lo80", "hi80", true).mean().alias("coverage_80"),
        _covered("lo95", "hi95", true).mean().alias("coverage_95"),
        pl.col("region").n_unique().alias("n_regions"),
        pl.len().alias("n_forecasts"),
    )


def _both(frame: pl.DataFrame, f: pl.Expr, a: pl.Expr, w: pl.Expr, true: pl.Expr) -> pl.DataFrame:
    by_origin = _agg(frame, ["model", "horizon", "origin", "same_definition"], f, a, w, true).with_columns(
        pl.col("origin").cast(pl.String))
    same = frame.filter(pl.col("same_definition"))
    overall = _agg(same, ["model", "horizon"], f, a, w, true).with_columns(
        pl.lit("all").alias("origin"), pl.lit(True).alias("same_definition"))
    return pl.concat([by_origin, overall], how="diagonal_relaxed")


def _wijk(rows: pl.DataFrame) -> pl.DataFrame:
    frame = rows.rename({"method": "model", "region_code": "region"})
    return _both(frame, pl.col("y_hat").exp(), pl.col("y_true").exp(), pl.col("size"),
                 pl.col("y_true").exp()).with_columns(pl.lit("wijk").alias("level"))


def _gemeente(gem: pl.DataFrame) -> pl.DataFrame:
    clients = gem.filter(pl.col("kind") == "clients") if gem.height else gem
    if clients.is_empty():
        return pl.DataFrame()
    base = clients.select("gemeente_code", "origin", "horizon", "target_year", "g_true", "g0", "g_prev", "gap_prev",
                          "G_model", "G_rates_constant", "lo80", "hi80", "lo95", "hi95")
    drift = (pl.col("g0") * (pl.col("g0") / pl.col("g_prev")) ** (pl.col("horizon") / pl.col("gap_prev")))
    parts = [
        base.select("gemeente_code", "origin", "horizon", "g_true", pl.col("G_model").alias("f"),
                    *((pl.col(b) * pl.col("G_model")).alias(b) for b in ("lo80", "hi80", "lo95", "hi95")),
                    pl.lit("model").alias("model")),
        base.select("gemeente_code", "origin", "horizon", "g_true", pl.col("G_rates_constant").alias("f"),
                    pl.lit("model_rates_constant").alias("model")),
        base.select("gemeente_code", "origin", "horizon", "g_true", pl.col("g0").alias("f"),
                    pl.lit("last_value").alias("model")),
        base.select("gemeente_code", "origin", "horizon", "g_true",
                    pl.when(pl.col("g_prev") > 0).then(drift).otherwise(pl.col("g0")).alias("f"),
                    pl.lit("drift").alias("model")),
    ]
    frame = pl.concat(parts, how="diagonal_relaxed").rename({"gemeente_code": "region"}).with_columns(
        pl.lit(True).alias("same_definition"))
    return _both(frame, pl.col("f"), pl.col("g_true"), pl.lit(1.0), pl.col("g_true")).with_columns(
        pl.lit("gemeente").alias("level"))


def score_table(rows: pl.DataFrame, gem: pl.DataFrame, land: str) -> pl.DataFrame:
    """backtest.csv (see the module docstring); an empty frame with the columns when nothing was scored."""
    parts = [p for p in (_wijk(rows) if rows.height else pl.DataFrame(), _gemeente(gem)) if p.height]
    if not parts:
        return pl.DataFrame(schema=dict.fromkeys(SCORE_COLUMNS, pl.String))
    out = pl.concat(parts, how="diagonal_relaxed").with_columns(
        pl.col("level").replace_strict(UNITS).alias("unit"),
        pl.lit(land).alias("region_code"),
        pl.col("mae").round(4), pl.col("mape").round(2), pl.col("bias").round(4), pl.col("total_bias").round(2),
        pl.col("coverage_80").round(4), pl.col("coverage_95").round(4),
    )
    rank = {m: i for i, m in enumerate(ORDER)}
    return out.sort(pl.col("level") == "gemeente", pl.col("model").replace_strict(rank, default=99),
                    pl.col("origin") == "all", "origin", "horizon").select(SCORE_COLUMNS)
