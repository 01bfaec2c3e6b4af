"""Scale: SYNTHETIC registers for every gemeente, the gate on 10 and 50 million rows, `run --all` profiled.

1. `wijksignaal run --all --demo-records` as a user types it (its exit code and first line are printed), then
   the same work the way the CLI allows it: a SYNTHETIC register for every gemeente of the latest year sent
   through the privacy gate in one process (time, peak memory, rows per second, gemeenten that fail by error
   type), and `run --gemeente X --demo-records` in fresh processes for a few gemeenten (the smallest and largest,
   and single-wijk ones).
2. The gate on SYNTHETIC registers of 10 and 50 million rows (CSV and Parquet), in fresh processes, with time,
   peak memory and rows per second; the generator and the child process are bench/bench_gate.py's.
3. `run --all` without records: wall time and peak memory (target < 30 s), and where the time goes
   (cProfile, cumulative, the stages of the pipeline).
Every figure is printed; nothing is asserted (benchmarks are not tests).
Usage: .venv/bin/python bench/bench_scale.py [--rows 10000000 50000000] [--sample 4] [--skip gate,all,profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))


def _cli(args: list[str]) -> list[str]:
    exe = Path(sys.executable).with_name("wijksignaal")
    if exe.exists():
        return [str(exe), *args]
    return [sys.executable, "-c", "import sys; from toolkit.cli import main; sys.argv[0] = 'wijksignaal'; main()",
            *args]


def _measure(args: list[str]) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak MiB (the child's own max RSS) and the first line of its error output."""
    start = time.perf_counter()
    proc = subprocess.Popen(_cli(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr.close() if proc.stderr else None
    lines = [line for line in err.splitlines() if line and not line.startswith("wijksignaal:")]
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024, (lines[0] if lines else "")


def every_gemeente(sample: int) -> None:
    """SYNTHETIC registers for every gemeente: the CLI's --all, the gate for each, and a few full runs."""
    with tempfile.TemporaryDirectory(prefix="wijksignaal-bench-") as tmp:
        code, wall, peak, first = _measure(["run", "--all", "--demo-records", "--quiet", "--out", f"{tmp}/all",
                                            "--ledger", f"{tmp}/l.sqlite"])
    print(f"run --all --demo-records: exit {code} after {wall:.1f} s ({peak:.0f} MiB){': ' + first if first else ''}",
          flush=True)

    import polars as pl

    from ethics.gate import release
    from ethics.ledger import Ledger
    from ethics.policy import load_policy
    from ethics.synthetic import generate_register, write_register
    from toolkit.panel import build_panel
    from toolkit.sources import load_panel

    policy, frame = load_policy(), load_panel()
    panel = build_panel(frame, None)
    year = panel.latest_year
    pops = frame.filter(pl.col("year") == year, pl.col("level").is_in(["wijk", "gemeente"]))
    failures: dict[str, list[str]] = {}
    rows = gate_s = 0.0
    sizes = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wijksignaal-bench-") as tmp:
        for gm in panel.gemeenten:
            wijken = panel.wijk_keys(gm)
            sizes[gm] = len(wijken)
            try:
                register = generate_register(frame, gm, year=year, seed=1)
                path = write_register(register, Path(tmp) / f"{gm}-SYNTHETIC.parquet")
                t0 = time.perf_counter()
                youth = dict(pops.filter(pl.col("gemeente_code") == gm).select("region_code", "youth_0_22_est")
                             .iter_rows())
                release(path, gemeente=gm, wijk_keys=wijken, youth_population=youth, policy=policy,
                        ledger=Ledger(Path(tmp) / "ledger.sqlite"), dataset_id=f"bench-{gm}", synthetic=True)
                gate_s += time.perf_counter() - t0
                rows += register.height
                path.unlink()
            except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
                failures.setdefault(type(exc).__name__, []).append(gm)
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = len(panel.gemeenten) - sum(len(v) for v in failures.values())
    print(f"gate on a SYNTHETIC register per gemeente ({year}): {ok} of {len(panel.gemeenten)} ran, "
          f"{rows:,.0f} rows, gate {gate_s:.1f} s ({rows / max(gate_s, 1e-9):,.0f} rows/s), {total:.1f} s with "
          f"generating, peak {peak:.0f} MiB", flush=True)
    for kind, gms in sorted(failures.items()):
        print(f"  failed with {kind}: {len(gms)} gemeente(n), e.g. {', '.join(gms[:6])}", flush=True)
    by_size = sorted(sizes, key=lambda g: (sizes[g], g))
    picks = list(dict.fromkeys([*by_size[:max(1, sample // 2)], *by_size[-max(1, sample - sample // 2):]]))
    for gm in picks:
        with tempfile.TemporaryDirectory(prefix="wijksignaal-bench-") as tmp:
            code, wall, peak, first = _measure(["run", "--gemeente", gm, "--demo-records", "--quiet", "--out",
                                                f"{tmp}/out", "--ledger", f"{tmp}/l.sqlite"])
        print(f"run --gemeente {gm} --demo-records ({sizes[gm]} wijk(en)): exit {code}, {wall:.1f} s, "
              f"{peak:.0f} MiB{': ' + first if first else ''}", flush=True)


def gate_rows(counts: list[int]) -> None:
    """The gate on SYNTHETIC registers of each size, via bench_gate's generator and child process."""
    import bench_gate

    for n in counts:
        t0 = time.perf_counter()
        try:
            bench_gate.ten_million(n)  # prints time and peak memory for CSV and Parquet
        except (SystemExit, MemoryError, OSError) as exc:
            lines = [ln.strip() for ln in str(exc).splitlines()
                     if any(w in ln.lower() for w in ("panick", "alloc", "memory", "error"))]
            why = "; ".join(lines[:3]) or str(exc)[:300]
            print(f"{n:,} rows: the gate did not finish ({type(exc).__name__}: {why})", flush=True)
        print(f"  ({n:,} rows: {time.perf_counter() - t0:.0f} s for generating, writing and both gates; rows/s "
              "= rows / the gate's seconds above)", flush=True)


def run_all_profile() -> None:
    """`run --all` without records: a fresh process (wall, memory), then in-process under cProfile."""
    with tempfile.TemporaryDirectory(prefix="wijksignaal-bench-") as tmp:
        code, wall, peak, first = _measure(["run", "--all", "--quiet", "--out", f"{tmp}/all"])
        print(f"run --all (open data): exit {code}, {wall:.1f} s wall, {peak:.0f} MiB peak (target < 30 s); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores{': ' + first if first else ''}",
              flush=True)
        from ethics.policy import load_policy
        from toolkit.config import load_run_config
        from toolkit.pipeline import run

        profile = cProfile.Profile()
        profile.enable()
        run(load_run_config(None, all_gemeenten=True), load_policy(), Path(tmp) / "profiled")
        profile.disable()
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text).sort_stats("cumulative")
    stats.print_stats(r"toolkit|ethics")
    print("where the time of run --all goes (cumulative s under cProfile, wijksignaal functions >= 1 s):")
    for line in text.getvalue().splitlines():
        parts = line.split()
        if (len(parts) >= 6 and parts[3].replace(".", "", 1).isdigit() and float(parts[3]) >= 1.0
                and "(" in parts[5]):
            print(f"  {float(parts[3]):7.1f}  {parts[5].replace(str(ROOT) + '/', '')}")


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000, 50_000_000])
    parser.add_argument("--sample", type=int, default=4, help="full runs with demo records (fresh processes)")
    parser.add_argument("--skip", default="", help="comma-separated: gemeenten,gate,all")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    if "gemeenten" not in skip:
        every_gemeente(args.sample)
    if "all" not in skip:
        run_all_profile()
    if "gate" not in skip:
        gate_rows(args.rows)


if __name__ == "__main__":
    main()
