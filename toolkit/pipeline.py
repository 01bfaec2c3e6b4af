"""run(): the stages of a wijksignaal run in order, one short function. The only write is egress.publish."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from ethics import egress
from ethics.errors import ConfigError
from ethics.policy import Policy
from toolkit.config import RunConfig
from toolkit.domains import Domain, get_domain, published_gemeenten, require_published
from toolkit.finance import build_finance
from toolkit.forecasts import ForecastResult, build_forecasts
from toolkit.forecasts._records_forecast import totals_only
from toolkit.panel import Panel, build_panel
from toolkit.profiles import ProfileResult, build_profiles
from toolkit.progress import reporter
from toolkit.releases import gate_releases
from toolkit.reports.audit import build_audit, complete_audit
from toolkit.reports.documents import build_documents, gemeente_names
from toolkit.reports.fairness import fairness_audit
from toolkit.reports.finance_page import render_finance_page
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


MSG_ONE_REGISTER = ("--records holds the register of one care domain, but this run has several ({names}). Run "
                    "each domain with its own register (--domain jeugd --records JEUGD.csv, then --domain wmo "
                    "--records WMO.csv), or use --demo-records, which makes a SYNTHETIC register per domain.")
SHARED_AUDIT = ("generated_at", "inputs", "config", "policy", "versions")


@dataclass
class _DomainRun:
    """The stages of one care domain within a run (tables carry the domain's file-name prefix)."""

    dom: Domain
    panel: Panel
    profiles: ProfileResult
    forecasts: ForecastResult
    fairness_table: pl.DataFrame
    fairness_audit: dict[str, Any]
    tables: list[egress.Table]
    sections: dict[str, Any]
    money: Any = None  # toolkit.finance result (youth care only: the Gemeentefonds youth cluster)


def run(config: RunConfig, policy: Policy, out_dir: Path, domain: str | tuple[str, ...] = "jeugd") -> RunResult:
    """Ingest -> panel -> profiles -> forecasts -> money -> egress checks -> audit -> publish (atomic).

    `domain` (toolkit/domains.py) selects the measure; jeugd is the panel as it is. With several domains the
    first writes the usual files and every other one the same files with its name as prefix (`wmo_profiles.csv`,
    `wmo_wijkprofielen.html`, ...); audit.json is one: the first domain's sections, the others' under `domains`.
    """
    doms = [get_domain(d) for d in dict.fromkeys((domain,) if isinstance(domain, str) else domain)]
    if config.records is not None and len(doms) > 1:
        raise ConfigError(MSG_ONE_REGISTER.format(names=", ".join(d.name for d in doms)))
    show = reporter()
    show.stage("reading the CBS indicators")
    frame = load_indicators(config.indicators, policy)
    panels = [_domain_panel(dom, frame, config) for dom in doms]  # every refusal before any privacy budget
    runs = [_stages(dom, panel, frame, config, policy, "" if i == 0 else f"{dom.name}_")
            for i, (dom, panel) in enumerate(zip(doms, panels, strict=True))]
    tables = [t for r in runs for t in r.tables]
    checks = egress.check_all(tables, policy)
    names = ", ".join(gemeente_names(runs[0].panel).values())
    show.stage("audit and report pages")
    audits = [r.dom.reword_audit(complete_audit(build_audit(config, policy, checks, r.sections), tables=r.tables,
                                                policy=policy, fairness=r.fairness_audit, gemeente_name=names),
                                 names)  # jeugd: unchanged
              for r in runs]
    if len(runs) > 1:
        audits[0]["domains"] = {r.dom.name: {k: v for k, v in a.items() if k not in SHARED_AUDIT}
                                for r, a in zip(runs[1:], audits[1:], strict=True)}
    documents = []
    for i, (r, audit) in enumerate(zip(runs, audits, strict=True)):
        pages = replace(r.profiles, priority=r.dom.reword_priority(r.profiles.priority))
        with text_overlay(r.dom.page_texts()):
            docs = build_documents(audit, r.panel, pages, r.forecasts, r.fairness_table, config.lang)
        prefix = "" if i == 0 else f"{r.dom.name}_"
        documents += [replace(d, name=prefix + d.name) for d in docs if i == 0 or d.name != "audit.json"]
        if r.money is not None:
            page = render_finance_page(r.money, config.lang, audit["generated_at"], audit["versions"]["wijksignaal"])
            documents.append(replace(page, name=prefix + page.name))
    show.stage("egress checks and writing the outputs")
    files = egress.publish(tables, documents, policy, out_dir)
    first = runs[0].profiles.table
    return RunResult(out_dir=out_dir, files=files, n_wijken=first.height,
                     n_gemeenten=first["gemeente_code"].n_unique() if first.height else 0)


def _stages(dom: Domain, panel: Panel, frame: pl.DataFrame, config: RunConfig, policy: Policy,
            prefix: str) -> _DomainRun:
    show = reporter()
    if config.records is not None or config.demo_records:
        file = config.records
        size = f" ({file.stat().st_size / 1e6:,.0f} MB)" if file is not None and file.is_file() else ""
        show.stage(f"privacy gate: reading and checking the register{size}")
    releases = gate_releases(config, panel, policy, dom.name)  # None without records; may refuse (exit 4)
    label = "" if dom.is_default else f" ({dom.name})"
    show.stage(f"profiles of {len(panel.gemeenten)} gemeente(n){label}")
    profiles = build_profiles(panel, policy, releases=releases, config=config)  # ProfileResult
    show.stage(f"5-year forecasts and backtest{label}")
    if dom.age_bands:
        from toolkit.forecasts._ageing import build_ageing_forecasts, with_register
        forecasts = build_ageing_forecasts(panel, profiles, policy, dom, config.horizon_years)
        if releases is not None:  # the register's own series per provision category, beside the ageing rows
            forecasts = with_register(forecasts, releases, panel, profiles, policy, dom, config)
    else:
        forecasts = build_forecasts(panel, profiles, policy, config, releases=releases)
    tables = [
        egress.Table(prefix + "profiles.csv", dom.output_rates(profiles.table), withheld=profiles.withheld),
        egress.Table(prefix + "forecast.csv", forecasts.table, withheld=forecasts.withheld),
        egress.Table(prefix + "backtest.csv", forecasts.backtest),
    ]
    money = None
    if dom.is_default:  # the money stage is youth care's (Iv3 youth taakvelden, Gemeentefonds youth cluster)
        show.stage("money: spending, youth cluster and the shortfall ahead")
        money = build_finance(panel.frame, list(panel.gemeenten), totals_only(forecasts.table),
                              gemeente_names(panel))
        tables.append(egress.Table(prefix + "finance.csv", money.table, withheld=("value", "lower", "upper")))
    if releases is not None:
        tables.append(egress.Table(prefix + "releases.csv", releases.table, withheld=("value",),
                                   from_records=True, gate_token=releases.token))
    show.stage(f"fairness audit{label}")
    fairness = fairness_audit(panel, profiles, forecasts, releases, policy)  # may refuse: FairnessBlock (4)
    fair_table, fair_audit = dom.rename_fairness(fairness.table, fairness.audit)  # jeugd: unchanged
    tables.append(egress.Table(prefix + "fairness.csv", fair_table))
    sections = {"data": {"latest_year": panel.latest_year, "gemeenten_in_scope": len(panel.gemeenten)},
                **({} if dom.is_default else {"domain": _domain_audit(dom, frame, panel)}),
                "profiles": profiles.audit, "forecast": forecasts.audit,
                **({} if money is None else {"money": money.audit})}
    if releases is not None:
        sections["privacy"] = releases.audit
    return _DomainRun(dom, panel, profiles, forecasts, fair_table, fair_audit, tables, sections, money)


def _domain_panel(dom: Domain, frame: pl.DataFrame, config: RunConfig) -> Panel:
    """The panel of the run's domain; a Wmo scope without published Wmo figures is refused with the reason."""
    if dom.is_default:
        return build_panel(frame, None if config.all_gemeenten else config.gemeenten, as_of=config.as_of)
    if config.as_of is not None:
        raise ConfigError(f"--as-of with --domain {dom.name} is not yet supported: its only check is the fixed "
                          "2021 -> 2024 backtest in backtest.csv.")
    view = dom.view(frame)
    panel = build_panel(view, None if config.all_gemeenten else config.gemeenten, as_of=config.as_of)
    if config.all_gemeenten:
        return build_panel(view, published_gemeenten(dom, view, panel.latest_year), as_of=config.as_of)
    if config.records is None:  # with its own register a gemeente without CBS figures still gets the register's
        require_published(dom, view, panel.gemeenten, panel.latest_year)
    return panel


def _domain_audit(dom: Domain, frame: pl.DataFrame, panel: Panel) -> dict[str, Any]:
    everyone = set(frame.filter(frame["level"] == "gemeente", frame["year"] == panel.latest_year)["region_code"])
    left_out = sorted(everyone - set(published_gemeenten(dom, frame, panel.latest_year)))
    in_scope = [g for g in panel.gemeenten if g in left_out]
    return {"name": dom.name, "clients": dom.clients, "rate": dom.rate, "rate_unit": dom.rate_unit,
            "population_base": dom.population, "care_types": list(dom.care_types),
            "gemeenten_without_published_figures": left_out,
            "why": "CBS publishes these figures only for gemeenten that consented to publication",
            **({"in_scope_without_published_figures": in_scope,
                "what_stands_in": "the gemeente's own register (through the privacy gate): releases.csv and the "
                                  "register's forecast rows per provision category; the open-data profile rates and "
                                  "the ageing forecast stay empty (secret) for these gemeenten"} if in_scope else {})}
