"""Youth population (0-22, estimated) per wijk and gemeente, projected over the horizon.

The youth population of a region is `youth_0_22_est` (KWB age bands 0-14 and 15-24, see
toolkit/sources/bridge.py), known for 2021, 2022 and, from the 2024 wijk map, 2024. The yearly growth
factor of a wijk is the geometric growth from the base (latest) year to the latest later year in the
panel (the 2024 map), or, when there is none (a run with `--as-of`, which drops every later year), from
the year before the base year to the base year. The map's age shares are rounded percentages, so small
wijken are noisy: the wijk's own growth is damped halfway toward its gemeente's growth (`DAMPING`),
clipped to [0.85, 1.15] per year and held constant over the horizon. A wijk without a usable figure
follows its gemeente; a gemeente without one stays flat.

`growth_log_sd` is the uncertainty of a projection: the robust spread (1.4826 x MAD) of the wijken's yearly
log growth around their gemeente's over the same years, taken to grow linearly with the horizon; the
client intervals add it in quadrature (see `_build`). 0 when no growth can be measured.

Only rows of `panel.frame` are read, and `build_panel(as_of=...)` removes every year after `as_of`.
"""

from __future__ import annotations

import polars as pl

from toolkit.panel import Panel

__all__ = ["DAMPING", "client_scale", "growth_log_sd", "growth_years", "project_youth_population"]

DAMPING = 0.5  # weight of the wijk's own growth; the rest follows the gemeente


def growth_years(panel: Panel) -> tuple[int, int] | None:
    """The pair of years (a, b) whose youth populations give the growth factor, or None."""
    base = panel.latest_year
    with_pop = set(panel.frame.filter(pl.col("youth_0_22_est").is_not_null())["year"].unique().to_list())
    later = [y for y in with_pop if y > base]
    if later and base in with_pop:
        return base, max(later)
    earlier = [y for y in with_pop if y < base]
    return (max(earlier), base) if earlier and base in with_pop else None


def _growth(frame: pl.DataFrame, years: tuple[int, int] | None, name: str) -> pl.DataFrame:
    if years is None:
        return pl.DataFrame(schema={"region_code": pl.String, name: pl.Float64})
    a_year, b_year = years
    a = frame.filter(pl.col("year") == a_year).select("region_code", pl.col("youth_0_22_est").alias("a"))
    b = frame.filter(pl.col("year") == b_year).select("region_code", pl.col("youth_0_22_est").alias("b"))
    return (
        a.join(b, on="region_code")
        .filter(pl.col("a") > 0, pl.col("b") > 0)
        .select(
            "region_code",
            ((pl.col("b") / pl.col("a")) ** (1 / (b_year - a_year))).clip(0.85, 1.15).alias(name),
        )
    )


def project_youth_population(panel: Panel, regions: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Rows region_code x year (latest+1 .. latest+horizon) with `youth_population` (float) and `growth`.

    `regions` has region_code, gemeente_code and `pop0` (the youth population in the latest year); a
    gemeente passes its own code as gemeente_code.
    """
    years = growth_years(panel)
    gem = _growth(panel.level("gemeente"), years, "g_gem").rename({"region_code": "gemeente_code"})
    own = _growth(panel.frame.filter(pl.col("level") != "land"), years, "g_own")
    out = (
        regions.join(own, on="region_code", how="left")
        .join(gem, on="gemeente_code", how="left")
        .with_columns(pl.col("g_gem").fill_null(1.0))
        .with_columns(
            (DAMPING * pl.col("g_own").fill_null(pl.col("g_gem")) + (1 - DAMPING) * pl.col("g_gem")).alias(
                "growth"
            )
        )
    )
    base = panel.latest_year
    steps = pl.DataFrame({"year": list(range(base + 1, base + horizon + 1))}, schema={"year": pl.Int32})
    return out.join(steps, how="cross").select(
        "region_code",
        "year",
        "growth",
        (pl.col("pop0") * pl.col("growth") ** (pl.col("year") - base)).alias("youth_population"),
    )


def growth_log_sd(panel: Panel) -> float:
    """Robust sd of a wijk's yearly log growth around its gemeente's (0 without two population years)."""
    years = growth_years(panel)
    wijk = panel.level("wijk").select("region_code", "gemeente_code").unique("region_code")
    own = _growth(panel.level("wijk"), years, "g_own").join(wijk, on="region_code")
    gem = _growth(panel.level("gemeente"), years, "g_gem").rename({"region_code": "gemeente_code"})
    dev = own.join(gem, on="gemeente_code").select(
        (pl.col("g_own").log() - pl.col("g_gem").log()).alias("d")
    )["d"]
    if dev.len() < 30:
        return 0.0
    return float(1.4826 * (dev - dev.median()).abs().median())  # type: ignore[operator]


def client_scale() -> pl.Expr:
    """Clients per unit of exp(log rate): the latest count / rate x the projected youth growth.

    The forecast moves the wijk's own latest count by the rate's and the population's relative change, so a
    rate whose denominator is not our youth estimate (CBS's own percentage, 2018-2020 and 2024) causes no
    jump at horizon 1. Without a count: youth population / 100.
    """
    own = pl.col("clients0") / pl.col("y0").exp() * pl.col("youth_population") / pl.col("pop0")
    return pl.when(pl.col("clients0") > 0).then(own).otherwise(pl.col("youth_population") / 100)
