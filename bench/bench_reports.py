"""Fairness audit and report pages on the real panel: time and size for one gemeente and for all of them.

Prints, for 's-Gravenhage (GM0518) and for every gemeente (--all):
- the time of the fairness audit (fairlearn MetricFrame + stratified bootstrap, policy n_boot) and its rows;
- the time to render audit_report.html and wijkprofielen.html, and their sizes in MB;
- the number of map paths drawn (one per wijk of the 2024 map, on each of the two maps).

Usage: .venv/bin/python bench/bench_reports.py [--skip-all]
"""

from __future__ import annotations

import sys
import time

from ethics.policy import load_policy
from toolkit.config import load_run_config
from toolkit.forecasts import build_forecasts
from toolkit.panel import build_panel
from toolkit.profiles import build_profiles
from toolkit.reports.audit import build_audit, complete_audit
from toolkit.reports.documents import build_documents, gemeente_names
from toolkit.reports.fairness import fairness_audit
from toolkit.sources import load_indicators


def _bench(label: str, gemeenten: list[str] | None) -> None:
    policy = load_policy()
    config = load_run_config(gemeenten=tuple(gemeenten or ()), all_gemeenten=gemeenten is None or None)
    panel = build_panel(load_indicators(None), gemeenten)
    profiles = build_profiles(panel, policy)
    forecasts = build_forecasts(panel, profiles, policy, config)
    start = time.perf_counter()
    fairness = fairness_audit(panel, profiles, forecasts, None, policy)
    t_fair = time.perf_counter() - start
    audit = complete_audit(build_audit(config, policy, [], {"forecast": forecasts.audit}), tables=[],
                           policy=policy, fairness=fairness.audit,
                           gemeente_name=", ".join(gemeente_names(panel).values()))
    start = time.perf_counter()
    docs = {d.name: d.text for d in build_documents(audit, panel, profiles, forecasts, fairness.table, "nl")}
    t_render = time.perf_counter() - start
    mb = {k: len(v.encode()) / 1e6 for k, v in docs.items()}
    paths = docs["wijkprofielen.html"].count("data-wijk=")
    print(f"{label}: fairness audit {t_fair:.2f} s ({fairness.table.height} rows, "
          f"n_boot {policy.fairness.n_boot}); render both pages {t_render:.2f} s; "
          f"audit_report.html {mb['audit_report.html']:.2f} MB, wijkprofielen.html "
          f"{mb['wijkprofielen.html']:.2f} MB; map paths {paths}", flush=True)


def main() -> None:
    """Den Haag, then (unless --skip-all) every gemeente."""
    _bench("GM0518 's-Gravenhage", ["GM0518"])
    if "--skip-all" not in sys.argv:
        _bench("all gemeenten", None)


if __name__ == "__main__":
    main()
