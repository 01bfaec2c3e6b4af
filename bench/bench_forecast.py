"""Forecast quality against what really happened: the real CBS panel with KWB 2024, rolling origins.

Prints (issue 9 targets):
1. Gemeente clients as of 2022, horizon 2 (2024), all gemeenten, the published procedure (`build_forecasts
   --all --as-of 2022`) against the CBS 2024 gemeente counts: MAPE / MAPE of last value (target <= 0.90),
   total bias (target within +-2%), next to "last value x realised national growth" (known only afterwards).
2. Wijk rates, horizon 1, every origin with one definition on both sides: MAE / MAE of last value (<= 0.96).
3. Coverage of the 80% (target 0.78-0.85) and 95% (0.93-0.97) intervals per level and horizon.
Then the backtest.csv of a default run (as of 2024), the growth choice, and the options tried.

Usage: .venv/bin/python bench/bench_forecast.py   (uses ../shared/data/cbs/kwb_2024_... when the embedded
panel has no 2024 youth care yet)
"""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

from ethics.policy import load_policy
from toolkit.config import RunConfig
from toolkit.forecasts import build_forecasts
from toolkit.forecasts._backtest import build_states, run_backtest
from toolkit.forecasts._choice import OPTIONS
from toolkit.panel import build_panel
from toolkit.sources import load_indicators, load_panel

KWB_2024 = Path(__file__).resolve().parents[2] / "shared" / "data" / "cbs" / "kwb_2024_wijk_gemeente_85984NED.csv"
NL_2022, NL_2024 = 461_985, 486_975


def _panel() -> pl.DataFrame:
    frame = load_panel()
    if frame.filter(pl.col("year") == 2024, pl.col("youth_care_rate_pct").is_not_null()).height:
        return frame
    print(f"(embedded panel has no 2024 youth care: merged with {KWB_2024.name})")
    return load_indicators(KWB_2024, load_policy())


def _status(panel) -> pl.DataFrame:
    return panel.scope_wijken().select("region_code", pl.lit("ok").alias("status"))


def gemeente_2024_check(frame: pl.DataFrame) -> None:
    """Target 1: the published gemeente forecast made as of 2022 against the CBS 2024 counts."""
    panel = build_panel(frame, None, as_of=2022)
    res = build_forecasts(panel, _status(panel), load_policy(), RunConfig(all_gemeenten=True, as_of=2022))
    counts = frame.filter(pl.col("level") == "gemeente", pl.col("youth_care_clients") > 0)
    act = counts.filter(pl.col("year") == 2024).select("region_code", pl.col("youth_care_clients").alias("a"))
    last = counts.filter(pl.col("year") == 2022).select("region_code", pl.col("youth_care_clients").alias("lv"))
    print(f"\n1. Gemeente clients, as of 2022 -> 2024 (h2); growth chosen before 2022: {res.audit['growth']['chosen']}")
    g = res.table.filter(pl.col("level") == "gemeente", pl.col("horizon") == 2)
    nat = NL_2024 / NL_2022
    for growth, part in g.group_by("growth", maintain_order=True):
        j = part.join(act, on="region_code").join(last, on="region_code")
        ape = lambda f: ((f - pl.col("a")).abs() / pl.col("a")).mean() * 100  # noqa: E731
        r = j.select(
            ape(pl.col("clients")).alias("mape"), ape(pl.col("lv")).alias("mape_lv"),
            ape(pl.col("lv") * nat).alias("mape_lv_x_nat"),
            ((pl.col("clients").sum() / pl.col("a").sum() - 1) * 100).alias("bias"),
            ((pl.col("lv").sum() / pl.col("a").sum() - 1) * 100).alias("bias_lv"),
            ((pl.col("clients_lower") <= pl.col("a")) & (pl.col("a") <= pl.col("clients_upper"))).mean().alias("c80"),
            ((pl.col("clients_lower_95") <= pl.col("a")) & (pl.col("a") <= pl.col("clients_upper_95"))).mean()
            .alias("c95"), pl.len().alias("n"),
        ).row(0, named=True)
        print(f"   {growth[0]:<40} n={r['n']}  MAPE {r['mape']:.2f}% vs last value {r['mape_lv']:.2f}% -> ratio "
              f"{r['mape'] / r['mape_lv']:.3f} (target <= 0.90; last value x realised national growth "
              f"{r['mape_lv_x_nat'] / r['mape_lv']:.3f})")
        print(f"   {'':<40} total bias {r['bias']:+.2f}% (target +-2%; last value {r['bias_lv']:+.2f}%)   "
              f"coverage 80% {r['c80']:.3f}, 95% {r['c95']:.3f}")


def backtest_figures(frame: pl.DataFrame) -> None:
    """Targets 2 and 3, backtest.csv of the default run and the options tried."""
    start = time.perf_counter()
    bt = run_backtest(build_states(frame, 2024, frozenset()), 2024, frame=frame)
    t = bt.table
    print(f"\nBacktest as of 2024 (origins {list(bt.origins)}), {time.perf_counter() - start:.1f} s")
    mae = {m: t.filter(pl.col("level") == "wijk", pl.col("model") == m, pl.col("horizon") == 1,
                       pl.col("origin") == "all")["mae"][0] for m in ("model", "last_value", "drift")}
    per = t.filter(pl.col("level") == "wijk", pl.col("horizon") == 1, pl.col("same_definition"),
                   pl.col("origin") != "all", pl.col("model").is_in(["model", "last_value"]))
    per = per.pivot(on="model", index="origin", values="mae").with_columns(
        (pl.col("model") / pl.col("last_value")).round(4).alias("ratio"))
    print(f"\n2. Wijk rates, h1, every origin of one definition: MAE {mae['model']:.4f} vs last value "
          f"{mae['last_value']:.4f} -> {mae['model'] / mae['last_value']:.4f} (target <= 0.96); drift "
          f"{mae['drift']:.4f}.  Per origin: {per.select('origin', 'ratio').rows()}")
    cov = t.filter(pl.col("model") == "model", pl.col("coverage_80").is_not_null())
    print("\n3. Coverage of the model's nested out-of-sample intervals (80%: 0.78-0.85, 95%: 0.93-0.97)")
    with pl.Config(tbl_rows=60, tbl_cols=16, tbl_width_chars=200, tbl_hide_dataframe_shape=True):
        print(cov.select("level", "origin", "horizon", "same_definition", "coverage_80", "coverage_95",
                         "n_forecasts"))
        for level in ("wijk", "gemeente"):
            part = cov.filter(pl.col("level") == level, pl.col("origin") != "all")
            n = part["n_forecasts"].sum()
            print(f"   {level}: pooled over origins and horizons 80% "
                  f"{(part['coverage_80'] * part['n_forecasts']).sum() / n:.3f}, 95% "
                  f"{(part['coverage_95'] * part['n_forecasts']).sum() / n:.3f} (n={n})")
        print("\nbacktest.csv (default run as of 2024), models model / rates constant / last value / drift:")
        print(t.filter(pl.col("model") != "gemeente_trend").drop("unit", "region_code", "same_definition"))
    print(f"\nGrowth chosen per level (as of 2024): { {k: v.name for k, v in bt.choice.items()} }")
    print(f"Choice made at each backtest origin (gemeente level, from years before it): {bt.choices_by_origin}")
    print(f"Mean |log error| per option: {bt.scores}")
    gem = bt.gemeente.filter(pl.col("kind") == "clients", pl.col("origin") == 2022)
    print("\nTried, gemeente 2022 -> 2024 per option (hindsight: only the choice above was made before 2022):")
    for o in OPTIONS:
        f = gem[f"G_{o}"]
        print(f"   {o:<42} MAPE {((f - gem['g_true']).abs() / gem['g_true']).mean() * 100:.2f}%  "
              f"total bias {(f.sum() / gem['g_true'].sum() - 1) * 100:+.2f}%")


def main() -> None:
    """Print every figure."""
    frame = _panel()
    gemeente_2024_check(frame)
    backtest_figures(frame)


if __name__ == "__main__":
    main()
