"""The simple rules a controller would otherwise use, as forecasts of the log rate per wijk and horizon.

- `last_value`: the rate stays at its latest value.
- `drift`: the latest value plus the wijk's own mean yearly change within its current definition segment
  (never a change across the 2020/2021 definition bridge; 0 when the segment has one year).
- `gemeente_trend`: the latest value plus the gemeente's median yearly change of its wijken over the latest
  pair of years with one definition.

Each takes a frame from `_features.origin_state` and returns region_code x horizon with `y_hat`.
"""

from __future__ import annotations

import polars as pl

__all__ = ["BASELINES", "baseline_forecast"]

BASELINES = {"last_value": None, "drift": "drift", "gemeente_trend": "trend_g"}


def baseline_forecast(name: str, state: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Forecast of baseline `name` for horizons 1..horizon."""
    slope = BASELINES[name]
    h = pl.DataFrame({"horizon": list(range(1, horizon + 1))}, schema={"horizon": pl.Int32})
    step = pl.lit(0.0) if slope is None else pl.col(slope)
    return (
        state.select("region_code", "y", step.alias("s"))
        .join(h, how="cross")
        .select("region_code", "horizon", (pl.col("y") + pl.col("s") * pl.col("horizon")).alias("y_hat"))
    )
