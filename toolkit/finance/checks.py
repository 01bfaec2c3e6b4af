"""Published figures the toolkit's own computation must reproduce, at the precision they are stated.

Sources: the issue and SOURCES.md state the youth cluster (Netherlands and 's-Gravenhage) for 2024 and 2025
and the Iv3 2023 youth lasten (Netherlands, 's-Gravenhage, Amsterdam, Rotterdam) rounded to 0.01 billion or
0.1 million euros. Each check is written into audit.json with the computed value, so a reader sees it pass.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from toolkit.finance.budget import cluster_amounts, spending

__all__ = ["PUBLISHED", "published_checks"]

BN, MLN = 1e9, 1e6
# (what, region, year, circulaire or Iv3 basis, published value in euros, stated precision in euros)
PUBLISHED = (
    ("youth cluster", "NL00", 2025, "M2024", 7.65 * BN, 0.01 * BN),
    ("youth cluster", "GM0518", 2025, "M2024", 245.6 * MLN, 0.1 * MLN),
    ("youth cluster", "NL00", 2024, "M2023", 7.25 * BN, 0.01 * BN),
    ("youth cluster", "GM0518", 2024, "M2023", 236.0 * MLN, 0.1 * MLN),
    ("Iv3 youth lasten", "NL00", 2023, "realisatie", 6.26 * BN, 0.01 * BN),
    ("Iv3 youth lasten", "GM0518", 2023, "realisatie", 190.1 * MLN, 0.1 * MLN),
    ("Iv3 youth lasten", "GM0363", 2023, "realisatie", 328.1 * MLN, 0.1 * MLN),
    ("Iv3 youth lasten", "GM0599", 2023, "realisatie", 319.3 * MLN, 0.1 * MLN),
)


def _computed(what: str, region: str, year: int, variant: str) -> float:
    if what == "youth cluster":
        c = cluster_amounts().filter(pl.col("circulaire") == variant, pl.col("year") == year)
        c = c if region == "NL00" else c.filter(pl.col("gemeente_code") == region)
        return float(c["cluster_eur"].sum())
    s = spending().filter(pl.col("gemeente_code") == region, pl.col("year") == year)
    return float(s["lasten_eur"].sum())


def published_checks() -> list[dict[str, Any]]:
    """Each published figure, the computed one, and whether they agree at the stated precision."""
    out = []
    for what, region, year, variant, published, precision in PUBLISHED:
        value = _computed(what, region, year, variant)
        out.append({"what": what, "region_code": region, "year": year, "variant": variant,
                    "published_eur": published, "computed_eur": round(value, 2), "precision_eur": precision,
                    "agrees": abs(value - published) <= precision / 2})
    return out
