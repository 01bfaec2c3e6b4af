"""What is known about every Dutch wijk at a forecast origin: its rate history and open indicators.

`origin_state(frame, t)` reads only rows with `year <= t` (the no-leakage rule of the backtest and of
`--as-of`) and returns one row per wijk that has a youth-care rate in year t:

- `y`: log of the youth-care rate (% of youths under 23), floored at `RATE_FLOOR` so the log is defined.
- `l1`, `l2`: the log rate one and two years earlier (null when missing); `m`, `m1`, `m2` their methods
  (`kwb_pct` 2018-2020, `count_bridge` 2021-2022: see toolkit/sources/bridge.py). A lag measured under the
  other definition is flagged (`x1`, `x2`) so the model can learn how much weight it deserves.
- `g`: the gemeente level, the mean log rate of the gemeente's wijken in year t (partial pooling target).
- `trend_g`: the gemeente trend per year, the median log change of its wijken over the latest pair of years
  that share one definition (never a change across the 2020/2021 bridge); national median when unknown.
- `drift`: the wijk's own mean log change per year within its current definition segment (0 if none).
- `M`: the structural level, a ridge regression of `y` on open indicators across all wijken in year t.
- `size`: a size proxy known at every origin (KWB persons on state pension, `n_aow`, latest value up to
  t): the youth population is only published from 2021, so it cannot serve the 2018-2020 origins.
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = ["RATE_FLOOR", "INDICATORS", "origin_state", "rates", "same_definition_pair"]

RATE_FLOOR = 0.5  # % of youths; below every published wijk rate (minimum 0.52)
INDICATORS: tuple[str, ...] = (
    "income_avg_per_inhabitant_x1000eur",
    "pct_persons_lowest40_income",
    "pct_hh_below_or_near_social_minimum",
    "pct_hh_low_purchasing_power",
    "pct_owner_occupied",
    "pct_rental",
    "population_density_km2",
)
_RIDGE = 1.0


def rates(frame: pl.DataFrame, upto: int) -> pl.DataFrame:
    """Wijk rows up to `upto` with the log rate `y` and its method `m` (rows without a rate dropped)."""
    return frame.filter(
        pl.col("level") == "wijk", pl.col("year") <= upto, pl.col("youth_care_rate_pct").is_not_null()
    ).select(
        "region_code",
        "year",
        "gemeente_code",
        pl.col("youth_care_rate_pct").clip(lower_bound=RATE_FLOOR).log().alias("y"),
        pl.col("youth_care_rate_method").alias("m"),
    )


def same_definition_pair(rate_rows: pl.DataFrame, t: int) -> int | None:
    """The latest year s <= t whose pair (s-1, s) shares one rate definition nationally, or None."""
    methods = dict(rate_rows.group_by("year").agg(pl.col("m").mode().first()).iter_rows())
    for s in range(t, min(methods, default=t), -1):
        if s - 1 in methods and methods[s - 1] == methods.get(s):
            return s
    return None


def _lags(rr: pl.DataFrame, t: int) -> pl.DataFrame:
    cur = rr.filter(pl.col("year") == t).select("region_code", "gemeente_code", "y", "m")
    for k in (1, 2):
        lag = rr.filter(pl.col("year") == t - k).select(
            "region_code", pl.col("y").alias(f"l{k}"), pl.col("m").alias(f"m{k}")
        )
        cur = cur.join(lag, on="region_code", how="left").with_columns(
            (pl.col(f"m{k}") != pl.col("m")).fill_null(False).alias(f"x{k}")
        )
    return cur


def _trends(rr: pl.DataFrame, t: int) -> tuple[pl.DataFrame, float]:
    s = same_definition_pair(rr, t)
    if s is None:
        return pl.DataFrame(schema={"gemeente_code": pl.String, "trend_g": pl.Float64}), 0.0
    a = rr.filter(pl.col("year") == s - 1).select("region_code", pl.col("y").alias("a"))
    b = rr.filter(pl.col("year") == s).select("region_code", "gemeente_code", pl.col("y").alias("b"))
    d = b.join(a, on="region_code").with_columns((pl.col("b") - pl.col("a")).alias("d"))
    return d.group_by("gemeente_code").agg(pl.col("d").median().alias("trend_g")), float(
        d["d"].median() or 0.0
    )


def _drift(rr: pl.DataFrame, t: int) -> pl.DataFrame:
    """Mean yearly log change within the wijk's definition segment ending at t."""
    seg = (
        rr.join(
            rr.filter(pl.col("year") == t).select("region_code", pl.col("m").alias("mt")), on="region_code"
        )
        .filter(pl.col("m") == pl.col("mt"))
        .sort("year")
    )
    return seg.group_by("region_code").agg(
        (
            (pl.col("y").last() - pl.col("y").first())
            / (pl.col("year").last() - pl.col("year").first()).cast(pl.Float64)
        )
        .fill_nan(0.0)
        .alias("drift")
    )


def _structural(cur: pl.DataFrame) -> np.ndarray:
    """Ridge fit of y on standardised open indicators (cross-section of year t), fitted values."""
    x = cur.select(
        pl.col(c).cast(pl.Float64).fill_null(pl.col(c).cast(pl.Float64).median()).fill_null(0.0)
        for c in INDICATORS
    ).to_numpy(writable=True)  # a zero-copy view can be read-only
    x[:, INDICATORS.index("population_density_km2")] = np.log1p(
        np.clip(x[:, INDICATORS.index("population_density_km2")], 0, None)
    )
    z = np.column_stack([np.ones(len(x)), (x - x.mean(0)) / (x.std(0) + 1e-9)])
    beta = np.linalg.solve(z.T @ z + _RIDGE * np.eye(z.shape[1]), z.T @ cur["y"].to_numpy())
    return z @ beta


def origin_state(frame: pl.DataFrame, t: int, excluded: frozenset[str] = frozenset()) -> pl.DataFrame:
    """Features of every wijk with a rate in year `t`, from data of years <= t only (see module doc)."""
    past = frame.filter(pl.col("level") == "wijk", pl.col("year") <= t)
    rr = rates(past, t)
    cur = _lags(rr, t)
    cols = [c for c in (*INDICATORS, "n_aow") if c not in excluded]
    latest = past.sort("year").group_by("region_code").agg(pl.col(c).drop_nulls().last() for c in cols)
    cur = cur.join(latest, on="region_code", how="left")
    trend, national = _trends(rr, t)
    cur = cur.join(trend, on="gemeente_code", how="left").join(_drift(rr, t), on="region_code", how="left")
    cur = cur.with_columns(
        pl.col("y").mean().over("gemeente_code").alias("g"),
        pl.col("trend_g").fill_null(national),
        pl.col("drift").fill_null(0.0),
        pl.col("n_aow")
        .cast(pl.Float64)
        .fill_null(pl.col("n_aow").cast(pl.Float64).median())
        .clip(lower_bound=10.0)
        .alias("size"),
        pl.lit(t).alias("origin"),
    )
    for c in INDICATORS:
        if c not in cur.columns:
            cur = cur.with_columns(pl.lit(None, dtype=pl.Float64).alias(c))
    return cur.with_columns(pl.Series("M", _structural(cur))).sort("region_code")
