"""Open-data signals per wijk: the latest known value of each indicator and its national percentile."""

from __future__ import annotations

import polars as pl

__all__ = ["SIGNALS", "latest_values", "national_percentiles"]

# name -> (direction: +1 when a high value signals more need, -1 when a low value does)
SIGNALS: dict[str, int] = {
    "pct_persons_lowest40_income": +1,
    "pct_hh_below_or_near_social_minimum": +1,
    "income_avg_per_inhabitant_x1000eur": -1,
    "bijstand_per_1000": +1,
    "pct_social_rental": +1,
    "woz_avg_x1000eur": -1,
    "pct_hh_with_children": +1,
}


def latest_values(wijk: pl.DataFrame, year: int) -> pl.DataFrame:
    """Per wijk, the latest non-missing value of each signal up to `year` (with derived ratios)."""
    derived = wijk.filter(pl.col("year") <= year).with_columns(
        (pl.col("n_bijstand") / pl.col("population") * 1000).alias("bijstand_per_1000"),
        (pl.col("hh_with_children") / pl.col("households") * 100).alias("pct_hh_with_children"),
    )
    return derived.sort("year").group_by("region_code").agg(
        pl.col(s).drop_nulls().last().alias(s) for s in SIGNALS
    )


def national_percentiles(values: pl.DataFrame) -> pl.DataFrame:
    """Percentile (0-100) of each signal among all Dutch wijken, oriented so that high means more need."""
    exprs = []
    for name, direction in SIGNALS.items():
        oriented = pl.col(name) * direction
        exprs.append((oriented.rank("average") / oriented.count() * 100).alias(f"{name}__pctl"))
    return values.select("region_code", *exprs)
