"""Wmo 2021 -> 2024: the one real check of the Wmo forecast (toolkit/forecasts/_ageing.py).

Every wijk (at least 100 inhabitants) and every gemeente with a published CBS Wmo count in both years: MAPE of
the ageing model (rates per age band of 2021 x the 2024 age bands), a pure demographic projection (clients x
population growth) and last value. Both projections use the real 2024 populations. Also times
`run --domain wmo` for Den Haag, on open data and with a SYNTHETIC Wmo register (`--demo-records`).
Run: PYTHONPATH=. python bench/bench_wmo.py
"""

from __future__ import annotations

import time
from pathlib import Path
from tempfile import TemporaryDirectory

from ethics.policy import load_policy
from toolkit.domains import get_domain
from toolkit.forecasts._ageing import _scores, backtest_ageing, band_rates
from toolkit.sources.embedded import load_panel


def main() -> None:
    wmo, frame = get_domain("wmo"), load_panel()
    min_pop = load_policy(None).disclosure.min_youth_population
    bt = backtest_ageing(frame, wmo, min_pop)
    table, _ = _scores(bt, "NL00")
    for year in (2021, 2024):
        rates = band_rates(frame, wmo, year, min_pop)
        print(f"Wmo rate per age band {year} (per 1,000):",
              ", ".join(f"{b[4:]} {r * 1000:.1f}" for b, r in zip(wmo.age_bands, rates, strict=True)))
    print("level     model        n     MAPE%   total_bias%  cov80  cov95")
    for r in table.iter_rows(named=True):
        cov = "" if r["coverage_80"] is None else f"{r['coverage_80']:.2f}   {r['coverage_95']:.2f}"
        print(f"{r['level']:<9} {r['model']:<12} {r['n_regions']:<5} {r['mape']:6.2f}  "
              f"{r['total_bias']:9.2f}     {cov}")
    from toolkit.config import load_run_config
    from toolkit.pipeline import run

    with TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run(load_run_config(None, gemeenten=("GM0518",)), load_policy(None), Path(tmp) / "out", domain="wmo")
        print(f"run --domain wmo, Den Haag (open data): {time.perf_counter() - start:.1f} s")
    _records_run()


def _records_run() -> None:
    """`run --domain wmo --demo-records` for Den Haag (target < 20 s): a SYNTHETIC 2018-2025 Wmo register
    through the gate (its own demo ledger), profiles, ageing and register forecasts, pages."""
    import resource
    import subprocess
    import sys

    with TemporaryDirectory() as tmp:
        cmd = [str(Path(sys.executable).parent / "wijksignaal"), "run", "--quiet", "--domain", "wmo", "--demo-records",
               "--gemeente", "GM0518", "--ledger", str(Path(tmp) / "ledger.sqlite"), "--out", str(Path(tmp) / "o")]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"run --domain wmo --demo-records, Den Haag 2018-2025 (SYNTHETIC register): {wall:.1f} s wall, "
              f"peak {peak:.0f} MB (target < 20 s)")


if __name__ == "__main__":
    main()
