"""Fairness audit and report pages on the real panel: time and size for one gemeente and for all of them.

Prints, for 's-Gravenhage (GM0518) and for every gemeente (--all):
- the time of the fairness audit (fairlearn MetricFrame + stratified bootstrap, policy n_boot) and its rows;
- the time to render audit_report.html and wijkprofielen.html, and their sizes in MB;
- the number of map paths drawn (one per wijk of the 2024 map, on each of the two maps);
- with Chromium (/usr/bin/chromium), the A4 page count of both pages printed to PDF, for Den Haag, Amsterdam
  and Terschelling (the audit must stay under 20 pages; the wijk cards print two per page).

Usage: .venv/bin/python bench/bench_reports.py [--skip-all]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    pages = {k: _pdf_pages(docs[k]) for k in ("audit_report.html", "wijkprofielen.html")} if gemeenten and \
        len(gemeenten) == 1 else {}
    printed = "; A4 pages " + ", ".join(f"{k} {v}" for k, v in pages.items()) if pages else ""
    print(f"{label}: fairness audit {t_fair:.2f} s ({fairness.table.height} rows, "
          f"n_boot {policy.fairness.n_boot}); render both pages {t_render:.2f} s; "
          f"audit_report.html {mb['audit_report.html']:.2f} MB, wijkprofielen.html "
          f"{mb['wijkprofielen.html']:.2f} MB, algoritmeregister.json {mb['algoritmeregister.json'] * 1000:.1f} kB; "
          f"map paths {paths}{printed}", flush=True)


def _pdf_pages(html: str) -> str:
    """Pages of `html` printed to PDF by headless Chromium ('-' without Chromium)."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        return "-"
    with tempfile.TemporaryDirectory() as tmp:
        page, pdf = Path(tmp) / "page.html", Path(tmp) / "page.pdf"
        page.write_text(html, encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp}/p",
                        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                       capture_output=True, timeout=300, check=False)
        return str(len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))) if pdf.exists() else "-"


def main() -> None:
    """Den Haag, Amsterdam, Terschelling, then (unless --skip-all) every gemeente."""
    for code, name in (("GM0518", "'s-Gravenhage"), ("GM0363", "Amsterdam"), ("GM0093", "Terschelling")):
        _bench(f"{code} {name}", [code])
    if "--skip-all" not in sys.argv:
        _bench("all gemeenten", None)


if __name__ == "__main__":
    main()
