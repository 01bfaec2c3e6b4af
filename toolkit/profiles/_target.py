"""The training target of the national norm: the reference-year rate, or a pooled, precision-weighted one.

CBS rounds youth-care counts to multiples of 5, so the rate of a wijk with 150 youths moves in steps of about
3 percentage points, and one year of a small wijk is mostly noise. Two remedies, each a setting of
`ProfileConfig` and measured against the plain target in bench/bench_profiles.py (on held-out gemeenten):

- pooling (`pool_years` > 1): per wijk the rate pooled over the years within `pool_years` calendar years
  up to the reference year, with ONE definition for every year: youths with youth care in natura (CBS count)
  per estimated youth under 23 (`youth_0_22_est`), the count bridge of toolkit/sources/bridge.py, so the
  pooled rate is sum(clients) / sum(youths) * 100, a youth-weighted mean of the yearly rates. Years without a
  count (2018-2020) never enter; the same wijk code in each year. On 2024, where CBS publishes its own
  percentage too, the bridge agrees with it (median ratio 1.002, see `wijksignaal data info`);
- precision weights (`precision_weights`): a wijk weighs 1 / (tau2 + sigma2), with sigma2 the sampling and
  rounding variance of its (pooled) rate, p (100 - p) / N + (100 / N)^2 * years * 25 / 12 (N youth-years,
  rounding to 5 has variance 25 / 12 per count), and tau2 the variance between wijken that is not noise
  (total variance of the target minus the mean sigma2, at least 1).

Validation always scores against the observed rate of the reference year (what a wijk's excess is measured
on), never against the pooled rate.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from toolkit.panel import Panel

__all__ = ["pooled_target", "precision_weights"]

_ROUNDING_VAR = 25.0 / 12.0


def pooled_target(panel: Panel, ref_year: int, pool_years: int) -> pl.DataFrame:
    """region_code, target_rate, target_youth, target_years of the wijken of `ref_year` (see module doc)."""
    wijk = panel.level("wijk").filter(pl.col("year") <= ref_year, pl.col("year") > ref_year - pool_years,
                                      pl.col("youth_care_clients").is_not_null(), pl.col("youth_0_22_est") > 0)
    youth = pl.col("youth_0_22_est").cast(pl.Float64)
    pooled = wijk.group_by("region_code").agg(
        (pl.col("youth_care_clients").cast(pl.Float64).sum() / youth.sum() * 100).alias("target_rate"),
        youth.sum().alias("target_youth"), pl.len().alias("target_years"))
    ref = panel.level("wijk", ref_year).select("region_code")
    return ref.join(pooled, on="region_code", how="left")


def precision_weights(rate: np.ndarray, youth: np.ndarray, years: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """1 / (tau2 + sigma2) per row (see the module docstring); NaN outside `rows` or without a rate."""
    n = np.maximum(np.nan_to_num(youth, nan=0.0), 1.0)
    p = np.clip(np.nan_to_num(rate, nan=10.0), 0.5, 99.5)
    sigma2 = p * (100 - p) / n + (100 / n) ** 2 * np.maximum(np.nan_to_num(years, nan=1.0), 1.0) * _ROUNDING_VAR
    keep = rows & np.isfinite(rate)
    tau2 = max(float(np.var(rate[keep]) - np.mean(sigma2[keep])), 1.0) if keep.sum() > 1 else 1.0
    return np.where(keep, 1.0 / (tau2 + sigma2), np.nan)
