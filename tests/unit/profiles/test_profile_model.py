"""The national expected-rate model: grouped validation by gemeente, no leakage, all Dutch wijken."""

from __future__ import annotations

import math

import polars as pl

from toolkit.panel import build_panel
from toolkit.profiles import build_profiles
from toolkit.profiles._catalogue import NOT_SIGNALS
from toolkit.profiles._gemeente import K_GRID
from toolkit.profiles._national import usable_features


def test_model_errors_cover_every_dutch_wijk_with_an_observed_rate(den_haag, den_haag_panel):
    latest = den_haag_panel.level("wijk", den_haag_panel.latest_year)
    n = int(latest["youth_care_rate_pct"].is_not_null().sum())
    errors = den_haag.model_errors
    assert errors.height == n > 2500
    assert errors["expected_rate_oof"].null_count() == 0
    assert errors["gemeente_code"].n_unique() > 300


def test_a_gemeente_own_rates_do_not_change_its_expected_rates(panel_frame, policy, den_haag):
    doubled = panel_frame.with_columns(
        pl.when(pl.col("gemeente_code") == "GM0518").then(pl.col("youth_care_rate_pct") * 2)
        .otherwise(pl.col("youth_care_rate_pct")).alias("youth_care_rate_pct"))
    other = build_profiles(build_panel(doubled, ["GM0518"]), policy)
    assert other.table["expected_rate"].equals(den_haag.table["expected_rate"])
    assert not other.model_errors["expected_rate_oof"].equals(den_haag.model_errors["expected_rate_oof"])


def test_validation_reports_model_and_linear_reference_out_of_sample(den_haag):
    v = den_haag.audit["model"]["validation"]
    assert "GroupKFold" in v["scheme"] and "gemeente" in v["scheme"]
    for name in ("model", "linear"):
        for rows in ("wijken_min_youth", "all_wijken"):
            s = v[name][rows]
            assert math.isfinite(s["r2"]) and s["mae"] > 0 and s["n"] > 2500
    proxy = den_haag.audit["proxy"]
    assert proxy["available"] and 0 <= proxy["proxy_strength_r2"] <= 1
    assert proxy["band"] in ("weak", "moderate", "strong")


def test_income_missing_in_2022_comes_from_the_latest_known_year(den_haag, den_haag_panel):
    # KWB 2022 has no income; KWB 2024 has no social-minimum share: both come from the latest year that has them.
    used = {f["name"]: f["years_used"] for f in den_haag.audit["model"]["features"]}
    assert "2022" not in used["income_avg_per_inhabitant_x1000eur"]
    assert not {"2022", "2024"} & set(used["pct_hh_below_or_near_social_minimum"])
    assert used["pct_hh_below_or_near_social_minimum"]["2021"] > 1000
    code = "WK051802"
    panel_2021 = den_haag_panel.level("wijk", 2021).filter(pl.col("region_code") == code)
    sig = den_haag.signals.filter(pl.col("region_code") == code,
                                  pl.col("signal") == "pct_hh_below_or_near_social_minimum")
    assert sig["value"].item() == round(panel_2021["pct_hh_below_or_near_social_minimum"].item(), 2)


def test_a_newer_year_of_one_gemeente_keeps_the_national_reference_year(panel_frame, policy, den_haag):
    rows = panel_frame.filter(pl.col("year") == 2024, pl.col("gemeente_code") == "GM0518",
                              pl.col("level").is_in(["wijk", "gemeente"]))
    newer = pl.concat([panel_frame, rows.with_columns(pl.lit(2025, dtype=rows["year"].dtype).alias("year"))])
    result = build_profiles(build_panel(newer, ["GM0518"]), policy)
    assert set(result.table["year"]) == {2025} and result.audit["reference_year"] == 2024
    assert result.table.drop("year").equals(den_haag.table.drop("year"))


def test_the_model_card_reports_both_rates_with_calibration_and_the_chosen_k(den_haag):
    model = den_haag.audit["model"]
    v = model["validation"]
    for rate in ("model", "gemeente_adjusted"):
        deciles = v[rate]["calibration_deciles"]
        assert [d["decile"] for d in deciles] == list(range(1, 11))
        assert sum(d["n"] for d in deciles) == v[rate]["wijken_min_youth"]["n"]
        assert all(abs(d["observed_minus_expected"]) < 2 for d in deciles)
    assert v["gemeente_adjusted"]["wijken_min_youth"]["r2"] > v["model"]["wijken_min_youth"]["r2"]
    level = model["gemeente_level"]
    assert level["k"] in K_GRID and len(level["k_by_fold"]) == 5
    assert set(model["rate_explanations"]) == {"expected_rate", "expected_rate_gemeente"}
    assert "Nederland" in model["rate_explanations"]["expected_rate"]["nl"]


def test_signals_with_too_many_missing_values_are_left_out_with_the_reason():
    values = pl.DataFrame({"region_code": ["A", "B", "C", "D"], "x": [1.0, 2.0, 3.0, None],
                           "y": [1.0, None, None, 4.0]})
    rows = pl.DataFrame({"region_code": ["A", "B", "C", "D"]})
    keep, left_out = usable_features(("x", "y"), values, rows)
    assert keep == ("x",)
    mine = [e for e in left_out if e["name"] == "y"]
    assert mine and mine[0]["missing_share"] == 0.5 and "missing" in mine[0]["reason"]
    assert {"name": "wmo_clients_per_1000", "reason": NOT_SIGNALS["wmo_clients_per_1000"]} in left_out
