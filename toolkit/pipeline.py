"""run(): the stages of a wijksignaal run in order, one short function. The only write is egress.publish."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ethics import egress
from ethics.errors import ConfigError
from ethics.policy import Policy
from toolkit.config import RunConfig
from toolkit.domains import Domain, get_domain, published_gemeenten, require_published
from toolkit.forecasts import build_forecasts
from toolkit.panel import build_panel
from toolkit.profiles import build_profiles
from toolkit.releases import gate_releases
from toolkit.reports.audit import build_audit, complete_audit
from toolkit.reports.documents import build_documents, gemeente_names
from toolkit.reports.fairness import fairness_audit
from toolkit.reports.i18n import text_overlay
from toolkit.sources import load_indicators

__all__ = ["RunResult", "run"]


@dataclass(frozen=True)
class RunResult:
    """What a run wrote and a short summary for the terminal."""

    out_dir: Path
    files: list[Path]
    n_wijken: int
    n_gemeenten: int


def run(config: RunConfig, policy: Policy, out_dir: Path, domain: str = "jeugd") -> RunResult:
    """Ingest -> panel -> profiles -> forecasts -> egress checks -> audit -> publish (atomic).

    `domain` (toolkit/domains.py) selects the measure; jeugd is the panel as it is."""
    dom = get_domain(domain)
    frame = load_indicators(config.indicators, policy)
    panel = _domain_panel(dom, frame, config)
    releases = gate_releases(config, panel, policy)  # None without records; may refuse (exit 4)
    profiles = build_profiles(panel, policy, releases=releases, config=config)  # ProfileResult
    if dom.age_bands:
        from toolkit.forecasts._ageing import build_ageing_forecasts
        forecasts = build_ageing_forecasts(panel, profiles, policy, dom, config.horizon_years)
    else:
        forecasts = build_forecasts(panel, profiles, policy, config, releases=releases)
    tables = [
        egress.Table("profiles.csv", dom.output_rates(profiles.table), withheld=profiles.withheld),
        egress.Table("forecast.csv", forecasts.table, withheld=forecasts.withheld),
        egress.Table("backtest.csv", forecasts.backtest),
    ]
    if releases is not None:
        tables.append(egress.Table("releases.csv", releases.table, withheld=("value",), from_records=True,
                                   gate_token=releases.token))
    fairness = fairness_audit(panel, profiles, forecasts, releases, policy)  # may refuse: FairnessBlock (4)
    tables.append(egress.Table("fairness.csv", fairness.table))
    checks = egress.check_all(tables, policy)
    sections = {"data": {"latest_year": panel.latest_year, "gemeenten_in_scope": len(panel.gemeenten)},
                **({} if dom.is_default else {"domain": _domain_audit(dom, frame, panel)}),
                "profiles": profiles.audit, "forecast": forecasts.audit}
    if releases is not None:
        sections["privacy"] = releases.audit
    names = ", ".join(gemeente_names(panel).values())
    audit = complete_audit(build_audit(config, policy, checks, sections), tables=tables, policy=policy,
                           fairness=fairness.audit, gemeente_name=names)
    audit = dom.reword_audit(audit, names)  # jeugd: unchanged
    pages = replace(profiles, priority=dom.reword_priority(profiles.priority))
    with text_overlay(dom.page_texts()):
        documents = build_documents(audit, panel, pages, forecasts, fairness.table, config.lang)
    files = egress.publish(tables, documents, policy, out_dir)
    return RunResult(out_dir=out_dir, files=files, n_wijken=profiles.table.height,
                     n_gemeenten=profiles.table["gemeente_code"].n_unique() if profiles.table.height else 0)


def _domain_panel(dom: Domain, frame, config: RunConfig):  # type: ignore[no-untyped-def]
    """The panel of the run's domain; a Wmo scope without published Wmo figures is refused with the reason."""
    if dom.is_default:
        return build_panel(frame, None if config.all_gemeenten else config.gemeenten, as_of=config.as_of)
    if config.records is not None or config.demo_records:
        raise ConfigError(f"--domain {dom.name} with records is not yet supported: the {dom.name} record layout "
                          "and its own privacy budget are not built. Run --domain wmo on the open data alone.")
    if config.as_of is not None:
        raise ConfigError(f"--as-of with --domain {dom.name} is not yet supported: its only check is the fixed "
                          "2021 -> 2024 backtest in backtest.csv.")
    view = dom.view(frame)
    panel = build_panel(view, None if config.all_gemeenten else config.gemeenten, as_of=config.as_of)
    if config.all_gemeenten:
        return build_panel(view, published_gemeenten(dom, view, panel.latest_year), as_of=config.as_of)
    require_published(dom, view, panel.gemeenten, panel.latest_year)
    return panel


def _domain_audit(dom: Domain, frame, panel) -> dict:  # type: ignore[no-untyped-def]
    everyone = set(frame.filter(frame["level"] == "gemeente", frame["year"] == panel.latest_year)["region_code"])
    left_out = sorted(everyone - set(published_gemeenten(dom, frame, panel.latest_year)))
    return {"name": dom.name, "clients": dom.clients, "rate": dom.rate, "rate_unit": dom.rate_unit,
            "population_base": dom.population, "care_types": list(dom.care_types),
            "gemeenten_without_published_figures": left_out,
            "why": "CBS publishes these figures only for gemeenten that consented to publication"}
