"""Forecast quality on the real panel: rolling-origin backtest of the rate model against its baselines.

Prints, for the embedded CBS panel (all Dutch wijken, origins 2019-2021, targets up to 2022):
- the backtest MAE of the model divided by the MAE of the last-value baseline at horizon 1 (target <= 0.90);
- the empirical coverage of the 80% interval (nested conformal, out of sample; target 0.75-0.88);
- the same per origin and across / within the 2020/2021 definition bridge, the gemeente (joint-error)
  interval coverage, and the alternatives tried (fixed ridge penalties instead of the forward-chained one).

Usage: .venv/bin/python bench/bench_forecast.py
"""

from __future__ import annotations

import time

import polars as pl

from toolkit.forecasts._audit import _gemeente_coverage, h1_summary
from toolkit.forecasts._backtest import build_states, run_backtest
from toolkit.forecasts._rate_model import select_alpha, training_pairs
from toolkit.sources import load_panel

LATEST = 2022


def _per_origin(rows: pl.DataFrame) -> pl.DataFrame:
    ae = (pl.col("y_hat").exp() - pl.col("y_true").exp()).abs()
    per = rows.filter(pl.col("horizon") == 1).group_by("origin", "method").agg(ae.mean().alias("mae"))
    wide = per.pivot(on="method", index="origin", values="mae").sort("origin")
    return wide.select("origin", (pl.col("model") / pl.col("last_value")).round(3).alias("mae_ratio_h1"))


def main() -> None:
    """Run the backtest and print the figures."""
    start = time.perf_counter()
    states = build_states(load_panel(), LATEST, frozenset())
    bt = run_backtest(states, LATEST)
    elapsed = time.perf_counter() - start
    summary = h1_summary(bt)
    with pl.Config(tbl_rows=40, tbl_cols=12, tbl_width_chars=160, tbl_hide_dataframe_shape=True):
        print(f"Backtest on the real panel (origins {list(bt.origins)}, all Dutch wijken), {elapsed:.1f} s")
        print(bt.table.select("model", "horizon", "mae", "mape", "coverage_80", "n_regions", "n_forecasts"))
        print(
            f"\nMAE model / MAE last value at horizon 1: {summary['mae_ratio_model_to_last_value_h1']}"
            "  (target <= 0.90)"
        )
        print(
            f"Coverage of the 80% interval (model, all scored horizons): {summary['coverage_80_model']}"
            "  (target 0.75-0.88)"
        )
        split = summary["coverage_80_model_by_crossing_definition"]
        print(f"  by crossing the 2020/2021 definition bridge: {split}")
        print(f"Gemeente (joint-error) 80% interval coverage: {_gemeente_coverage(bt)}")
        print("\nPer origin, horizon 1:")
        print(_per_origin(bt.rows))
        print("\nRidge penalty chosen by forward chaining (origin: alpha, validation MAE per alpha):")
        for origin in (2020, 2021, LATEST):
            alpha, scores = select_alpha(training_pairs(states, origin))
            print(f"  {origin}: {alpha}  { ({a: round(v, 4) for a, v in scores.items()}) }")
        print("\nTried: fixed ridge penalties instead (MAE ratio h1, coverage_80):")
        for alpha in (1.0, 100.0, 1000.0, 10000.0):
            alt = h1_summary(run_backtest(states, LATEST, alpha=alpha))
            print(
                f"  alpha={alpha:>7}: {alt['mae_ratio_model_to_last_value_h1']}, {alt['coverage_80_model']}"
            )


if __name__ == "__main__":
    main()
