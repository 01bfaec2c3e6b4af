"""Time and peak memory of reading, validating and merging a national user KWB file (`run --indicators`).

The file is a BENCHMARK FIXTURE: every wijk and gemeente row of the embedded 2024 panel, relabelled 2025, in
CBS short codes (about 3,700 rows). Each step runs in a fresh process; peak memory is the child's max RSS.
Usage: .venv/bin/python bench/bench_user_file.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = {
    "validate (wijksignaal validate FILE)": "from toolkit.cli import app; app(['validate', '{file}'])",
    "read_user_file": "from toolkit.sources.user_file import read_user_file as r; r(Path('{file}'))",
    "merge_user_file into the panel": ("from toolkit.sources import load_panel\n"
                                       "from toolkit.sources.user_file import merge_user_file as m\n"
                                       "m(load_panel(), Path('{file}'))"),
}


def _fixture(path: Path) -> None:
    import polars as pl

    from toolkit.sources import load_panel
    from toolkit.sources._kwb_columns import NAME_TO_SHORT

    rows = load_panel().filter(pl.col("year") == 2024, pl.col("level").is_in(["wijk", "gemeente"]))
    names = {"region_code": "gwb_code_10", "region_name": "regio", "gemeente_name": "gm_naam",
             "youth_care_clients": "a_jz_tn"}
    names |= {n: s for n, s in NAME_TO_SHORT.items() if n in rows.columns and n not in names
              and s not in names.values() and s.islower()}
    frame = rows.select([pl.col(c).alias(s) for c, s in names.items()])
    frame.with_columns(pl.lit(2025).alias("year")).write_csv(path)


def _measure(code: str) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", f"from pathlib import Path\n{code}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0,):
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"step failed:\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    """Print one line per step: median and min wall time (including Python start-up), peak memory."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory(prefix="wijksignaal-bench-") as tmp:
        file = Path(tmp) / "kwb-2025.csv"
        _fixture(file)
        print(f"user KWB file: {file.stat().st_size / 1e6:.1f} MB (benchmark fixture: 2024 rows as 2025)")
        for label, code in STEPS.items():
            runs = [_measure(code.format(file=file)) for _ in range(repeat)]
            times = [t for t, _ in runs]
            print(f"{label:40s} median {statistics.median(times):6.2f} s  min {min(times):6.2f} s  "
                  f"peak {max(m for _, m in runs):7.1f} MiB")


if __name__ == "__main__":
    main()
