"""The toolkit's own computation reproduces the published money figures (real data)."""

from __future__ import annotations

import polars as pl
import pytest

from toolkit.finance.budget import DRIVERS, cluster_amounts, cluster_drivers, spending
from toolkit.finance.checks import published_checks

# Youth cluster 2025 (Meicirculaire 2024) per gemeente as computed independently by the
# begrotingsanalysetool (michielsd/begrotingsanalysetool, Analysedata/GF/GF_M2024_2025.csv), in euros.
INDEPENDENT_M2024 = {"GM0014": 123_247_227.44766864, "GM0392": 65_289_499.84078777, "GM0503": 37_892_465.164155446}


def _cluster(code: str, circ: str) -> float:
    c = cluster_amounts().filter(pl.col("circulaire") == circ)
    return float((c if code == "NL00" else c.filter(pl.col("gemeente_code") == code))["cluster_eur"].sum())


@pytest.mark.parametrize(("code", "circ", "published", "precision"), [
    ("NL00", "M2024", 7.65e9, 0.01e9), ("GM0518", "M2024", 245.6e6, 0.1e6),
    ("NL00", "M2023", 7.25e9, 0.01e9), ("GM0518", "M2023", 236.0e6, 0.1e6),
])
def test_youth_cluster_matches_the_published_totals(code, circ, published, precision):
    assert abs(_cluster(code, circ) - published) <= precision / 2


@pytest.mark.parametrize(("code", "expected"), INDEPENDENT_M2024.items())
def test_youth_cluster_of_three_gemeenten_to_the_euro(code, expected):
    assert _cluster(code, "M2024") == pytest.approx(expected, abs=0.5)


@pytest.mark.parametrize(("code", "published"), [("NL00", 6.26e9), ("GM0518", 190.1e6), ("GM0363", 328.1e6),
                                                 ("GM0599", 319.3e6)])
def test_iv3_youth_lasten_2023(code, published):
    s = spending().filter(pl.col("gemeente_code") == code, pl.col("year") == 2023)
    precision = 0.01e9 if code == "NL00" else 0.1e6
    assert abs(s["lasten_eur"].sum() - published) <= precision / 2
    assert s["basis"].to_list() == ["realisatie"]


def test_gemeenten_add_up_to_the_nederland_row_every_year():
    s = spending()
    for year in (2023, 2024, 2025):
        y = s.filter(pl.col("year") == year)
        nl = y.filter(pl.col("gemeente_code") == "NL00")["lasten_eur"].sum()
        assert y.filter(pl.col("gemeente_code") != "NL00")["lasten_eur"].sum() == pytest.approx(nl, rel=1e-9)


def test_four_drivers_add_up_to_the_cluster_and_address_density_lowers_it():
    d = cluster_drivers().filter(pl.col("gemeente_code") == "GM0518", pl.col("circulaire") == "M2024")
    assert set(d["driver"]) == set(DRIVERS.values())
    assert d["amount_eur"].sum() == pytest.approx(_cluster("GM0518", "M2024"))
    assert d.filter(pl.col("driver") == "adressendichtheid")["amount_eur"][0] < 0


def test_every_gemeente_has_a_cluster_for_both_years():
    c = cluster_amounts(latest_only=True)
    assert c.group_by("year").len().sort("year")["len"].to_list() == [342, 342]


def test_the_audit_lists_every_published_check_as_agreeing():
    checks = published_checks()
    assert len(checks) == 8 and all(c["agrees"] for c in checks)
