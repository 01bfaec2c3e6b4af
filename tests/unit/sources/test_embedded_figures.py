"""Real CBS figures pinned from SOURCES.md: the embedded panel must reproduce them exactly."""

from __future__ import annotations

import polars as pl
import pytest

from toolkit.sources import load_provenance


def _value(frame: pl.DataFrame, code: str, year: int, col: str) -> float | None:
    row = frame.filter(pl.col("region_code") == code, pl.col("year") == year)
    assert row.height == 1, f"{code} {year} must be one row"
    return row[col][0]


@pytest.mark.parametrize(("code", "year", "col", "expected"), [
    ("GM0518", 2021, "population", 548_320),
    ("GM0518", 2021, "youth_care_clients", 15_840),
    ("GM0518", 2022, "youth_care_clients", 15_985),
    ("NL00", 2022, "youth_care_clients", 461_985),
    ("NL00", 2021, "pct_persons_lowest40_income", 40.0),   # 2021 decimal-comma fix (400 -> 40.0)
    ("GM0518", 2024, "population", 566_221),               # KWB 2024 (85984NED), gemeente row
    ("GM0518", 2024, "youth_care_clients", 14_140),
    ("GM0518", 2024, "youth_care_clients_kwb", 14_140),
    ("GM0518", 2024, "pct_youth_care_kwb", 9.7),
    ("GM0518", 2024, "youth_care_rate_pct", 9.7),          # 2024: CBS's own percentage (kwb_pct)
    ("NL00", 2024, "population", 17_942_942),              # NL00 2024 = sum over the 342 gemeenten
    ("NL00", 2024, "youth_care_clients", 486_975),
])
def test_pinned_cbs_figures(panel_frame, code, year, col, expected):
    assert _value(panel_frame, code, year, col) == pytest.approx(expected)


def test_den_haag_has_44_wijken_in_both_kwb_years(panel_frame):
    for year in (2021, 2022):
        wijk = panel_frame.filter(pl.col("level") == "wijk", pl.col("gemeente_code") == "GM0518",
                                  pl.col("year") == year)
        assert sorted(wijk["region_code"]) == [f"WK0518{i:02d}" for i in range(1, 45)]


def test_codes_are_unpadded_and_unique_per_year(panel_frame):
    assert not panel_frame["region_code"].str.contains(" ").any()
    assert panel_frame.select("region_code", "year").is_duplicated().sum() == 0


def test_secret_cells_are_missing_never_zero(panel_frame):
    # WK051841 Hoornwijk: CBS withheld its 2022 youth-care count; it must be null, not 0.
    assert _value(panel_frame, "WK051841", 2022, "youth_care_clients") is None


def test_2022_lacks_income_as_published(panel_frame):
    wijk = panel_frame.filter(pl.col("level") == "wijk", pl.col("year") == 2022)
    assert wijk["income_avg_per_inhabitant_x1000eur"].is_null().all()


def test_den_haag_has_44_wijken_in_2024_with_names(panel_frame):
    wijk = panel_frame.filter(pl.col("level") == "wijk", pl.col("gemeente_code") == "GM0518", pl.col("year") == 2024)
    assert sorted(wijk["region_code"]) == [f"WK0518{i:02d}" for i in range(1, 45)]
    assert wijk["region_name"].is_not_null().all() and not wijk["region_name"].str.ends_with(" ").any()
    assert set(wijk["gemeente_name"]) == {"'s-Gravenhage"}


def test_2024_covers_all_gemeenten_and_wijken(panel_frame):
    y2024 = panel_frame.filter(pl.col("year") == 2024)
    assert y2024.filter(pl.col("level") == "gemeente").height == 342
    assert y2024.filter(pl.col("level") == "wijk").height == 3393
    gm = y2024.filter(pl.col("level") == "gemeente")
    assert gm["youth_care_clients"].sum() == 486_975
    assert y2024["region_name"].is_not_null().all()


def test_amsterdam_letter_codes_have_2024_figures(panel_frame):
    row = panel_frame.filter(pl.col("region_code") == "WK0363AF", pl.col("year") == 2024)
    assert row.height == 1
    assert row["region_name"][0] == "Nieuwmarkt/Lastage" and row["gemeente_code"][0] == "GM0363"
    assert row["population"][0] > 0 and row["youth_care_rate_method"][0] == "kwb_pct"


@pytest.mark.parametrize(("col", "years"), [
    ("wmo_clients", {2021, 2024}), ("wmo_clients_per_1000", {2021, 2024}),
    ("pop_65_plus", {2021, 2022, 2024}), ("pop_45_64", {2021, 2022, 2024}), ("pop_25_44", {2021, 2022, 2024}),
    ("hh_with_children", {2021, 2022, 2024}), ("n_bijstand", {2018, 2019, 2020, 2021, 2024}),
    ("dist_gp_km", {2021, 2024}), ("n_births", {2021, 2024}), ("urbanity_class", {2021, 2022, 2024}),
])
def test_extra_signals_have_the_years_cbs_published(panel_frame, col, years):
    wijk = panel_frame.filter(pl.col("level") == "wijk", pl.col(col).is_not_null())
    assert set(wijk["year"].unique()) == years


def test_wmo_missing_in_2022_is_null_not_zero(panel_frame):
    wijk = panel_frame.filter(pl.col("level") == "wijk", pl.col("year") == 2022)
    assert wijk["wmo_clients"].is_null().all()


def test_2021_distances_repaired_to_km(panel_frame):
    # The 2021 distances lost their decimal comma ("05" for 0.5 km): repaired to what KWB 2024 publishes.
    both = panel_frame.filter(pl.col("level") == "gemeente", pl.col("year").is_in([2021, 2024])).pivot(
        "year", index="region_code", values="dist_gp_km").drop_nulls()
    assert both.height > 300
    assert (both["2021"] / both["2024"]).median() == pytest.approx(1.0, abs=0.15)


def test_2024_migration_audit_column_is_cbs_origin_outside_europe(panel_frame):
    # CBS's successor of "niet-westers" (herkomst buiten Europa, total = born in NL + born abroad), audit only.
    assert _value(panel_frame, "GM0014", 2024, "pop_nonwestern_migration") == 43_255
    prov = load_provenance().filter(pl.col("column") == "pop_nonwestern_migration", pl.col("year") == 2024)
    assert "herkomst buiten Europa" in prov["source"].item()
