"""Real CBS figures pinned from SOURCES.md: the embedded panel must reproduce them exactly."""

from __future__ import annotations

import polars as pl
import pytest


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
