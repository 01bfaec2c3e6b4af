"""Time of the input checks on hostile sizes (issue 11): they must stay linear.

- a KWB CSV whose header is 8 MB (about 800,000 column names, one duplicated): the duplicate-column check and
  the identifier check of every name (quadratic before: about 5 minutes);
- an --indicators JSON nested 100,000 deep: refused as input data (exit 3) instead of a crash;
- the identifier-name rule on 800,000 names.
Each step runs in this process and prints seconds. Usage: .venv/bin/python bench/bench_inputs.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def _timed(label: str, fn) -> None:  # noqa: ANN001
    start = time.perf_counter()
    outcome = fn()
    print(f"{label:<62} {time.perf_counter() - start:8.2f} s   {outcome}", flush=True)


def _refusal(fn) -> str:  # noqa: ANN001
    from ethics.errors import WijksignaalError

    try:
        fn()
    except WijksignaalError as exc:
        return f"exit {exc.exit_code}: {(exc.problems[0].rule if exc.problems else str(exc))[:60]}"
    return "accepted"


def main() -> None:
    from ethics.policy import load_policy
    from toolkit.sources._kwb_read import check_identifiers, read_header, read_table

    policy = load_policy()
    with tempfile.TemporaryDirectory() as tmp:
        wide = Path(tmp) / "wide.csv"
        names = [f"kolom_{i:06d}" for i in range(800_000)] + ["kolom_000001"]
        wide.write_text(";".join(["gwb_code_10", *names]) + "\nWK051801" + ";1" * len(names) + "\n")
        print(f"header of {wide.stat().st_size / 1e6:.1f} MB, {len(names) + 1} names")
        header = read_header(wide)[0]
        _timed("identifier check of every name (IdentifierPolicy.is_forbidden)",
               lambda: _refusal(lambda: check_identifiers(header, str(wide), policy)))
        _timed("read_table: duplicate-column check (8 MB header)", lambda: _refusal(lambda: read_table(wide)))
        deep = Path(tmp) / "deep.json"
        deep.write_text("[" * 100_000 + "]" * 100_000)
        _timed("read_table: JSON nested 100,000 deep", lambda: _refusal(lambda: read_table(deep)))


if __name__ == "__main__":
    main()
