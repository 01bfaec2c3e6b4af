"""Time and peak memory of `wijksignaal --help`, `run` for one gemeente and `run --all`.

Each command runs in a fresh process (as a user runs it); peak memory is the child's max RSS.
Usage: .venv/bin/python bench/bench_cli.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = Path(sys.executable).with_name("wijksignaal")


def _measure(args: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of one child process (its own rusage, via wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(EXE), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(args)} failed with exit {proc.returncode}:\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    """Print one line per command: median and min wall time, peak memory."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    out = Path(tempfile.mkdtemp(prefix="wijksignaal-bench-"))
    cases = {
        "wijksignaal --help": ["--help"],
        "run (GM0518, open data)": ["run", "--out", str(out / "one")],
        "run --all (open data)": ["run", "--all", "--out", str(out / "all")],
    }
    print(f"{'command':34s} {'median s':>9s} {'min s':>7s} {'peak MiB':>9s}")
    try:
        for label, args in cases.items():
            runs = [_measure(args) for _ in range(repeat if label != "run --all (open data)" else 1)]
            times = [t for t, _ in runs]
            print(f"{label:34s} {statistics.median(times):9.2f} {min(times):7.2f} {max(m for _, m in runs):9.0f}",
                  flush=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
