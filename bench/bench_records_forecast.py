"""Forecasts per care type from a multi-year register: the SYNTHETIC Den Haag register 2018-2025 through the
privacy gate at the default policy, then `toolkit.forecasts._records_forecast`.

1. Backtest on the released series as of 2024: the gemeente forecast of 2025 per care type (horizon 1)
   against the released 2025 value and against the true (un-noised) 2025 count, beside the last released
   value (2024) - target: the model beats last value. Also the rolling-origin MAE per care type and horizon
   on the whole released series (the audit's `backtest_gemeente`).
2. Ranking of wijken by forecast growth (to the last forecast year) of jeugdhulp_zonder_verblijf: Spearman
   between the ranking from the released series and the ranking from the true counts put through the same
   method (the same half-life and damping as chosen on the released series) (target >= 0.8), over the
   wijken ranked in both.
3. Euros per wijk: median relative 95% half-width of the euro forecast of all care types, for wijken with at
   least 100 forecast clients, at horizon 1 and at the last horizon (target below 15%).
Also: time to generate the register. Several seeds, each a fresh register and release; figures per seed.
Usage: .venv/bin/python bench/bench_records_forecast.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GEMEENTE = "GM0518"
YEARS = list(range(2018, 2026))


def _release(panel, register: pl.DataFrame, tmp: Path, policy, providers: list[str]):
    from ethics._aggregate import UNASSIGNED, aggregate, encode
    from ethics.gate import release
    from ethics.ledger import Ledger
    from ethics.synthetic import write_register
    from toolkit.releases import _youth_population

    path = write_register(register, tmp / "register-SYNTHETIC.csv")
    ledger = Ledger(tmp / "ledger.sqlite", policy.privacy.overlap_threshold, policy.privacy.sketch_size)
    keys = panel.wijk_keys(GEMEENTE)
    rel = release(path, gemeente=GEMEENTE, wijk_keys=keys, youth_population=_youth_population(panel, GEMEENTE),
                  policy=policy, ledger=ledger, dataset_id=f"bench-{time.time_ns()}", years=YEARS,
                  providers=providers, synthetic=True)
    truth = aggregate(encode(register, keys, ledger.sketch_key, years=YEARS, providers=providers), policy.privacy,
                      keys).nodes
    truth = truth.filter(pl.col("measure").is_in(["clients", "clients_by_care_type"]))
    gem = truth.group_by("year", "care_type", "measure").agg(pl.col("true").sum()).with_columns(
        node=pl.lit(GEMEENTE), level=pl.lit("gemeente"))
    wijk = truth.filter(pl.col("node") != UNASSIGNED).with_columns(level=pl.lit("wijk"))
    true_table = pl.concat([wijk.select(gem.columns), gem]).select(
        region_code="node", level="level", year=pl.col("year").cast(pl.Int32), care_type="care_type",
        measure=pl.lit("clients"), value=pl.col("true").cast(pl.Int64), status=pl.lit("ok"),
        accuracy_95=pl.lit(1, pl.Int64), provider=pl.lit(None, pl.String))
    return rel.table, true_table


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    from ethics.policy import load_policy
    from ethics.synthetic import PROVIDERS, generate_register
    from toolkit.forecasts._costs import load_prices
    from toolkit.forecasts._records_forecast import CARE_TYPES_ALL, records_forecast
    from toolkit.panel import build_panel
    from toolkit.sources import load_panel

    policy, prices = load_policy(), load_prices()
    panel = build_panel(load_panel(), [GEMEENTE])
    providers = [n for names in PROVIDERS.values() for n in names]
    print(f"SYNTHETIC register of {GEMEENTE} {YEARS[0]}-{YEARS[-1]}, default policy "
          f"(epsilon_per_release {policy.privacy.epsilon_per_release}), {args.seeds} seeds")
    for seed in range(args.seeds):
        t0 = time.perf_counter()
        register = generate_register(panel.frame, GEMEENTE, years=YEARS, providers=providers, seed=seed)
        gen = time.perf_counter() - t0
        n_rows, n_children = register.height, register["client_id"].n_unique()
        with tempfile.TemporaryDirectory() as tmp:
            released, true_table = _release(panel, register, Path(tmp), policy, providers)
        print(f"\n== seed {seed}: {n_rows} trajectories, {n_children} children, "
              f"generated in {gen:.1f} s")
        # 1. as of 2024, horizon 1 = 2025, gemeente level
        asof = SimpleNamespace(table=released.filter(pl.col("year") <= 2024))
        rows, _ = records_forecast(asof, policy, prices, 0.0, 5)
        gem = lambda t, y: t.filter(pl.col("region_code") == GEMEENTE, pl.col("year") == y)  # noqa: E731
        fc = gem(rows, 2025).select("care_type", "clients")
        rel25 = gem(released, 2025).filter(pl.col("measure") == "clients", pl.col("provider").is_null()).select(
            "care_type", released_2025="value")
        last = gem(released, 2024).filter(pl.col("measure") == "clients", pl.col("provider").is_null()).select(
            "care_type", last_2024="value")
        true25 = gem(true_table, 2025).select("care_type", true_2025="value")
        t = fc.join(rel25, on="care_type").join(last, on="care_type").join(true25, on="care_type")
        print("1. gemeente, as of 2024, horizon 1 (2025): |error| vs released 2025 and vs true 2025")
        print(f"   {'care type':28s} {'model':>7s} {'last':>7s} {'rel25':>7s} {'true25':>7s} "
              f"{'|m-rel|':>8s} {'|l-rel|':>8s} {'|m-true|':>8s} {'|l-true|':>8s}")
        for r in t.sort("care_type").iter_rows(named=True):
            m, lv, a, tr = r["clients"], r["last_2024"], r["released_2025"], r["true_2025"]
            print(f"   {r['care_type']:28s} {m:7d} {lv:7d} {a:7d} {tr:7d} {abs(m - a):8d} {abs(lv - a):8d} "
                  f"{abs(m - tr):8d} {abs(lv - tr):8d}")
        full = SimpleNamespace(table=released)
        rows_n, audit = records_forecast(full, policy, prices, 0.0, 5)
        print("   rolling-origin backtest on the released 2018-2025 series, gemeente (MAE model / last value):")
        bt = pl.DataFrame(audit["backtest_gemeente"])
        for care in CARE_TYPES_ALL:
            part = bt.filter(pl.col("care_type") == care).sort("horizon")
            cells = " ".join(f"h{r['horizon']}:{r['mae_model']:.0f}/{r['mae_last_value']:.0f}"
                             for r in part.iter_rows(named=True))
            print(f"   {care:28s} {cells}")
        chosen = [tuple(d.values()) for d in audit["options_chosen"] if d["level"] == "gemeente"]
        print("   options chosen (level, care type, half-life, damping):", chosen)
        # 2. ranking of wijken by growth of jeugdhulp_zonder_verblijf
        rows_t, _ = records_forecast(SimpleNamespace(table=true_table), policy, prices, 0.0, 5,
                                     options=audit["options_chosen"])  # the same method on the true counts

        def growth(r: pl.DataFrame, care: str) -> pl.DataFrame:
            h = int(r["horizon"].max())
            return r.filter(pl.col("level") == "wijk", pl.col("care_type") == care, pl.col("horizon") == h,
                            pl.col("status") == "ok", pl.col("clients").is_not_null()).select(
                "region_code", g=pl.col("slope_used"))  # the ranking's order (audit ranking_by_growth)

        print("2. Spearman of wijk rankings by forecast growth to 2030, released vs true series:")
        for care in CARE_TYPES_ALL:
            j = growth(rows_n, care).join(growth(rows_t, care), on="region_code", suffix="_true")
            rho = _spearman(j["g"].to_numpy(), j["g_true"].to_numpy()) if j.height > 2 else float("nan")
            mark = "  (target >= 0.8)" if care == "jeugdhulp_zonder_verblijf" else ""
            print(f"   {care:28s} rho = {rho:.3f} over {j.height} wijken{mark}")
        # 3. euros per wijk
        print("3. euros per wijk (all care types), median relative 95% half-width, wijken >= 100 clients:")
        for h in (1, 5):
            w = rows_n.filter(pl.col("level") == "wijk", pl.col("care_type") == "all", pl.col("horizon") == h,
                              pl.col("clients") >= 100, pl.col("cost_eur") > 0)
            hw = ((w["cost_upper_95_eur"] - w["cost_lower_95_eur"]) / 2 / w["cost_eur"]).median()
            print(f"   horizon {h}: {hw:.1%} over {w.height} wijken (target < 15%)")
        print("   prices:", {c: (v["eur_per_client_year"], v["relative_sd"], "fallback" if v["flag"] else "released")
                             for c, v in audit["prices"].items()})


if __name__ == "__main__":
    main()
