"""Per wijk of the scope: observed vs expected youth-care rate, a transparent risk index, rank and status.

- observed_rate: `youth_care_rate_pct` of the latest year (see toolkit/sources/bridge.py).
- expected_rate: the gemeente's own rate in that year (a plain reference; the profile model deepens this).
- risk_index (0-100): the mean of the national percentiles of the signals in `_signals.SIGNALS` and of the
  observed rate, each oriented so that higher means more need; equal weights, shown in the report.
- status: `too_small` below the policy's minimum youth population, `secret` when CBS withheld the count.
"""

from __future__ import annotations

import polars as pl

from ethics.policy import Policy
from toolkit.panel import Panel
from toolkit.profiles._signals import SIGNALS, latest_values, national_percentiles

__all__ = ["PROFILE_COLUMNS", "WITHHELD", "build_profiles"]

PROFILE_COLUMNS = ("region_code", "region_name", "gemeente_code", "year", "youth_population", "observed_rate",
                   "expected_rate", "excess_rate", "risk_index", "risk_rank", "typology", "top_signals", "status")
WITHHELD = ("observed_rate", "expected_rate", "excess_rate", "risk_index", "risk_rank")


def _base(panel: Panel) -> pl.DataFrame:
    year = panel.latest_year
    wijk = panel.scope_wijken(year).select(
        "region_code", "region_name", "gemeente_code", "year",
        pl.col("youth_0_22_est").round(0).cast(pl.Int64).alias("youth_population"),
        pl.col("youth_care_rate_pct").alias("observed_rate"))
    gem = panel.level("gemeente", year).select(pl.col("region_code").alias("gemeente_code"),
                                               pl.col("youth_care_rate_pct").alias("expected_rate"))
    return wijk.join(gem, on="gemeente_code", how="left")


def _risk(panel: Panel) -> pl.DataFrame:
    all_wijk = panel.level("wijk")
    pct = national_percentiles(latest_values(all_wijk, panel.latest_year))
    rate = all_wijk.filter(pl.col("year") == panel.latest_year).select(
        "region_code", (pl.col("youth_care_rate_pct").rank() / pl.col("youth_care_rate_pct").count() * 100)
        .alias("observed_rate__pctl"))
    pct = pct.join(rate, on="region_code", how="left")
    cols = [c for c in pct.columns if c.endswith("__pctl")]
    return pct.select("region_code", pl.mean_horizontal(cols).alias("risk_index")).join(
        _top_signals(pct, cols), on="region_code", how="left")


def _top_signals(pct: pl.DataFrame, cols: list[str], n: int = 3) -> pl.DataFrame:
    """The n signals with the highest national percentile per wijk, joined with ';'."""
    long = pct.unpivot(index="region_code", on=cols, variable_name="signal", value_name="v").drop_nulls("v")
    return (long.sort(["region_code", "v", "signal"], descending=[False, True, False])
            .group_by("region_code", maintain_order=True)
            .agg(pl.col("signal").head(n).str.replace("__pctl", "", literal=True).str.join(";")
                 .alias("top_signals")))


def _status(min_youth: int) -> pl.Expr:
    return (pl.when(pl.col("youth_population").is_null() | (pl.col("youth_population") < min_youth))
            .then(pl.lit("too_small"))
            .when(pl.col("observed_rate").is_null()).then(pl.lit("secret"))
            .otherwise(pl.lit("ok")))


def build_profiles(panel: Panel, policy: Policy) -> pl.DataFrame:
    """profiles.csv: one row per wijk in scope (see ARCHITECTURE.md for the columns)."""
    out = _base(panel).join(_risk(panel), on="region_code", how="left").with_columns(
        (pl.col("observed_rate") - pl.col("expected_rate")).alias("excess_rate"),
        pl.col("top_signals").str.split(";").list.first().alias("typology"),
        _status(policy.disclosure.min_youth_population).alias("status"))
    withheld = [pl.when(pl.col("status") == "ok").then(pl.col(c)).otherwise(None).alias(c)
                for c in ("observed_rate", "expected_rate", "excess_rate", "risk_index")]
    out = out.with_columns(withheld).with_columns(
        pl.when(pl.col("status") == "ok").then(
            pl.col("risk_index").rank("ordinal", descending=True).over("gemeente_code")).otherwise(None).cast(pl.Int64).alias("risk_rank"))
    return out.with_columns(pl.col(c).round(2) for c in ("observed_rate", "expected_rate", "excess_rate",
                                                         "risk_index")).select(PROFILE_COLUMNS)
