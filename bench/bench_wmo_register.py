"""The SYNTHETIC Wmo register of Den Haag (GM0518) over 2018-2025: generation time and what it holds.

Times `generate_register(..., domain="wmo")` (in-process, after the panel is loaded; target under ~3 s on the
2-core machine), then writing it and validating it against the Wmo record layout, and prints the checks a demo
relies on: distinct clients per year (the gate's wijk rule) against the CBS-calibrated targets of 2021 and 2024,
the share of clients aged 65+, euros per client and year against the configured Wmo price, and the share of
provisions still running at the end.
Usage: .venv/bin/python bench/bench_wmo_register.py [--gemeente GM0518] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

from ethics._records_schema import WMO
from ethics._synthetic_history import wijk_targets
from ethics._synthetic_wmo import DEMO_YEARS
from ethics.policy import load_policy
from ethics.records import validate_records
from ethics.synthetic import generate_register, write_register
from toolkit.domains import get_domain
from toolkit.panel import build_panel
from toolkit.sources import load_indicators


def _client_years(register: pl.DataFrame) -> pl.DataFrame:
    """Client-years with the gate's wijk: the provision active on 31 December (latest start), else the latest."""
    end = pl.col("end_date").fill_null(date(DEMO_YEARS[-1], 12, 31))
    rows = register.with_columns(year=pl.int_ranges(pl.col("start_date").dt.year(), end.dt.year() + 1)).explode(
        "year").filter(pl.col("year").is_in(DEMO_YEARS))
    start = pl.max_horizontal("start_date", pl.date(pl.col("year"), 1, 1))
    stop = pl.min_horizontal(end, pl.date(pl.col("year"), 12, 31))
    rows = rows.with_columns(eur=pl.col("cost_eur") * ((stop - start).dt.total_days() + 1)
                             / ((end - pl.col("start_date")).dt.total_days() + 1))
    return (rows.sort(end >= pl.date(pl.col("year"), 12, 31), "start_date", descending=True)
            .group_by("client_id", "year", maintain_order=True)
            .agg(pl.col("wijk_code").first(), pl.col("birth_year").first(), pl.col("eur").sum()))


def main() -> None:
    """Print generation time (median and min of --repeat), write and validate time, and the register's figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--gemeente", default="GM0518")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    policy = load_policy()
    panel = build_panel(get_domain("wmo").view(load_indicators(None, policy)), (args.gemeente,))
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        register = generate_register(panel.frame, args.gemeente, years=DEMO_YEARS, domain="wmo")
        times.append(time.perf_counter() - start)
    print(f"generate {args.gemeente} {DEMO_YEARS[0]}-{DEMO_YEARS[-1]}: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s ({args.repeat} runs); {register.height:,} provisions of "
          f"{register['client_id'].n_unique():,} synthetic clients")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        path = write_register(register, Path(tmp) / "wmo.csv")
        written = time.perf_counter() - start
        start = time.perf_counter()
        problems = validate_records(path, policy, set(panel.wijk_keys(args.gemeente)), layout=WMO)
        print(f"write CSV {written:.2f} s; validate (Wmo layout) {time.perf_counter() - start:.2f} s, "
              f"{len(problems)} problems")
    cy = _client_years(register)
    targets = wijk_targets(panel.frame, args.gemeente, DEMO_YEARS)
    got = cy.group_by("wijk_code", "year").agg(n=pl.len())
    joined = targets.join(got, on=["wijk_code", "year"], how="left", nulls_equal=True)
    per_year = cy.group_by("year").agg(clients=pl.len(), eur_per_client=pl.col("eur").mean(),
                                       aged_65_plus=((pl.col("year") - pl.col("birth_year")) >= 65).mean())
    per_year = per_year.join(joined.group_by("year").agg(target=pl.col("children").sum(),
                                                         wijk_cells_off=(pl.col("children") != pl.col("n")
                                                                         .fill_null(0)).sum()), on="year")
    with pl.Config(tbl_rows=20, tbl_hide_dataframe_shape=True, float_precision=3):
        print(per_year.sort("year"))
    print(f"provisions ongoing at the end (empty end_date): {register['end_date'].is_null().mean():.1%}")


if __name__ == "__main__":
    main()
