"""The multi-year SYNTHETIC register: years, calibration per year, ageing, moves, returns, the SYNTHETIC label."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from ethics._synthetic_history import wijk_targets
from ethics.synthetic import generate_register, write_register
from toolkit.panel import build_panel
from toolkit.sources import load_panel

GEMEENTE = "GM0599"  # Rotterdam: many wijken, so moves between wijken happen often enough to be seen
YEARS = list(range(2018, 2026))


@pytest.fixture(scope="module")
def panel():
    return build_panel(load_panel(), [GEMEENTE]).frame


@pytest.fixture(scope="module")
def register(panel):
    return generate_register(panel, GEMEENTE, years=YEARS, seed=7, scale=0.25)


def _per_year(register: pl.DataFrame) -> pl.DataFrame:
    """One row per child and year in care (a trajectory counts in every year it runs in)."""
    end = pl.col("end_date").fill_null(date(YEARS[-1], 12, 31))
    return (
        register.with_columns(y=pl.int_ranges(pl.col("start_date").dt.year(), end.dt.year() + 1))
        .explode("y")
        .select("client_id", "birth_year", "wijk_code", "care_type", year="y")
    )


def test_the_register_spans_every_year_and_is_labelled_synthetic(register, tmp_path):
    assert register["synthetic"].all() and register["client_id"].str.starts_with("SYN-").all()
    per_year = _per_year(register)
    assert sorted(per_year["year"].unique()) == YEARS
    assert register["end_date"].is_null().any()  # children still in care at the end of the last year
    assert register.filter(pl.col("end_date").is_null())["start_date"].dt.year().max() <= YEARS[-1]
    path = write_register(register, tmp_path / "history.csv")
    assert "SYNTHETIC" in path.name


def test_children_in_care_per_wijk_follow_the_cbs_counts_of_each_year(panel, register):
    targets = wijk_targets(panel, GEMEENTE, YEARS, scale=0.25)
    counts = (
        _per_year(register).group_by("wijk_code", "year").agg(pl.col("client_id").n_unique().alias("n"))
    )
    joined = targets.join(counts, on=["wijk_code", "year"], how="left", nulls_equal=True)
    assert (joined["children"] == joined["n"].fill_null(0)).all()
    # 2022 is a CBS count year: the target is the wijk's CBS count (scaled), not a trend
    cbs = panel.filter(pl.col("year") == 2022, pl.col("level") == "wijk", pl.col("gemeente_code") == GEMEENTE,
                       pl.col("youth_care_clients") > 100).select("region_code", "youth_care_clients")
    t22 = targets.filter(pl.col("year") == 2022).join(cbs, left_on="wijk_code", right_on="region_code")
    assert t22.height > 5
    assert ((t22["children"] - t22["youth_care_clients"] * 0.25).abs() <= 1).all()


def test_children_age_move_stop_and_return(register):
    per_year = _per_year(register).unique(["client_id", "year", "wijk_code"])
    by_child = per_year.group_by("client_id").agg(
        pl.col("birth_year").n_unique().alias("births"),
        pl.col("year").n_unique().alias("years"),
        pl.col("wijk_code").n_unique().alias("wijken"),
        (pl.col("year").max() - pl.col("year").min() + 1 - pl.col("year").n_unique()).alias("gap_years"),
    )
    assert (by_child["births"] == 1).all()  # one child, one birth year: the age grows with the year
    assert (by_child["years"] >= 3).sum() > 0.05 * by_child.height  # durations of several years
    assert (by_child["wijken"] >= 2).sum() > 0  # moves between wijken
    assert (by_child["gap_years"] > 0).sum() > 0  # stopped and came back
    ages = per_year.select(age=pl.col("year") - pl.col("birth_year"))["age"]
    assert ages.min() >= 0 and ages.max() <= 22


def test_heavier_care_follows_lighter_care_within_a_year(register):
    order = {"jeugdhulp_zonder_verblijf": 0, "jeugdhulp_met_verblijf": 1, "jeugdbescherming": 2,
             "jeugdreclassering": 3}
    rows = register.with_columns(rank=pl.col("care_type").replace_strict(order), y=pl.col("start_date").dt.year())
    firsts = rows.sort("start_date").group_by("client_id", "y").agg(
        pl.col("rank").first().alias("first"), pl.col("rank").max().alias("top"), pl.len().alias("n"))
    stepped = firsts.filter(pl.col("n") >= 3, pl.col("top") > 0)
    assert stepped.height > 0
    assert (stepped["first"] == 0).mean() > 0.5  # most stepped-care children start with ambulatory care
