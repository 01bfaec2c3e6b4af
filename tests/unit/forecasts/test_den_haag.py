"""forecast.csv for Den Haag: 5 years per publishable wijk and the gemeente, coherent, never negative."""

from __future__ import annotations

import polars as pl

from toolkit.forecasts import FORECAST_COLUMNS

VALUES = [
    "clients",
    "clients_lower",
    "clients_upper",
    "cost_eur",
    "cost_lower_eur",
    "cost_upper_eur",
    "clients_lower_95",
    "clients_upper_95",
    "cost_lower_95_eur",
    "cost_upper_95_eur",
]


def test_contract_columns_come_first(den_haag):
    assert tuple(den_haag.primary.columns[: len(FORECAST_COLUMNS)]) == FORECAST_COLUMNS


def test_five_years_for_every_publishable_wijk_and_the_gemeente(den_haag, panel_frame):
    t = den_haag.primary
    ok = t.filter(pl.col("status") == "ok")
    per_region = ok.group_by("region_code", "level").agg(pl.col("year").sort(), pl.col("horizon").sort())
    assert per_region["horizon"].to_list() == [[1, 2, 3, 4, 5]] * per_region.height
    assert set(per_region.filter(pl.col("level") == "gemeente")["region_code"]) == {"GM0518"}
    assert t.filter(pl.col("level") == "wijk")["region_code"].n_unique() == 44
    published = per_region.filter(pl.col("level") == "wijk").height
    assert published >= 35
    assert ok.select(pl.all_horizontal(pl.col(c).is_not_null() for c in VALUES).all()).item()


def test_withheld_wijken_have_empty_values_and_a_reason(den_haag):
    hidden = den_haag.primary.filter(pl.col("status") != "ok")
    assert hidden.height > 0
    assert hidden.select(pl.all_horizontal(pl.col(c).is_null() for c in VALUES).all()).item()
    secret = den_haag.primary.filter(pl.col("status") == "secret")
    assert (secret["flag"] == "history_secret").all()


def test_gemeente_point_is_exactly_the_sum_of_its_children(den_haag):
    t = den_haag.primary
    wijk = (
        t.filter(pl.col("level") == "wijk", pl.col("status") == "ok")
        .group_by("year")
        .agg(pl.col("clients").sum().alias("w"), pl.col("cost_eur").sum().alias("wc"))
    )
    gem = t.filter(pl.col("level") == "gemeente").join(wijk, on="year")
    assert (gem["clients"] == gem["w"] + gem["clients_other"]).all()
    assert (gem["cost_eur"] == gem["wc"] + gem["cost_other_eur"]).all()
    coherence = den_haag.audit["coherence"]
    assert coherence["gemeente_minus_sum_of_children_clients_max_abs"] == 0
    assert coherence["gemeente_minus_sum_of_children_eur_max_abs"] == 0


def test_not_in_a_wijk_node_is_the_gap_cbs_leaves(den_haag, panel_frame):
    node = den_haag.audit["coherence"]["not_in_wijk_node_latest_year"][0]
    gm = panel_frame.filter(pl.col("region_code") == "GM0518", pl.col("year") == 2024)[
        "youth_care_clients"
    ].item()
    assert node["gemeente_clients"] == gm == 14140
    assert 0 < node["residual"] < gm


def test_no_negative_value_and_ordered_bounds(den_haag):
    ok = den_haag.primary.filter(pl.col("status") == "ok")
    assert ok.select(pl.min_horizontal(VALUES).min()).item() >= 0
    for lo95, lo, mid, hi, hi95 in (
        ("clients_lower_95", "clients_lower", "clients", "clients_upper", "clients_upper_95"),
        ("cost_lower_95_eur", "cost_lower_eur", "cost_eur", "cost_upper_eur", "cost_upper_95_eur"),
    ):
        assert ok.select(
            (
                (pl.col(lo95) <= pl.col(lo))
                & (pl.col(lo) <= pl.col(mid))
                & (pl.col(mid) <= pl.col(hi))
                & (pl.col(hi) <= pl.col(hi95))
            ).all()
        ).item()


def test_gemeente_interval_is_not_the_sum_of_wijk_bounds(den_haag):
    t = den_haag.primary.filter(pl.col("horizon") == 1)
    g = t.filter(pl.col("level") == "gemeente").row(0, named=True)
    summed_width = (
        t.filter(pl.col("level") == "wijk", pl.col("status") == "ok")
        .select((pl.col("clients_upper") - pl.col("clients_lower")).sum())
        .item()
    )
    assert g["clients_upper"] - g["clients_lower"] < summed_width


def test_price_and_its_source_are_named(den_haag):
    t = den_haag.primary
    assert t["price_source"].str.contains("Iv3 2023").all()  # Den Haag's own cost per client (toolkit/finance)
    price = den_haag.audit["price"]
    assert price["price_year"] == 2023 and "Iv3" in price["source"]


def test_growth_and_region_errors_for_the_other_stages(den_haag):
    assert set(den_haag.growth.columns) >= {"region_code", "growth_pct"}
    assert den_haag.growth.height == 44
    errors = den_haag.region_errors
    assert set(errors.columns) >= {"region_code", "model", "horizon", "error", "abs_error"}
    assert errors.filter(pl.col("abs_error") < pl.col("error").abs() - 1e-12).is_empty()
    assert errors["region_code"].n_unique() > 2000
