"""Forecasts per care type from the register's released series, and the euros' price (volume x price)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from ethics.policy import load_policy
from toolkit.forecasts._costs import load_prices
from toolkit.forecasts._records_forecast import CARE_TYPES_ALL, records_forecast

YEARS = list(range(2018, 2026))
GROWTH = {"WK999901": 0.08, "WK999902": 0.0, "WK999903": -0.08}  # yearly growth of each wijk's children
SHARES = {"jeugdhulp_zonder_verblijf": 0.9, "jeugdhulp_met_verblijf": 0.08, "jeugdbescherming": 0.07,
          "jeugdreclassering": 0.03}


def _releases(price_acc: dict[str, int], seed: int = 1) -> SimpleNamespace:
    """A releases table as the gate writes it: clients per wijk, gemeente, year and care type with noise of
    known size, and the gemeente's cost per client per care type with the given accuracy_95."""
    rng = np.random.default_rng(seed)
    rows = []
    for y in YEARS:
        gem = dict.fromkeys(CARE_TYPES_ALL, 0)
        for code, g in GROWTH.items():
            n = 400 * (1 + g) ** (y - YEARS[0])
            for care in CARE_TYPES_ALL:
                value = int(round(n * SHARES.get(care, 1.0) + rng.normal(0, 3)))
                gem[care] += value
                rows.append((code, "wijk", y, care, "clients", value, 12))
        rows += [("GM9999", "gemeente", y, care, "clients", v, 8) for care, v in gem.items()]
        rows += [("GM9999", "gemeente", y, care, "cost_per_client_eur", 9000, price_acc.get(care, 100))
                 for care in CARE_TYPES_ALL]
    table = pl.DataFrame(rows, schema=["region_code", "level", "year", "care_type", "measure", "value", "accuracy_95"],
                         orient="row").with_columns(status=pl.lit("ok"), provider=pl.lit(None, pl.String),
                                                    year=pl.col("year").cast(pl.Int32))
    return SimpleNamespace(table=table)


@pytest.fixture(scope="module")
def forecast():
    return records_forecast(_releases({"jeugdbescherming": 9000}), load_policy(), load_prices(), 0.0, 5)


def test_forecasts_per_care_type_start_the_year_after_the_register(forecast):
    rows, audit = forecast
    assert rows["year"].min() == 2026 and rows["year"].max() == 2030
    gem = rows.filter(pl.col("level") == "gemeente")
    assert set(gem["care_type"]) == set(CARE_TYPES_ALL)
    assert audit["first_forecast_year"] == 2026
    ok = rows.filter(pl.col("status") == "ok")
    assert (ok["clients_lower"] <= ok["clients"]).all() and (ok["clients"] <= ok["clients_upper"]).all()
    assert (ok["clients_lower_95"] <= ok["clients_lower"]).all()


def test_wijken_are_ranked_by_forecast_growth_with_an_interval(forecast):
    _, audit = forecast
    ranking = audit["ranking_by_growth"]["by_care_type"]["jeugdhulp_zonder_verblijf"]
    assert [r["region_code"] for r in ranking] == ["WK999901", "WK999902", "WK999903"]
    top = ranking[0]
    assert top["growth_lower_pct"] < top["growth_pct"] < top["growth_upper_pct"] and top["growth_pct"] > 0


def test_a_noisy_released_price_falls_back_to_the_public_price(forecast):
    rows, audit = forecast
    public = load_prices().by_care_type["all_care_types"].eur_per_client_year
    prices = audit["prices"]
    # rel sd 0.51 a year, 0.29 over 3 years: the public price per child of all care types, shared over the
    # 1.08 care types a child has here (SHARES), since a child in two care types is one child of the public price
    assert prices["jeugdbescherming"]["eur_per_client_year"] == pytest.approx(public / 1.08, rel=0.01)
    assert "care types per client" in prices["jeugdbescherming"]["price_source"]
    assert "price_fallback" in prices["jeugdbescherming"]["flag"]
    assert prices["jeugdhulp_zonder_verblijf"]["eur_per_client_year"] == 9000 and not prices[
        "jeugdhulp_zonder_verblijf"]["flag"]
    fell = rows.filter(pl.col("care_type") == "jeugdbescherming", pl.col("level") == "gemeente")
    assert fell["price_source"].str.starts_with("public price").all()
    gem_all = rows.filter(pl.col("care_type") == "all", pl.col("level") == "gemeente", pl.col("horizon") == 1)
    per_type = rows.filter(pl.col("care_type") != "all", pl.col("level") == "gemeente", pl.col("horizon") == 1)
    # the level of "all" is the released cost per client of all care types (9000 here), not the sum over care
    # types of which one is on the public fallback price (that would move every region's euros)
    assert gem_all["cost_eur"][0] == pytest.approx(gem_all["clients"][0] * 9000, rel=0.01)
    assert gem_all["cost_eur"][0] != pytest.approx(per_type["cost_eur"].sum(), rel=0.02)
    assert gem_all["price_source"][0].endswith("released cost per client of all care types")
    assert fell["flag"].str.contains("price_fallback").all()
    kept = rows.filter(pl.col("care_type") == "jeugdhulp_zonder_verblijf", pl.col("level") == "gemeente",
                       pl.col("horizon") == 1)
    assert kept["cost_eur"][0] == pytest.approx(kept["clients"][0] * 9000, rel=1e-3)


def test_the_price_limit_comes_from_the_policy():
    strict = SimpleNamespace(privacy=SimpleNamespace(max_price_relative_sd=0.001))
    _, audit = records_forecast(_releases({}), strict, load_prices(), 0.0, 2)
    assert all(p["flag"] for p in audit["prices"].values())  # 100 / 1.96 / 9000 = 0.006 > 0.001
    assert load_policy().privacy.max_price_relative_sd == 0.1


def test_a_register_of_one_year_gives_no_forecast_per_care_type_and_says_why():
    one = _releases({})
    one.table = one.table.filter(pl.col("year") == 2022)
    rows, audit = records_forecast(one, load_policy(), load_prices(), 0.0, 5)
    assert rows.height == 4 * len(CARE_TYPES_ALL) * 5 and (rows["status"] == "secret").all()
    assert rows["clients"].is_null().all() and rows["flag"].str.starts_with("records_history_short").all()
    assert rows["year"].min() == 2023 and audit["ranking_by_growth"]["by_care_type"]["all"] == []
