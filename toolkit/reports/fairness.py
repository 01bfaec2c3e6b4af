"""The fairness stage of a run: gather per-wijk inputs from the other stages and call ethics.fairness.

Comparisons cover what each metric covers: the national models over all Dutch wijken (region_code of the
country), the priority list and the releases over the wijken in scope (the gemeente's code, or the country's
when several gemeenten are in scope). That area is the `region_code` of fairness.csv, so the table passes
the same egress key check as every other output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from ethics._fairness_inputs import (
    burden_inputs,
    forecast_inputs,
    grouping_values,
    model_inputs,
    selection_inputs,
)
from ethics.fairness import FAIRNESS_COLUMNS, FairnessResult, audit_fairness
from ethics.policy import Policy
from toolkit.panel import Panel

if TYPE_CHECKING:
    from ethics.gate import Releases
    from toolkit.forecasts import ForecastResult
    from toolkit.profiles import ProfileResult

__all__ = ["NATIONAL_METRICS", "fairness_audit"]

NATIONAL_METRICS = ("forecast_mae", "forecast_bias", "model_mae", "model_bias")


def _inputs(profiles: ProfileResult, forecasts: ForecastResult, releases: Releases | None
            ) -> dict[str, pl.DataFrame]:
    inputs: dict[str, pl.DataFrame] = {}
    if not forecasts.region_errors.is_empty():
        inputs |= forecast_inputs(forecasts.region_errors, model="model")
    inputs |= model_inputs(profiles.model_errors)
    candidates = profiles.table.filter(pl.col("status") == "ok").select("region_code", "youth_population")
    inputs |= selection_inputs(candidates, profiles.priority)
    if releases is not None:
        inputs |= burden_inputs(releases.table)
    return inputs


def _areas(panel: Panel) -> tuple[str, str]:
    land = panel.frame.filter(pl.col("level") == "land")["region_code"].unique().to_list()
    country = str(land[0]) if land else "NL00"
    scope = panel.gemeenten[0] if len(panel.gemeenten) == 1 else country
    return country, scope


def fairness_audit(panel: Panel, profiles: ProfileResult, forecasts: ForecastResult,
                   releases: Releases | None, policy: Policy) -> FairnessResult:
    """fairness.csv (with the compared area as region_code) and the audit section; may raise FairnessBlock."""
    values = grouping_values(panel.level("wijk"), panel.latest_year)
    country, scope = _areas(panel)
    sources = {"forecast_mae": "backtest.csv model, rolling origin, all Dutch wijken",
               "model_mae": "expected rate out of fold, all Dutch wijken",
               "selection_rate": "priority list, wijken in scope with status ok",
               "withheld_share": "releases.csv, wijk cells of the measure clients (every care type)"}
    result = audit_fairness(values, _inputs(profiles, forecasts, releases), policy.fairness,
                            {"areas": {"national": country, "scope": scope}, "sources": sources})
    area = pl.when(pl.col("metric").is_in(NATIONAL_METRICS)).then(pl.lit(country)).otherwise(pl.lit(scope))
    table = result.table.with_columns(area.alias("region_code")).select("region_code", *FAIRNESS_COLUMNS)
    return FairnessResult(table=table, audit=result.audit)
