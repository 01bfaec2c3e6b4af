"""Euro backtest: gemeente youth-care euros forecast from 2023 against the Iv3 budgets of 2024 and 2025.

The forecast is the toolkit's own, made as a user could have made it in 2023: the panel cut off at 2022
(`as_of=2022`, so CBS 2024 counts do not leak in), clients forecast per gemeente, times the gemeente's Iv3
2023 cost per client (Iv3 2023 lasten / CBS clients 2022). The targets are the gemeenten's own Iv3
begrotingen for 2024 and 2025: budgets, not realisations (realised 2024-2025 spending is not in the data).
The naive rule a controller would otherwise use is "2023 realised": next year's spending = this year's.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from toolkit.config import RunConfig
from toolkit.finance.budget import spending

__all__ = ["ORIGIN", "euro_backtest", "mape_table"]

ORIGIN = 2022  # the last CBS year before the Iv3 price year 2023


def euro_backtest(panel_frame: pl.DataFrame, policy, gemeenten: list[str] | None = None) -> pl.DataFrame:
    """Per gemeente and target year (2024, 2025): forecast euros, 2023 realised and the Iv3 budget."""
    from toolkit.forecasts import build_forecasts
    from toolkit.panel import build_panel

    panel = build_panel(panel_frame, gemeenten, as_of=ORIGIN)
    profiles = panel.scope_wijken().select("region_code", pl.lit("ok").alias("status"))
    config = dataclasses.replace(RunConfig(as_of=ORIGIN), all_gemeenten=gemeenten is None)
    table = build_forecasts(panel, profiles, policy, config).table
    if "scenario" not in table.columns:
        table = table.with_columns(pl.lit("").alias("scenario"))
    fc = table.filter(pl.col("level") == "gemeente", pl.col("year").is_in([2024, 2025])).select(
        pl.col("region_code").alias("gemeente_code"), "year", "scenario", pl.col("cost_eur").alias("forecast_eur"))
    spend = spending().filter(pl.col("gemeente_code") != "NL00")
    budget = spend.filter(pl.col("year") > 2023).select("gemeente_code", "year",
                                                        pl.col("lasten_eur").alias("budget_eur"))
    realised = spend.filter(pl.col("year") == 2023).select("gemeente_code",
                                                           pl.col("lasten_eur").alias("realised_2023_eur"))
    return fc.join(budget, on=["gemeente_code", "year"]).join(realised, on="gemeente_code").filter(
        pl.col("budget_eur") > 0, pl.col("realised_2023_eur") > 0).sort("scenario", "gemeente_code", "year")


def mape_table(bt: pl.DataFrame) -> pl.DataFrame:
    """Per forecast scenario and target year: MAPE, median APE and median bias (%) of the forecast and of the
    naive '2023 realised' rule."""
    pe = lambda col: (pl.col(col) - pl.col("budget_eur")) / pl.col("budget_eur") * 100  # noqa: E731
    ape = lambda col: pe(col).abs()  # noqa: E731
    return bt.group_by("scenario", "year").agg(
        pl.len().alias("n_gemeenten"),
        ape("forecast_eur").mean().round(1).alias("mape_forecast"),
        ape("realised_2023_eur").mean().round(1).alias("mape_2023_realised"),
        ape("forecast_eur").median().round(1).alias("median_ape_forecast"),
        ape("realised_2023_eur").median().round(1).alias("median_ape_2023_realised"),
        pe("forecast_eur").median().round(1).alias("median_bias_forecast"),
        pe("realised_2023_eur").median().round(1).alias("median_bias_2023_realised"),
    ).sort("scenario", "year")
