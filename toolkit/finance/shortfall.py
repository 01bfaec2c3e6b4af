"""Spending against the youth cluster, now and in the five forecast years.

Now: per gemeente and year, youth-care lasten (2023 realised, 2024 and 2025 budgeted by the gemeente itself)
against the youth cluster of that year (2024: Meicirculaire 2023; 2025: Septembercirculaire 2024). The
2023 cluster is not in the shared data, so 2023 has spending and no budget (reported as missing). Tekort =
spending - cluster (positive: the gemeente spends more than the cluster gives; negative: a surplus), also
per youth (the cluster's own count of youths, maatstaf `jong`), next to the median of its class.

Ahead: the forecast's euros per year (gemeente rows of forecast.csv, with their 80% interval) against the
cluster: the known amounts for 2024 and 2025, and after 2025 the latest amount carried forward in two
scenarios (forecast years before 2024 have no cluster in the data and are left out):
- `budget_flat`: the 2025 amount stays the same in the forecast's euros (flat in real terms when the
  forecast is in constant prices, as it is without an indexation);
- `budget_indexed`: the 2025 amount grows each year by the national youth cluster's own growth from 2024
  to 2025 (Meicirculaire 2023 -> Meicirculaire 2024), carried on.
What the comparison leaves out: the Gemeentefonds is not earmarked (a gemeente may spend its cluster on
anything, and other clusters on youth care); youth teams and access (Iv3 6.2 / 6.22) are booked apart and
are not in the spending; the forecast prices are 2023 prices (no indexation unless configured).
"""

from __future__ import annotations

import polars as pl

from toolkit.finance.budget import cluster_amounts, spending, youths

__all__ = ["BUDGET_SCENARIOS", "LEAVES_OUT", "budget_growth", "spending_vs_budget", "shortfall_ahead"]

BUDGET_SCENARIOS = ("budget_flat", "budget_indexed")
BASE_YEAR = 2025
LEAVES_OUT = (
    "The Gemeentefonds is not earmarked: the youth cluster is a measure of need, not money set aside; a "
    "gemeente may spend more or less on youth care and pays for it from the whole fund and its own income.",
    "Youth teams and access (Iv3 6.2 Wijkteams, which serve every domain, and from 2025 6.22 Toegang Jeugd) "
    "and policy (6.92) are booked apart: they are not in the spending compared here (shown separately).",
    "2024 and 2025 spending are the gemeente's own budgets (begroting), not realisations; 2023 is realised. "
    "The 2023 cluster amount is not in the data, so 2023 has no budget to compare with.",
    "Forecast euros are clients x the gemeente's 2023 cost per client, in 2023 prices unless an indexation "
    "is configured; the cluster is in euros of its own year, so with no indexation the shortfall ahead is "
    "understated by the price rise since 2023.",
)


def budget_growth() -> float:
    """Yearly growth of the national youth cluster from 2024 (M2023) to 2025 (M2024)."""
    c = cluster_amounts().group_by("circulaire", "year").agg(pl.col("cluster_eur").sum())
    total = {(circ, y): v for circ, y, v in c.iter_rows()}
    return float(total[("M2024", 2025)] / total[("M2023", 2024)] - 1)


def spending_vs_budget() -> pl.DataFrame:
    """Every gemeente: year, basis, spending, cluster, youths, tekort, tekort per youth, class median."""
    from toolkit.finance.embedded import load

    spend = spending().filter(pl.col("gemeente_code") != "NL00")
    frame = (spend.join(cluster_amounts(latest_only=True).drop("circulaire"), on=["gemeente_code", "year"],
                        how="left")
             .join(youths(), on=["gemeente_code", "year"], how="left")
             .join(load("gemeenten").select("gemeente_code", "size_class", "urbanity_class"), on="gemeente_code",
                   how="left"))
    frame = frame.with_columns((pl.col("lasten_eur") - pl.col("cluster_eur")).alias("tekort_eur")).with_columns(
        (pl.col("tekort_eur") / pl.col("youths")).alias("tekort_per_youth_eur"))
    return frame.with_columns(
        pl.col("tekort_per_youth_eur").median().over("year", "size_class", "urbanity_class")
        .alias("class_median_tekort_per_youth_eur"),
        pl.col("tekort_per_youth_eur").count().over("year", "size_class", "urbanity_class").alias("class_n"),
    ).sort("gemeente_code", "year")


def shortfall_ahead(forecast: pl.DataFrame, gemeenten: list[str]) -> pl.DataFrame:
    """Per gemeente, forecast scenario, budget scenario and year: cost, budget and tekort with 80% bounds."""
    rows = forecast.filter(pl.col("level") == "gemeente", pl.col("region_code").is_in(gemeenten),
                           pl.col("cost_eur").is_not_null())
    if "scenario" not in rows.columns:
        rows = rows.with_columns(pl.lit("").alias("scenario"))
    known = cluster_amounts(latest_only=True).select(pl.col("gemeente_code").alias("region_code"), "year",
                                                     pl.col("cluster_eur").alias("known"))
    base = known.filter(pl.col("year") == BASE_YEAR).select("region_code", pl.col("known").alias("base"))
    rows = rows.filter(pl.col("year") >= known["year"].min()).join(base, on="region_code").join(
        known, on=["region_code", "year"], how="left")
    growth = budget_growth()
    out = []
    for name in BUDGET_SCENARIOS:
        rate = growth if name == "budget_indexed" else 0.0
        ahead = pl.col("base") * (1 + rate) ** (pl.col("year") - BASE_YEAR).cast(pl.Float64)
        out.append(rows.with_columns(pl.lit(name).alias("budget_scenario"),
                                     pl.coalesce("known", ahead).alias("budget_eur")))
    frame = pl.concat(out) if out else pl.DataFrame()
    return frame.select(
        "region_code", "year", pl.col("scenario").alias("forecast_scenario"), "budget_scenario", "cost_eur",
        "cost_lower_eur", "cost_upper_eur", "budget_eur",
        (pl.col("cost_eur") - pl.col("budget_eur")).alias("tekort_eur"),
        (pl.col("cost_lower_eur") - pl.col("budget_eur")).alias("tekort_lower_eur"),
        (pl.col("cost_upper_eur") - pl.col("budget_eur")).alias("tekort_upper_eur"),
    ).sort("region_code", "forecast_scenario", "budget_scenario", "year")
