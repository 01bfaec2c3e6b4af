"""The rendered documents of a run (audit.json, algoritmeregister.json, audit_report.html, wijkprofielen.html)
for ethics.egress."""

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
    """Code -> name of every gemeente in scope (the latest year that names it; a newer file may lack names)."""
    rows = (panel.frame.filter(pl.col("level") == "gemeente", pl.col("region_code").is_in(list(panel.gemeenten)),
                               pl.col("year") <= panel.latest_year, pl.col("region_name").is_not_null(),
                               pl.col("region_name") != pl.col("region_code"))
            .sort("year").group_by("region_code").agg(pl.col("region_name").last()))
    names = dict(zip(rows["region_code"].to_list(), rows["region_name"].to_list(), strict=True))
    return {g: names.get(g) or g for g in panel.gemeenten}


def _context(panel: Panel) -> pl.DataFrame:
    """Latest known value of every profile signal for each gemeente in scope and for the Netherlands."""
    from toolkit.profiles._catalogue import SIGNALS

    rows = panel.frame.filter(pl.col("level").is_in(["gemeente", "land"]), pl.col("year") <= panel.latest_year,
                              (pl.col("level") == "land") | pl.col("region_code").is_in(list(panel.gemeenten)))
    per_year = rows.select("region_code", "level", "year", *[s.expr() for s in SIGNALS])
    latest = per_year.sort("year").group_by("region_code", "level").agg(
        *[pl.col(s.name).drop_nulls().last() for s in SIGNALS])
    return latest.unpivot(index=["region_code", "level"], variable_name="signal", value_name="value")


def wijk_inputs(panel: Panel, profiles: ProfileResult, forecasts: ForecastResult,
                synthetic: bool = False, ranking: dict[str, Any] | None = None) -> WijkInputs:
    """What wijkprofielen.html needs from the stages: observed clients and rates from the CBS panel for every
    year it holds (wijk, gemeente and the Netherlands), the signals of gemeente and country for comparison,
    and a wijk's name from an earlier year when the latest file has none."""
    in_scope = pl.col("gemeente_code").is_in(list(panel.gemeenten)) | (pl.col("level") == "land")
    history = (panel.frame.filter(pl.col("level").is_in(["wijk", "gemeente", "land"]), in_scope,
                                  pl.col("year") <= panel.latest_year)
               .select("region_code", "level", "year", pl.col("youth_care_clients").alias("clients"),
                       pl.col("youth_care_rate_pct").alias("rate")))
    named = (panel.level("wijk").filter(pl.col("year") <= panel.latest_year, pl.col("region_name").is_not_null(),
                                        pl.col("region_name") != pl.col("region_code"))
             .sort("year").group_by("region_code").agg(pl.col("region_name").last().alias("_name")))
    table = profiles.table.join(named, on="region_code", how="left").with_columns(
        pl.when(pl.col("region_name").is_null() | (pl.col("region_name") == pl.col("region_code")))
        .then(pl.col("_name")).otherwise(pl.col("region_name")).alias("region_name")).drop("_name")
    return WijkInputs(profiles=table, priority=profiles.priority, signals=profiles.signals,
                      forecast=_open_data_rows(forecasts.table), growth=forecasts.growth, history=history,
                      gemeenten=gemeente_names(panel), latest_year=panel.latest_year,
                      context=_context(panel), synthetic=synthetic, ranking=ranking or {})


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
    from toolkit.reports import register_export
    from toolkit.sources import load_provenance

    version = audit.get("versions", {}).get("wijksignaal", "")
    synthetic = bool((audit.get("privacy") or {}).get("synthetic"))
    ranking = ((audit.get("forecast") or {}).get("records") or {}).get("ranking_by_growth") or {}
    return [
        Document("audit.json", to_json(audit)),
        Document("algoritmeregister.json", register_export.to_json(audit["register"])),
        Document("audit_report.html", render_audit_report(audit, fairness, forecasts.backtest, lang,
                                                          load_provenance(), _scope_name(panel))),
        Document("wijkprofielen.html", render_wijkprofielen(wijk_inputs(panel, profiles, forecasts, synthetic, ranking),
                                                            lang,
                                                            generated_at=audit.get("generated_at", ""),
                                                            version=version)),
    ]
