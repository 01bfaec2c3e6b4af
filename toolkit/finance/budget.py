"""What a gemeente receives (youth cluster of the Gemeentefonds) and what it spends (Iv3), per year.

Cluster amount = sum over the cluster's maatstaven of weight x volume x uitkeringsfactor (built in
`toolkit.finance.build`). Years: 2024 from the Meicirculaire 2023, 2025 from the Meicirculaire and the
Septembercirculaire 2024; where a year has two circulaires the latest (`LATEST`) is the budget of record.
Spending: Iv3 youth-care lasten, 2023 realised (jaarrekening), 2024 and 2025 budgeted (begroting).
"""

from __future__ import annotations

import polars as pl

from toolkit.finance.embedded import load

__all__ = ["DRIVERS", "LATEST", "cluster_amounts", "cluster_drivers", "spending", "access_spending",
           "youths"]

DRIVERS = {"jong": "jongeren", "lidr_w_nw": "lage_inkomens", "cf.regionaal": "centrumfunctie",
           "oadw": "adressendichtheid"}
LATEST = {2024: "M2023", 2025: "S2024"}


def cluster_drivers() -> pl.DataFrame:
    """gemeente_code, circulaire, year, driver, amount_eur: the cluster split into its four drivers."""
    c = load("cluster")
    return c.select("gemeente_code", "circulaire", "year",
                    pl.col("maatstaf").replace_strict(DRIVERS, default=pl.col("maatstaf")).alias("driver"),
                    "weight", "volume", "uitkeringsfactor", "amount_eur")


def cluster_amounts(latest_only: bool = False) -> pl.DataFrame:
    """gemeente_code, circulaire, year, cluster_eur (sum of the drivers)."""
    c = load("cluster").group_by("gemeente_code", "circulaire", "year").agg(pl.col("amount_eur").sum()
                                                                             .alias("cluster_eur"))
    if latest_only:
        c = c.filter(pl.col("circulaire") == pl.col("year").replace_strict(LATEST, default=None))
    return c.sort("gemeente_code", "year", "circulaire")


def youths() -> pl.DataFrame:
    """gemeente_code, year, youths: the cluster's own count of youths (maatstaf `jong`, latest circulaire)."""
    c = load("cluster").filter(pl.col("maatstaf") == "jong",
                               pl.col("circulaire") == pl.col("year").replace_strict(LATEST, default=None))
    return c.select("gemeente_code", "year", pl.col("volume").alias("youths"))


def spending(by_care_type: bool = False) -> pl.DataFrame:
    """gemeente_code (and NL00), year, basis, [care_type,] lasten_eur of youth care."""
    keys = ["gemeente_code", "year", "basis", *(["care_type"] if by_care_type else [])]
    iv3 = load("iv3").filter(pl.col("care_type").is_not_null())
    return iv3.group_by(keys).agg(pl.col("lasten_eur").sum()).sort(keys)


def access_spending() -> pl.DataFrame:
    """Youth teams, access and policy lasten, booked apart from youth care (never in a price)."""
    iv3 = load("iv3").filter(pl.col("access").is_not_null())
    return iv3.select("gemeente_code", "year", "basis", "taakveld", "access", "lasten_eur").sort(
        "gemeente_code", "year", "taakveld")
