"""run(): the stages of a wijksignaal run in order, one short function. The only write is egress.publish."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ethics import egress
from ethics.policy import Policy
from toolkit.config import RunConfig
from toolkit.finance import build_finance
from toolkit.forecasts import build_forecasts
from toolkit.forecasts._records_forecast import totals_only
from toolkit.panel import build_panel
from toolkit.profiles import build_profiles
from toolkit.progress import reporter
from toolkit.releases import gate_releases
from toolkit.reports.audit import build_audit, complete_audit
from toolkit.reports.documents import build_documents, gemeente_names
from toolkit.reports.fairness import fairness_audit
from toolkit.reports.finance_page import render_finance_page
from toolkit.sources import load_indicators

__all__ = ["RunResult", "run"]


@dataclass(frozen=True)
class RunResult:
    """What a run wrote and a short summary for the terminal."""

    out_dir: Path
    files: list[Path]
    n_wijken: int
    n_gemeenten: int


def run(config: RunConfig, policy: Policy, out_dir: Path) -> RunResult:
    """Ingest -> panel -> profiles -> forecasts -> money -> egress checks -> audit -> publish (atomic)."""
    show = reporter()
    show.stage("reading the CBS indicators")
    frame = load_indicators(config.indicators, policy)
    panel = build_panel(frame, None if config.all_gemeenten else config.gemeenten, as_of=config.as_of)
    if config.records is not None or config.demo_records:
        file = config.records
        size = f" ({file.stat().st_size / 1e6:,.0f} MB)" if file is not None and file.is_file() else ""
        show.stage(f"privacy gate: reading, protecting and releasing the register{size}")
    releases = gate_releases(config, panel, policy)  # None without records; may refuse (exit 4)
    show.stage(f"profiles of {len(panel.gemeenten)} gemeente(n)")
    profiles = build_profiles(panel, policy, releases=releases, config=config)  # ProfileResult
    show.stage("5-year forecasts and backtest")
    forecasts = build_forecasts(panel, profiles, policy, config, releases=releases)
    show.stage("money: spending, youth cluster and the shortfall ahead")
    money = build_finance(panel.frame, list(panel.gemeenten), totals_only(forecasts.table), gemeente_names(panel))
    tables = [
        egress.Table("profiles.csv", profiles.table, withheld=profiles.withheld),
        egress.Table("forecast.csv", forecasts.table, withheld=forecasts.withheld),
        egress.Table("backtest.csv", forecasts.backtest),
        egress.Table("finance.csv", money.table, withheld=("value", "lower", "upper")),
    ]
    if releases is not None:
        tables.append(egress.Table("releases.csv", releases.table, withheld=("value",), from_records=True,
                                   gate_token=releases.token))
    show.stage("fairness audit")
    fairness = fairness_audit(panel, profiles, forecasts, releases, policy)  # may refuse: FairnessBlock (4)
    tables.append(egress.Table("fairness.csv", fairness.table))
    checks = egress.check_all(tables, policy)
    sections = {"data": {"latest_year": panel.latest_year, "gemeenten_in_scope": len(panel.gemeenten)},
                "profiles": profiles.audit, "forecast": forecasts.audit, "money": money.audit}
    if releases is not None:
        sections["privacy"] = releases.audit
    show.stage("audit and report pages")
    audit = complete_audit(build_audit(config, policy, checks, sections), tables=tables, policy=policy,
                           fairness=fairness.audit, gemeente_name=", ".join(gemeente_names(panel).values()))
    documents = build_documents(audit, panel, profiles, forecasts, fairness.table, config.lang)
    documents.append(render_finance_page(money, config.lang, audit["generated_at"], audit["versions"]["wijksignaal"]))
    show.stage("egress checks and writing the outputs")
    files = egress.publish(tables, documents, policy, out_dir)
    return RunResult(out_dir=out_dir, files=files, n_wijken=profiles.table.height,
                     n_gemeenten=profiles.table["gemeente_code"].n_unique() if profiles.table.height else 0)
