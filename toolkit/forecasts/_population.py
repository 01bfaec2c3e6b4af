"""Youth population (0-22, estimated) per wijk, projected from the latest KWB year and the 2024 map.

The yearly growth factor of a wijk is the geometric growth from its latest KWB year to 2024 (the map's
age shares are rounded percentages, so small wijken are noisy), damped halfway toward the gemeente's own
growth, and held constant over the horizon. Wijken without a 2024 figure (recoded) follow the gemeente.
"""

from __future__ import annotations

import polars as pl

from toolkit.panel import Panel

__all__ = ["project_youth_population", "DAMPING"]

DAMPING = 0.5  # weight of the wijk's own growth; the rest follows the gemeente


def _growth(frame: pl.DataFrame, base_year: int, ref_year: int) -> pl.DataFrame:
    a = frame.filter(pl.col("year") == base_year).select("region_code", pl.col("youth_0_22_est").alias("a"))
    b = frame.filter(pl.col("year") == ref_year).select("region_code", pl.col("youth_0_22_est").alias("b"))
    span = max(1, ref_year - base_year)
    return a.join(b, on="region_code").filter(pl.col("a") > 0, pl.col("b") > 0).select(
        "region_code", ((pl.col("b") / pl.col("a")) ** (1 / span)).clip(0.85, 1.15).alias("growth"))


def project_youth_population(panel: Panel, wijken: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Rows region_code x year (latest+1 .. latest+horizon) with `youth_population` (float)."""
    base = panel.latest_year
    ref_years = [y for y in panel.frame["year"].unique().to_list() if y > base]
    ref = max(ref_years) if ref_years else None
    out = wijken.select("region_code", "gemeente_code", pl.col("youth_0_22_est").alias("pop0"))
    if ref is None:
        out = out.with_columns(pl.lit(1.0).alias("growth"))
    else:
        gem = _growth(panel.level("gemeente"), base, ref).rename({"region_code": "gemeente_code",
                                                                  "growth": "g_gem"})
        own = _growth(panel.level("wijk"), base, ref).rename({"growth": "g_own"})
        out = out.join(own, on="region_code", how="left").join(gem, on="gemeente_code", how="left").with_columns(
            pl.col("g_gem").fill_null(1.0)).with_columns(
            (DAMPING * pl.col("g_own").fill_null(pl.col("g_gem")) + (1 - DAMPING) * pl.col("g_gem")).alias("growth"))
    years = pl.DataFrame({"year": list(range(base + 1, base + horizon + 1))}, schema={"year": pl.Int32})
    return out.join(years, how="cross").select(
        "region_code", "year", (pl.col("pop0") * pl.col("growth") ** (pl.col("year") - base)).alias(
            "youth_population"))
