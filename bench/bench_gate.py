"""The privacy gate: neighbouring registers, accuracy on the SYNTHETIC Den Haag register, and time and memory
for 10 million rows.

1. Neighbouring registers: random multi-year registers (1-8 years, ongoing and cross-year trajectories,
   moves, children above every bound, unlisted providers) and the same register plus one child. A pair
   violates when a measure's true aggregate of a year moves by more than its sensitivity, the key set
   changes, or the gate disagrees with the plain-Python reference aggregator (tests/reference_aggregate.py)
   (target: 0 violations over >= 1,000 pairs).
2. Spearman correlation between released and true client counts (care_type "all") of the wijken with at
   least 50 clients, at the default policy's epsilon, over several independent releases (target >= 0.999),
   with the gate's exact sampler and, on the same true counts and the same post-processing, diffprivlib's
   `Geometric` (an independent implementation of the same distribution; OpenDP's `make_geometric` samples it
   too but opendp pins polars 1.36.1, so it is not installed here).
3. Wall time and peak memory (max RSS) of one fresh process that sends a 10-million-row SYNTHETIC register
   (CSV, and Parquet) through the gate: read, validate, bound, aggregate, charge, noise, post-process
   (targets <= 20 s and < 2 GB on the 2-core machine). Time is reported with and without the interpreter
   and library start-up. Writing the register is not timed.
Usage: .venv/bin/python bench/bench_gate.py [--pairs 1000] [--repeat 20] [--rows 10000000]
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
import pandera.polars  # library start-up, timed separately
t1 = time.perf_counter()
rel = release(Path(sys.argv[1]), policy=load_policy(), ledger=Ledger(Path(sys.argv[2])), dataset_id="bench",
              **inputs)
t2 = time.perf_counter()
# VmHWM: this process's own peak; ru_maxrss would also count the parent's pages from before exec
hwm = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0] / 1024**2
print(f"{t2 - t1:.2f} {t1 - t0:.2f} {rel.table.height} {hwm:.3f}")
"""


def neighbours(pairs: int) -> None:
    """Violations of the per-year sensitivity, the key set or the reference over random neighbouring pairs."""
    import dataclasses
    import random
    from datetime import date, timedelta

    from reference_aggregate import reference

    from ethics.gate import sensitivity
    from ethics.policy import load_policy

    sys.path.insert(0, str(ROOT / "tests" / "property"))
    from test_neighbouring_registers import CARE_TYPES, PROVIDERS, ROW_PROVIDERS, WIJKEN, gate_truth

    rng, policy = random.Random(), load_policy()

    def child(cid: str, first: int, last: int) -> list[dict]:
        rows = []
        for _ in range(rng.randint(1, 12)):
            start = date(rng.randint(first - 2, last + 1), 1, 1) + timedelta(days=rng.randint(0, 364))
            rows.append({
                "client_id": cid, "wijk_code": rng.choice([*WIJKEN, None]), "care_type": rng.choice(CARE_TYPES),
                "provider": rng.choice(ROW_PROVIDERS), "start_date": start,
                "end_date": None if rng.random() < 0.3 else start + timedelta(days=rng.choice([0, 30, 364, 900])),
                "cost_eur": rng.choice([None, 0.0, 99.5, 4000.0, 180_000.0, 400_000.0]),
            })
        return rows

    violations = checked = 0
    started = time.perf_counter()
    while checked < pairs:
        first = rng.randint(2015, 2022)
        years = list(range(first, first + rng.randint(1, 8)))
        privacy = dataclasses.replace(policy.privacy, reference_date=rng.choice(["12-31", "06-30", "01-01"]))
        base = [r for i in range(rng.randint(0, 10)) for r in child(f"c{i}", first, years[-1])]
        rng.shuffle(base)
        before = gate_truth(base, years, privacy)
        kw = {"wijk_keys": WIJKEN, "years": years, "providers": PROVIDERS, "privacy": privacy}
        violations += before != reference(base, **kw)
        for j in range(5):
            extra = child(f"new{j}", first, years[-1])
            bigger = list(base)
            for row in extra:
                bigger.insert(rng.randint(0, len(bigger)), row)
            after = gate_truth(bigger, years, privacy)
            bad = after.keys() != before.keys() or after != reference(bigger, **kw)
            for measure in {k[0] for k in before}:
                for year in years:
                    l1 = sum(abs(after[k] - v) for k, v in before.items() if k[0] == measure and k[2] == year)
                    bad |= l1 > sensitivity(measure, dataclasses.replace(policy, privacy=privacy))
            violations += bad
            checked += 1
    print(
        f"Neighbouring registers (1-8 years, random): {violations} violations over {checked} pairs "
        f"(target 0 over >= 1,000) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def spearman(repeat: int) -> None:
    """Released vs true clients per wijk (>= 50 clients) on the SYNTHETIC Den Haag register, with the gate's
    exact sampler and with diffprivlib's Geometric on the same true counts."""
    import numpy as np
    from diffprivlib.mechanisms import Geometric
    from scipy.stats import spearmanr
    from synthetic_records import gate_inputs, register

    from ethics import gate
    from ethics._aggregate import aggregate, encode
    from ethics.disclosure import apply_cbs_rule
    from ethics.ledger import Ledger
    from ethics.policy import load_policy
    from ethics.records import read_records
    from toolkit.sources import load_panel

    policy, inputs = load_policy(), gate_inputs(load_panel())
    with tempfile.TemporaryDirectory() as tmp:
        path = register(load_panel(), Path(tmp) / "den-haag.csv", scale=1.0, seed=None)
        frame = read_records(path, policy, set(inputs["wijk_keys"]))
        enc = encode(frame, inputs["wijk_keys"], bytes(16), years=inputs["years"], providers=inputs["providers"])
        nodes = aggregate(enc, policy.privacy, inputs["wijk_keys"]).nodes
        all_true = nodes.filter(pl.col("measure") == "clients").select(region_code="node", true="true")
        true = all_true.filter(pl.col("true") >= 50)
        eps, sens = policy.privacy.epsilon_for("clients"), gate.sensitivity("clients", policy)
        mech = Geometric(epsilon=float(eps), sensitivity=sens)
        rhos, dp_rhos, mae, dp_mae = [], [], [], []
        for i in range(repeat):
            table = gate.release(
                path, policy=policy, ledger=Ledger(Path(tmp) / f"l{i}.sqlite"), dataset_id="b", **inputs
            ).table
            got = table.filter(
                pl.col("measure") == "clients", pl.col("care_type") == "all", pl.col("level") == "wijk"
            )
            joined = true.join(got.select("region_code", "value"), on="region_code")
            rhos.append(spearmanr(joined["true"], joined["value"].fill_null(0)).statistic)
            mae.append(float((joined["true"] - joined["value"].fill_null(0)).abs().mean()))
            # diffprivlib on the same true counts (every node, as the gate), the same projection and CBS rule
            raw = np.array([mech.randomise(int(v)) for v in all_true["true"]])
            total = max(int(raw.sum()), 0)
            cells = all_true.with_columns(
                value=pl.Series(gate._project(raw, total)), measure=pl.lit("clients"), status=pl.lit("ok")
            )
            cells = apply_cbs_rule(cells, policy.disclosure)
            other = true.join(cells.select("region_code", "value"), on="region_code")
            dp_rhos.append(spearmanr(other["true"], other["value"].fill_null(0)).statistic)
            dp_mae.append(float((other["true"] - other["value"].fill_null(0)).abs().mean()))
    print(
        f"Spearman released vs true clients, {true.height} wijken with >= 50 clients, epsilon {eps} for this "
        f"measure ({policy.privacy.epsilon_per_release} per release), {repeat} releases: gate (exact sampler) "
        f"mean {np.mean(rhos):.4f}, min {min(rhos):.4f}, MAE {np.mean(mae):.1f}; diffprivlib Geometric, same "
        f"post-processing: mean {np.mean(dp_rhos):.4f}, min {min(dp_rhos):.4f}, MAE {np.mean(dp_mae):.1f} "
        f"(target >= 0.999)",
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
    _, status, _usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"gate failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    gate, startup, _, hwm = out.split()
    return float(gate), float(startup), wall, float(hwm)


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
                f"{peak:.2f} GiB (targets <= 20 s, < 2 GB); load average {os.getloadavg()[0]:.1f} on "
                f"{os.cpu_count()} cores",
                flush=True,
            )


def main() -> None:
    """Print both benchmarks."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    neighbours(args.pairs)
    spearman(args.repeat)
    ten_million(args.rows)


if __name__ == "__main__":
    main()
