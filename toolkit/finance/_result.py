"""The money stage's one result: finance.csv (long: gemeente x year x measure), the audit section, page data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from toolkit.finance.budget import access_spending, cluster_amounts, cluster_drivers, spending
from toolkit.finance.checks import published_checks
from toolkit.finance.prices import (
    STATUS_IMPLAUSIBLE,
    STATUS_MISSING,
    STATUS_OWN,
    care_type_prices,
    gemeente_prices,
    national_ratio,
)
from toolkit.finance.shortfall import LEAVES_OUT, budget_growth, shortfall_ahead, spending_vs_budget

__all__ = ["FinanceResult", "COLUMNS", "build_finance"]

COLUMNS = ("region_code", "year", "measure", "variant", "value", "lower", "upper", "unit", "source", "status")
SRC_IV3 = {2023: "CBS Iv3 2023 jaarrekening (realised)", 2024: "CBS Iv3 2024 begroting (budgeted)",
           2025: "CBS Iv3 2025 begroting (budgeted)"}
SRC_GF = "BZK Gemeentefonds {circ}: weight x volume x uitkeringsfactor (toolkit's own computation)"
SRC_TEKORT = "Iv3 youth-care lasten - youth cluster {circ} (see audit money.leaves_out)"
AUDIT_DETAIL_MAX = 25  # gemeenten in scope up to which the audit lists every row (finance.csv always does)
SRC_AHEAD = "forecast.csv gemeente euros (80% interval) - youth cluster 2025 (S2024) carried forward"


@dataclass(frozen=True)
class FinanceResult:
    """finance.csv, the audit's money section and what the controller's page shows."""

    table: pl.DataFrame
    audit: dict[str, Any]
    prices: pl.DataFrame
    type_prices: pl.DataFrame
    comparison: pl.DataFrame
    ahead: pl.DataFrame
    care_types: pl.DataFrame
    drivers: pl.DataFrame
    access: pl.DataFrame
    names: dict[str, str] = field(default_factory=dict)
    forecast_sources: dict[str, str] = field(default_factory=dict)  # gemeente -> price source the forecast used


def _rows(frame: pl.DataFrame, measure: pl.Expr | str, value: str, unit: str, source: pl.Expr | str,
          variant: pl.Expr | str = "", lower: str | None = None, upper: str | None = None) -> pl.DataFrame:
    lit = lambda v: pl.lit(v) if isinstance(v, str) else v  # noqa: E731
    return frame.select(
        pl.col("region_code"), pl.col("year").cast(pl.Int32), lit(measure).alias("measure"),
        lit(variant).alias("variant"), pl.col(value).cast(pl.Float64).round(2).alias("value"),
        (pl.col(lower) if lower else pl.lit(None)).cast(pl.Float64).round(2).alias("lower"),
        (pl.col(upper) if upper else pl.lit(None)).cast(pl.Float64).round(2).alias("upper"),
        pl.lit(unit).alias("unit"), lit(source).alias("source"), pl.lit("ok").alias("status"),
    ).filter(pl.col("value").is_not_null())


def _gem(frame: pl.DataFrame, codes: list[str], col: str = "gemeente_code") -> pl.DataFrame:
    return frame.filter(pl.col(col).is_in(codes)).rename({col: "region_code"} if col != "region_code" else {})


def _type_rows(types: pl.DataFrame, codes: list[str]) -> list[pl.DataFrame]:
    t = _gem(types, [*codes, "NL00"]).with_columns(pl.lit(2023).alias("year"))
    return [_rows(t, pl.format("cost_per_client_{}_eur", "care_type"), "price_eur", "EUR per client",
                  pl.col("source"), "estimate")]


def _price_rows(prices: pl.DataFrame, codes: list[str], national: float) -> list[pl.DataFrame]:
    p = _gem(prices, codes).with_columns(pl.lit(2023).alias("year"))
    nl = pl.DataFrame({"region_code": ["NL00"], "year": [2023], "v": [_round(national)]},
                      schema_overrides={"v": pl.Float64})
    return [
        _rows(p, "cost_per_client_eur", "price_eur", "EUR per client", pl.col("price_source"), pl.col("price_status")),
        _rows(p, "cost_per_client_own_eur", "raw_eur", "EUR per client", "CBS Iv3 2023 / CBS youths with youth care"),
        _rows(p, "cost_per_client_class_median_eur", "class_median_eur", "EUR per client",
              pl.format("median of class {}", "price_class")),
        _rows(nl, "cost_per_client_eur", "v", "EUR per client", "CBS Iv3 2023 NL youth lasten / CBS youths with youth "
              "care (national ratio)", "national"),
    ]


def _money_rows(codes: list[str]) -> list[pl.DataFrame]:
    keys = [*codes, "NL00"]
    src = pl.col("year").replace_strict(SRC_IV3, return_dtype=pl.String)
    ct = _gem(spending(by_care_type=True), keys)
    acc = _gem(access_spending(), keys)
    cl = cluster_amounts()
    nl = cl.group_by("circulaire", "year").agg(pl.col("cluster_eur").sum()).with_columns(
        pl.lit("NL00").alias("gemeente_code"))
    cl = _gem(pl.concat([cl, nl.select(cl.columns)]), keys)
    dr = _gem(cluster_drivers(), keys)
    return [
        _rows(_gem(spending(), keys), "spending_eur", "lasten_eur", "EUR", src, pl.col("basis")),
        _rows(ct, pl.format("spending_{}_eur", "care_type"), "lasten_eur", "EUR", src, pl.col("basis")),
        _rows(acc, pl.format("access_{}_eur", "access"), "lasten_eur", "EUR",
              pl.format("{} taakveld {} (booked apart, not in prices)", src, "taakveld"), pl.col("basis")),
        _rows(cl, "cluster_eur", "cluster_eur", "EUR", pl.format(SRC_GF.replace("{circ}", "{}"), "circulaire"),
              pl.col("circulaire")),
        _rows(dr, pl.format("cluster_{}_eur", "driver"), "amount_eur", "EUR",
              pl.format(SRC_GF.replace("{circ}", "{}"), "circulaire"), pl.col("circulaire")),
        _rows(dr.filter(pl.col("driver") == "jongeren"), "cluster_youths", "volume", "youths",
              pl.format("BZK Gemeentefonds {} volume of maatstaf jong", "circulaire"), pl.col("circulaire")),
    ]


def _comparison_rows(comp: pl.DataFrame, codes: list[str]) -> list[pl.DataFrame]:
    c = _gem(comp.filter(pl.col("cluster_eur").is_not_null()), codes)
    circ = pl.col("year").replace_strict({2024: "M2023", 2025: "S2024"}, default="", return_dtype=pl.String)
    src = pl.format(SRC_TEKORT.replace("{circ}", "{}"), circ)
    return [
        _rows(c, "tekort_eur", "tekort_eur", "EUR", src, pl.col("basis")),
        _rows(c, "tekort_per_youth_eur", "tekort_per_youth_eur", "EUR per youth", src, pl.col("basis")),
        _rows(c, "tekort_per_youth_class_median_eur", "class_median_tekort_per_youth_eur", "EUR per youth",
              pl.format("median of {} gemeenten of class {} / {}", "class_n", "size_class", "urbanity_class")),
    ]


def _ahead_rows(ahead: pl.DataFrame) -> list[pl.DataFrame]:
    if ahead.is_empty():
        return []
    cost = ahead.unique(["region_code", "year", "forecast_scenario"], keep="first", maintain_order=True)
    return [
        _rows(cost, "forecast_cost_eur", "cost_eur", "EUR", "forecast.csv (clients x price)",
              pl.col("forecast_scenario"), "cost_lower_eur", "cost_upper_eur"),
        _rows(ahead.unique(["region_code", "year", "budget_scenario"], keep="first", maintain_order=True),
              "budget_ahead_eur", "budget_eur", "EUR", "youth cluster 2025 (S2024) carried forward",
              pl.col("budget_scenario")),
        _rows(ahead, "shortfall_ahead_eur", "tekort_eur", "EUR", SRC_AHEAD,
              pl.format("{} | {}", "forecast_scenario", "budget_scenario"), "tekort_lower_eur", "tekort_upper_eur"),
    ]


def _ahead_summary(ahead: pl.DataFrame) -> list[dict[str, Any]]:
    """Per forecast and budget scenario and year: gemeenten with a shortfall and the total for the scope."""
    if ahead.is_empty():
        return []
    return ahead.group_by("forecast_scenario", "budget_scenario", "year").agg(
        pl.len().alias("n_gemeenten"), (pl.col("tekort_eur") > 0).sum().alias("n_with_shortfall"),
        pl.col("tekort_eur").sum().round(0).alias("tekort_total_eur"),
    ).sort("forecast_scenario", "budget_scenario", "year").to_dicts()


def _round(value: Any) -> float | None:
    """Rounded to cents; None for a missing or NaN value (missing stays missing)."""
    return None if value is None or value != value else round(float(value), 2)


def _audit(prices: pl.DataFrame, national: float, comp: pl.DataFrame, ahead: pl.DataFrame,
           codes: list[str]) -> dict[str, Any]:
    own = prices.filter(pl.col("price_status") == STATUS_OWN)
    scope = prices.filter(pl.col("gemeente_code").is_in(codes))
    detail = len(codes) <= AUDIT_DETAIL_MAX
    return {
        "sources": ["CBS Iv3 2023 jaarrekening, 2024 and 2025 begroting (taakveld 6)",
                    "BZK Gemeentefonds Meicirculaire 2023 (2024), Meicirculaire and Septembercirculaire 2024 (2025)",
                    "CBS youths with youth care in natura (panel, gemeente rows 2022 and 2024)"],
        "published_checks": published_checks(),
        "prices": {
            "note": None if own.height else "no CBS client counts of 2022 or 2024 in this panel (--as-of before "
                    "2022): no cost per client from Iv3; the forecast uses configs/prices.toml",
            "rule": "own ratio when >= 50 clients, inside the 1st-99th percentile band and within a factor 2 of "
                    "its class median; else the median of its size x urbanity class (price_status says which)",
            "national_ratio_eur": _round(national),
            "median_own_eur": _round(own["price_eur"].median()),
            "band_p01_eur": _round(prices["band_p01_eur"][0]),
            "band_p99_eur": _round(prices["band_p99_eur"][0]),
            "n_gemeenten": prices.height, "n_own": own.height,
            "n_implausible": prices.filter(pl.col("price_status") == STATUS_IMPLAUSIBLE).height,
            "n_missing": prices.filter(pl.col("price_status") == STATUS_MISSING).height,
            "in_scope": {r["gemeente_code"]: {"eur_per_client": _round(r["price_eur"]), "status": r["price_status"],
                                              "source": r["price_source"]} for r in scope.iter_rows(named=True)},
        },
        "comparison": _gem(comp, codes).select("region_code", "year", "basis", "lasten_eur", "cluster_eur",
                                               "tekort_eur", "tekort_per_youth_eur",
                                               "class_median_tekort_per_youth_eur").to_dicts() if detail else
        f"more than {AUDIT_DETAIL_MAX} gemeenten in scope: see finance.csv",
        "ahead": {"budget_indexed_growth_pct_per_year": round(budget_growth() * 100, 2),
                  "summary": _ahead_summary(ahead),
                  "rows": ahead.to_dicts() if detail else "see finance.csv (measure shortfall_ahead_eur)"},
        "leaves_out": list(LEAVES_OUT),
    }


def build_finance(panel_frame: pl.DataFrame, gemeenten: list[str], forecast: pl.DataFrame | None,
                  names: dict[str, str] | None = None) -> FinanceResult:
    """The money stage for the gemeenten in scope (prices use every gemeente of `panel_frame`)."""
    codes = list(gemeenten)
    prices = gemeente_prices(panel_frame)
    national = national_ratio(panel_frame)
    comp = spending_vs_budget()
    ahead = shortfall_ahead(forecast, codes) if forecast is not None else pl.DataFrame()
    types = care_type_prices(panel_frame)
    parts = [*_price_rows(prices, codes, national), *_type_rows(types, codes), *_money_rows(codes),
             *_comparison_rows(comp, codes), *_ahead_rows(ahead)]
    table = pl.concat(parts).sort("region_code", "measure", "year", "variant")
    care = _gem(spending(by_care_type=True), [*codes, "NL00"])
    return FinanceResult(table.select(COLUMNS), _audit(prices, national, comp, ahead, codes), prices,
                         _gem(types, [*codes, "NL00"]), comp, ahead,
                         care, _gem(cluster_drivers(), codes), _gem(access_spending(), codes), names or {},
                         _forecast_sources(forecast))


def _forecast_sources(forecast: pl.DataFrame | None) -> dict[str, str]:
    if forecast is None or "price_source" not in forecast.columns:
        return {}
    g = forecast.filter(pl.col("level") == "gemeente").unique("region_code", keep="first")
    return dict(g.select("region_code", "price_source").iter_rows())
