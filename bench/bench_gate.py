"""The privacy gate: accuracy on the SYNTHETIC Den Haag register, and time and memory for 10 million rows.

1. Spearman correlation between released and true client counts (care_type "all") of the wijken with at
   least 50 clients, at the default policy's epsilon, over several independent releases (target >= 0.95).
2. Wall time and peak memory (max RSS) of one fresh process that sends a 10-million-row SYNTHETIC register
   (CSV, and Parquet) through the gate: read, validate, bound, aggregate, charge, noise, post-process
   (targets <= 15 s and <= 4 GB on the 2-core machine). Time is reported with and without the interpreter
   and library start-up. Writing the register is not timed.
Usage: .venv/bin/python bench/bench_gate.py [--repeat 20] [--rows 10000000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
GEMEENTE = "GM0518"
CHILD = """
import sys, time
t0 = time.perf_counter()
from pathlib import Path
import polars as pl
from ethics.gate import release
from ethics.ledger import Ledger
from ethics.policy import load_policy
from synthetic_records import gate_inputs
from toolkit.sources import load_panel
inputs = gate_inputs(load_panel())
import diffprivlib.mechanisms, pandera.polars  # library start-up, timed separately
t1 = time.perf_counter()
rel = release(Path(sys.argv[1]), policy=load_policy(), ledger=Ledger(Path(sys.argv[2])), dataset_id="bench",
              **inputs)
t2 = time.perf_counter()
print(f"{t2 - t1:.2f} {t1 - t0:.2f} {rel.table.height}")
"""


def spearman(repeat: int) -> None:
    """Released vs true clients per wijk (>= 50 clients) on the SYNTHETIC Den Haag register."""
    from scipy.stats import spearmanr
    from synthetic_records import gate_inputs, register

    from ethics._aggregate import aggregate, encode
    from ethics.gate import release
    from ethics.ledger import Ledger
    from ethics.policy import load_policy
    from ethics.records import read_records
    from toolkit.sources import load_panel

    policy, inputs = load_policy(), gate_inputs(load_panel())
    with tempfile.TemporaryDirectory() as tmp:
        path = register(load_panel(), Path(tmp) / "den-haag.csv", scale=1.0, seed=None)
        enc = encode(read_records(path, policy, set(inputs["wijk_keys"])), inputs["wijk_keys"], bytes(16))
        truth = aggregate(enc, enc.years, policy.privacy, inputs["wijk_keys"]).nodes
        true = truth.filter(pl.col("measure") == "clients", pl.col("true") >= 50).select(
            region_code="node", true="true"
        )
        rhos = []
        for i in range(repeat):
            table = release(
                path, policy=policy, ledger=Ledger(Path(tmp) / f"l{i}.sqlite"), dataset_id="b", **inputs
            ).table
            got = table.filter(
                pl.col("measure") == "clients", pl.col("care_type") == "all", pl.col("level") == "wijk"
            )
            joined = true.join(got.select("region_code", "value"), on="region_code")
            rhos.append(spearmanr(joined["true"], joined["value"].fill_null(0)).statistic)
    eps = policy.privacy.epsilon_for("clients")
    print(
        f"Spearman released vs true clients, {true.height} wijken with >= 50 clients, epsilon {eps} for this "
        f"measure ({policy.privacy.epsilon_per_release} per release), {repeat} releases: "
        f"mean {sum(rhos) / len(rhos):.4f}, min {min(rhos):.4f} (target >= 0.95)",
        flush=True,
    )


def _child(path: Path, ledger: Path) -> tuple[float, float, float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(ledger)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "tests")),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"gate failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    gate, startup, _ = out.split()
    return float(gate), float(startup), wall, usage.ru_maxrss / 1024**2


def ten_million(rows: int) -> None:
    """Time and peak memory of the gate on a SYNTHETIC register of about `rows` rows (CSV and Parquet)."""
    from ethics.synthetic import generate_register, write_register
    from toolkit.sources import load_panel

    panel = load_panel()
    per_scale = generate_register(panel, GEMEENTE, seed=1).height
    frame = generate_register(panel, GEMEENTE, scale=rows / per_scale, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        paths = [write_register(frame, Path(tmp) / f"big.{ext}") for ext in ("csv", "parquet")]
        n = frame.height
        del frame
        for path in paths:
            gate, startup, wall, peak = _child(path, Path(tmp) / f"{path.suffix}.sqlite")
            size = path.stat().st_size / 1024**3
            print(
                f"{n:,} rows ({path.suffix[1:]}, {size:.2f} GiB) through the gate: {gate:.1f} s "
                f"(+ {startup:.1f} s start-up, {wall:.1f} s wall for the process), peak memory "
                f"{peak:.2f} GiB (targets <= 15 s, <= 4 GB); load average {os.getloadavg()[0]:.1f} on "
                f"{os.cpu_count()} cores",
                flush=True,
            )


def main() -> None:
    """Print both benchmarks."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    spearman(args.repeat)
    ten_million(args.rows)


if __name__ == "__main__":
    main()
