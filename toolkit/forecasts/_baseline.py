"""The documented baseline forecast: last observed rate x projected youth population.

Intervals come from the national distribution of year-on-year changes of the wijk rate (same definition
only, so 2021->2022 and 2018->2019->2020 pairs, never across the 2020/2021 bridge), scaled by sqrt(horizon).
Gemeente rows are the sum of their publishable wijken for the point forecast; the gemeente interval
assumes independent wijk errors (sum in quadrature). Never negative.
"""

from __future__ import annotations

import polars as pl

from ethics.policy import Policy
from toolkit.forecasts._costs import Prices
from toolkit.forecasts._population import project_youth_population
from toolkit.panel import Panel

__all__ = ["FORECAST_COLUMNS", "WITHHELD", "build_forecasts", "relative_change_quantiles"]

FORECAST_COLUMNS = ("region_code", "level", "year", "horizon", "clients", "clients_lower", "clients_upper",
                    "cost_eur", "cost_lower_eur", "cost_upper_eur", "status")
WITHHELD = FORECAST_COLUMNS[4:10]
Z80 = 1.2816


def relative_change_quantiles(panel: Panel) -> float:
    """Standard deviation of the year-on-year relative change of wijk rates (same definition, >= 200 youths)."""
    w = panel.level("wijk").filter(pl.col("youth_0_22_est").is_null() | (pl.col("youth_0_22_est") >= 200))
    w = w.select("region_code", "year", "youth_care_rate_pct", "youth_care_rate_method").drop_nulls()
    nxt = w.with_columns((pl.col("year") - 1).alias("year")).rename(
        {"youth_care_rate_pct": "next", "youth_care_rate_method": "next_method"})
    pairs = w.join(nxt, on=["region_code", "year"]).filter(
        pl.col("youth_care_rate_method") == pl.col("next_method"), pl.col("youth_care_rate_pct") > 0)
    rel = (pairs["next"] / pairs["youth_care_rate_pct"]).log()
    return float(rel.std() or 0.1)


def build_forecasts(panel: Panel, profiles: pl.DataFrame, policy: Policy, prices: Prices,
                    horizon: int = 5) -> pl.DataFrame:
    """forecast.csv: wijk and gemeente rows for the `horizon` years after the latest year."""
    sd = relative_change_quantiles(panel)
    wijken = panel.scope_wijken().join(profiles.select("region_code", "status"), on="region_code")
    pop = project_youth_population(panel, wijken, horizon)
    rows = pop.join(wijken.select("region_code", "gemeente_code", "status", "youth_care_rate_pct"),
                    on="region_code").with_columns(
        (pl.col("year") - panel.latest_year).alias("horizon"))
    rows = rows.with_columns((pl.col("youth_care_rate_pct") / 100 * pl.col("youth_population")).alias("clients"),
                             (sd * pl.col("horizon").cast(pl.Float64).sqrt()).alias("rel_sd"))
    rows = rows.with_columns((pl.col("clients") * (pl.col("rel_sd") * Z80).exp() - pl.col("clients")).alias("half"))
    wijk = _finish(rows, prices, "wijk")
    gem = _gemeente(rows.filter(pl.col("status") == "ok"), prices)
    return pl.concat([wijk, gem]).sort("level", "region_code", "year", descending=[True, False, False])


def _gemeente(rows: pl.DataFrame, prices: Prices) -> pl.DataFrame:
    agg = rows.group_by("gemeente_code", "year", "horizon").agg(
        pl.col("clients").sum(), (pl.col("half") ** 2).sum().sqrt().alias("half"))
    agg = agg.rename({"gemeente_code": "region_code"}).with_columns(pl.lit("ok").alias("status"))
    return _finish(agg, prices, "gemeente")


def _thousands(expr: pl.Expr) -> pl.Expr:
    """Euros rounded to whole thousands (the precision a budget forecast supports)."""
    return ((expr / 1000).round(0) * 1000)


def _finish(rows: pl.DataFrame, prices: Prices, level: str) -> pl.DataFrame:
    ok = pl.col("status") == "ok"
    price = prices.eur_per_client_year * (1 + prices.indexation_pct_per_year / 100) ** (
        (pl.col("year") - prices.price_year).clip(lower_bound=0).cast(pl.Float64))
    out = rows.with_columns(
        pl.lit(level).alias("level"),
        pl.when(ok).then(pl.col("clients").round(0)).alias("c"),
        pl.when(ok).then((pl.col("clients") - pl.col("half")).clip(lower_bound=0).round(0)).alias("lo"),
        pl.when(ok).then((pl.col("clients") + pl.col("half")).round(0)).alias("hi"),
        price.alias("price"))
    return out.select(
        "region_code", "level", pl.col("year").cast(pl.Int32), pl.col("horizon").cast(pl.Int32),
        pl.col("c").alias("clients"), pl.col("lo").alias("clients_lower"), pl.col("hi").alias("clients_upper"),
        _thousands(pl.col("c") * pl.col("price")).alias("cost_eur"),
        _thousands(pl.col("lo") * pl.col("price")).alias("cost_lower_eur"),
        _thousands(pl.col("hi") * pl.col("price")).alias("cost_upper_eur"), "status")

