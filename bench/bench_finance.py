"""The money side on real data: prices per gemeente, the youth cluster, and the euro backtest.

Prints:
- cost per client for every gemeente with Iv3 and CBS data: how many have their own figure, the median
  against the national ratio (Iv3 youth lasten / CBS youths with youth care; target within 10%), the
  1st-99th percentile band and how many prices lie outside it without a flag (target 0);
- the published money figures and the toolkit's own computation of them (cluster and Iv3 checks);
- the euro backtest: gemeente euros forecast from 2023 (panel cut at 2022, Iv3 2023 price) for 2024 and
  2025 against the gemeenten's Iv3 budgets of those years (budgets, not realisations), MAPE next to the
  naive rule "2023 realised".

Usage: .venv/bin/python bench/bench_finance.py
"""

from __future__ import annotations

import time

import polars as pl

from ethics.policy import load_policy
from toolkit.finance.backtest import euro_backtest, mape_table
from toolkit.finance.checks import published_checks
from toolkit.finance.prices import STATUS_OWN, gemeente_prices, national_ratio
from toolkit.sources import load_panel


def _prices(panel: pl.DataFrame) -> None:
    prices = gemeente_prices(panel)
    own = prices.filter(pl.col("price_status") == STATUS_OWN)
    national, median = national_ratio(panel), own["price_eur"].median()
    p01, p99 = prices["band_p01_eur"][0], prices["band_p99_eur"][0]
    outside = own.filter(~pl.col("price_eur").is_between(p01, p99)).height
    years = sorted(set(prices["clients_years"].drop_nulls()))
    print(f"gemeenten with a price: {prices.height}; own Iv3/CBS figure: {own.height}; "
          f"shrunk to class (implausible/missing): {prices.height - own.height}")
    print(f"CBS client years used as denominator: {', '.join(years)}")
    print(f"national ratio EUR {national:,.0f}; median own price EUR {median:,.0f} "
          f"({(median / national - 1) * 100:+.1f}%, target within 10%)")
    print(f"1st-99th percentile band EUR {p01:,.0f} - {p99:,.0f}; unflagged prices outside it: {outside} (target 0)")
    print(prices.group_by("price_status").len().sort("price_status"))


def _checks() -> None:
    rows = [{k: c[k] for k in ("what", "region_code", "year", "variant", "published_eur", "computed_eur", "agrees")}
            for c in published_checks()]
    print(pl.DataFrame(rows).with_columns(pl.col("year").cast(pl.String)))


def main() -> None:
    """Print the figures."""
    panel = load_panel()
    with pl.Config(tbl_rows=20, tbl_cols=12, tbl_width_chars=160, tbl_hide_dataframe_shape=True, fmt_str_lengths=48,
                   float_precision=1, thousands_separator=","):
        _prices(panel)
        _checks()
        start = time.perf_counter()
        bt = euro_backtest(panel, load_policy())
        print("euro backtest (targets: Iv3 begroting 2024/2025, budgets not realisations; APE in %):")
        print(mape_table(bt).with_columns(pl.col("year").cast(pl.String)))
        print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
