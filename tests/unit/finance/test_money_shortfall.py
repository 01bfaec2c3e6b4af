"""Spending against the youth cluster now and ahead (real data, Den Haag forecast)."""

from __future__ import annotations

import polars as pl
import pytest

from toolkit.finance.budget import cluster_amounts
from toolkit.finance.shortfall import budget_growth, shortfall_ahead, spending_vs_budget


def test_tekort_is_spending_minus_cluster_and_2023_has_no_budget():
    comp = spending_vs_budget().filter(pl.col("gemeente_code") == "GM0518")
    rows = {r["year"]: r for r in comp.iter_rows(named=True)}
    assert rows[2023]["cluster_eur"] is None and rows[2023]["tekort_eur"] is None  # missing, never 0
    assert rows[2025]["tekort_eur"] == pytest.approx(rows[2025]["lasten_eur"] - rows[2025]["cluster_eur"])
    s2024 = cluster_amounts().filter(pl.col("gemeente_code") == "GM0518", pl.col("circulaire") == "S2024")
    assert rows[2025]["cluster_eur"] == pytest.approx(s2024["cluster_eur"][0])
    assert rows[2024]["tekort_per_youth_eur"] == pytest.approx(rows[2024]["tekort_eur"] / rows[2024]["youths"])


def test_class_median_compares_with_gemeenten_of_the_same_class():
    comp = spending_vs_budget().filter(pl.col("year") == 2025)
    peers = comp.filter(pl.col("size_class") == "250000inwonersofmeer",
                        pl.col("urbanity_class") == "Zeersterkstedelijk")
    assert peers.height == 4  # Amsterdam, Rotterdam, 's-Gravenhage, Utrecht
    assert peers["class_median_tekort_per_youth_eur"][0] == pytest.approx(peers["tekort_per_youth_eur"].median())


def test_budget_ahead_known_then_flat_or_indexed(den_haag_forecast):
    ahead = shortfall_ahead(den_haag_forecast.table, ["GM0518"])
    assert ahead["year"].min() >= 2024  # no cluster for years before 2024
    flat = ahead.filter(pl.col("budget_scenario") == "budget_flat").sort("year")
    idx = ahead.filter(pl.col("budget_scenario") == "budget_indexed").sort("year")
    later = flat.filter(pl.col("year") > 2025)
    assert later.height > 0 and later["budget_eur"].n_unique() == 1
    b25 = flat.filter(pl.col("year") == 2025)["budget_eur"][0]
    last = idx.row(-1, named=True)
    assert last["budget_eur"] == pytest.approx(b25 * (1 + budget_growth()) ** (last["year"] - 2025))
    assert 0 < budget_growth() < 0.2


def test_shortfall_interval_follows_the_forecast_interval(den_haag_forecast):
    ahead = shortfall_ahead(den_haag_forecast.table, ["GM0518"])
    assert (ahead["tekort_eur"] == ahead["cost_eur"] - ahead["budget_eur"]).all()
    assert (ahead["tekort_lower_eur"] <= ahead["tekort_eur"]).all()
    assert (ahead["tekort_eur"] <= ahead["tekort_upper_eur"]).all()


def test_forecast_euros_use_den_haags_own_price_and_name_it(den_haag_forecast):
    g = den_haag_forecast.table.filter(pl.col("level") == "gemeente")
    assert g["price_source"].str.contains("Iv3 2023").all() and g["price_source"].str.contains("Gravenhage").all()


@pytest.mark.slow
def test_euro_backtest_targets_the_iv3_budgets_and_keeps_2024_counts_out(panel_frame, policy):
    from toolkit.finance.backtest import euro_backtest, mape_table

    bt = euro_backtest(panel_frame, policy, ["GM0518", "GM0599"])
    assert set(bt["year"]) == {2024, 2025} and set(bt["gemeente_code"]) == {"GM0518", "GM0599"}
    den_haag = bt.filter(pl.col("gemeente_code") == "GM0518", pl.col("year") == 2025).row(0, named=True)
    assert den_haag["budget_eur"] == 175_106_000 and den_haag["realised_2023_eur"] == 190_094_000
    table = mape_table(bt)
    assert (table["n_gemeenten"] == 2).all() and table["mape_forecast"].is_not_null().all()
