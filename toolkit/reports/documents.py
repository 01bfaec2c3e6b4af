"""The rendered documents of a run (audit.json, audit_report.html, wijkprofielen.html) for ethics.egress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from ethics.egress import Document
from toolkit.panel import Panel
from toolkit.reports.audit import to_json
from toolkit.reports.audit_report import render_audit_report
from toolkit.reports.wijkprofielen import WijkInputs, render_wijkprofielen

if TYPE_CHECKING:
    from toolkit.forecasts import ForecastResult
    from toolkit.profiles import ProfileResult

__all__ = ["build_documents", "gemeente_names", "wijk_inputs"]


def gemeente_names(panel: Panel) -> dict[str, str]:
    """Code -> name of every gemeente in scope (latest year)."""
    rows = panel.level("gemeente", panel.latest_year).filter(
        pl.col("region_code").is_in(list(panel.gemeenten)))
    names = dict(zip(rows["region_code"].to_list(), rows["region_name"].to_list(), strict=True))
    return {g: names.get(g) or g for g in panel.gemeenten}


def wijk_inputs(panel: Panel, profiles: ProfileResult, forecasts: ForecastResult) -> WijkInputs:
    """What wijkprofielen.html needs from the stages (observed clients from the CBS panel)."""
    history = (panel.level("wijk").filter(pl.col("gemeente_code").is_in(list(panel.gemeenten)),
                                          pl.col("year") <= panel.latest_year)
               .select("region_code", "year", pl.col("youth_care_clients").alias("clients")).drop_nulls())
    return WijkInputs(profiles=profiles.table, priority=profiles.priority, signals=profiles.signals,
                      forecast=_open_data_rows(forecasts.table), growth=forecasts.growth, history=history,
                      gemeenten=gemeente_names(panel), latest_year=panel.latest_year)


def _open_data_rows(table: pl.DataFrame) -> pl.DataFrame:
    """forecast.csv without the register's rows per care type (column care_type, only with records)."""
    return table.filter(pl.col("care_type").is_null()) if "care_type" in table.columns else table


def _scope_name(panel: Panel) -> str:
    names = gemeente_names(panel)
    if len(names) > 5:
        return f"{len(names)} gemeenten"
    return ", ".join(f"{name} ({code})" for code, name in names.items())


def build_documents(audit: dict[str, Any], panel: Panel, profiles: ProfileResult, forecasts: ForecastResult,
                    fairness: pl.DataFrame, lang: str) -> list[Document]:
    """audit.json plus the two self-contained HTML pages."""
    from toolkit.sources import load_provenance

    version = audit.get("versions", {}).get("wijksignaal", "")
    return [
        Document("audit.json", to_json(audit)),
        Document("audit_report.html", render_audit_report(audit, fairness, forecasts.backtest, lang,
                                                          load_provenance(), _scope_name(panel))),
        Document("wijkprofielen.html", render_wijkprofielen(wijk_inputs(panel, profiles, forecasts), lang,
                                                            generated_at=audit.get("generated_at", ""),
                                                            version=version)),
    ]
