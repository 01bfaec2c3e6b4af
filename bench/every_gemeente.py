"""Run every gemeente of the embedded data one by one, in one process, and print failures and timing.

Not part of `make bench` (it takes a long time: 345 runs). The CI test tests/e2e/test_every_gemeente.py runs
`--all` and a stratified sample; this script runs them all:

    .venv/bin/python bench/every_gemeente.py [--demo-records] [--as-of YEAR] [--only GM0088,GM0096]

The national fits (expected-rate model, proxy check) and the national fairness rows learn from all Dutch wijken
and are the same for every gemeente: they are computed once per distinct input (a cache keyed by the inputs'
content), so the sweep measures what differs per gemeente. The cached fairness rows reuse the first run's
bootstrap draws, so their intervals can differ in the last digit from a fresh process; whether a gemeente
runs does not depend on that. Exit code: the number of gemeenten that failed (0: all ran).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-records", action="store_true")
    parser.add_argument("--as-of", type=int, default=None)
    parser.add_argument("--only", default="")
    opts = parser.parse_args()

    from ethics.policy import load_policy
    from toolkit.config import load_run_config
    from toolkit.panel import build_panel, load_panel
    from toolkit.pipeline import run

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from national_cache import patch_national

    patch_national(setattr)
    policy = load_policy()
    codes = opts.only.split(",") if opts.only else list(build_panel(load_panel(), None, as_of=opts.as_of).gemeenten)
    failed, times, start = [], [], time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, code in enumerate(codes, 1):
            t0 = time.perf_counter()
            try:
                config = load_run_config(None, gemeenten=(code,), as_of=opts.as_of,
                                         demo_records=opts.demo_records or None, ledger=Path(tmp) / "l.sqlite")
                run(config, policy, Path(tmp) / code)
                status = "ok"
            except Exception as exc:  # noqa: BLE001 - a sweep reports every failure and goes on
                failed.append(code)
                status = f"{type(exc).__name__} (exit {getattr(exc, 'exit_code', 1)})"
                traceback.print_exc(limit=-3)
            times.append(time.perf_counter() - t0)
            print(f"{i:4d}/{len(codes)} {code} {times[-1]:6.1f} s {status}", flush=True)
    kind = "demo records" if opts.demo_records else "no records"
    print(f"\n{len(codes) - len(failed)} of {len(codes)} gemeenten ran ({kind}, as-of {opts.as_of or 'latest'}); "
          f"failed: {failed or 'none'}")
    print(f"total {time.perf_counter() - start:.0f} s, median {sorted(times)[len(times) // 2]:.1f} s per gemeente")
    return len(failed)


if __name__ == "__main__":
    raise SystemExit(main())
