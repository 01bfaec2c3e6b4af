"""The embedded panel is the toolkit's own deterministic build of ../shared/data, CBS quirks handled."""

from __future__ import annotations

import polars as pl
import pytest
from kwb_test_files import SHARED_DATA

from toolkit.sources import load_provenance
from toolkit.sources.bridge import SHARE_15_22_OF_15_24, bridge_check, bridge_diagnostic
from toolkit.sources.build import KWB_FILE, SALVAGED_FILE, _lost_decimal_comma, build_panel, content_hash

needs_shared = pytest.mark.skipif(not (SHARED_DATA / KWB_FILE).exists(),
                                  reason="../shared/data is not present")


@pytest.fixture(scope="module")
def rebuilt():
    return build_panel(SHARED_DATA)


@needs_shared
def test_shipped_panel_equals_a_rebuild(rebuilt, panel_frame):
    panel, provenance = rebuilt
    assert content_hash(panel) == content_hash(panel_frame)
    assert content_hash(provenance) == content_hash(load_provenance())


@needs_shared
def test_two_rebuilds_give_the_same_hash(rebuilt):
    again, _ = build_panel(SHARED_DATA)
    assert content_hash(again) == content_hash(rebuilt[0])


def test_rate_method_switches_where_the_definition_changes(panel_frame):
    regions = panel_frame.filter(pl.col("youth_care_rate_method").is_not_null(), pl.col("level") != "land")
    methods = regions.group_by("year").agg(pl.col("youth_care_rate_method").unique()).sort("year")
    assert {y: sorted(m) for y, m in methods.iter_rows()} == {
        2018: ["kwb_pct"], 2019: ["kwb_pct"], 2020: ["kwb_pct"],
        2021: ["count_bridge"], 2022: ["count_bridge"], 2024: ["kwb_pct"]}
    land = panel_frame.filter(pl.col("level") == "land")  # NL: CBS counts (2024: summed; 2021: none published)
    assert dict(land.select("year", "youth_care_rate_method").iter_rows()) == {
        2021: None, 2022: "count_bridge", 2024: "count_bridge"}


def test_2023_is_missing_and_never_filled_in(panel_frame):
    assert 2023 not in panel_frame["year"].to_list()
    assert panel_frame["year"].max() == 2024


def test_bridge_lines_up_the_two_definitions(panel_frame):
    diagnostic = bridge_diagnostic(panel_frame)
    assert diagnostic["n_wijken"] > 1000
    assert 0.85 <= diagnostic["median_ratio"] <= 1.25


def test_bridge_checked_on_2024_agrees_with_cbs_percentage(panel_frame):
    check = bridge_check(panel_frame)
    assert check["wijk"]["n"] > 2500 and check["gemeente"]["n"] > 330
    for level in ("wijk", "gemeente"):  # same region, same year: the bridge matches CBS's own percentage
        assert 0.98 <= check[level]["median_ratio"] <= 1.02
    assert check["gemeente"]["p10_ratio"] > 0.95 and check["gemeente"]["p90_ratio"] < 1.05
    assert abs(check["w"]["median"] - SHARE_15_22_OF_15_24) < 0.02  # the re-estimated share backs the 0.8


def _raw_kwb() -> pl.DataFrame:
    raw = pl.read_csv(SHARED_DATA / KWB_FILE, infer_schema=False)
    text = pl.col("p_ink_li").str.strip_chars()
    return raw.select(pl.col("gwb_code_10").str.strip_chars().alias("region_code"),
                      pl.col("year").str.strip_chars().cast(pl.Int32),
                      text.cast(pl.Float64, strict=False).alias("raw"), text.str.contains(".", literal=True)
                      .alias("has_point"))


@needs_shared
def test_2021_decimal_fix_divides_only_values_that_lost_their_comma(panel_frame):
    both = _raw_kwb().join(panel_frame.select("region_code", "year", "pct_persons_lowest40_income"),
                           on=["region_code", "year"]).drop_nulls()
    assert both.height > 3000
    assert both["has_point"].sum() >= 1  # the real file has a 2021 cell that kept its decimal point
    expected = (pl.when((pl.col("year") == 2021) & ~pl.col("has_point")).then(pl.col("raw") / 10)
                .otherwise(pl.col("raw")))
    diff = both.select((pl.col("pct_persons_lowest40_income") - expected).abs().max()).item()
    assert diff < 1e-9
    assert set(both["year"]) == {2021}  # 2022 KWB had no income figures yet
    assert both["pct_persons_lowest40_income"].min() > 10  # no share of the lowest 40% divided twice (3.93)


def test_lost_comma_rule_on_cells():
    raw = pl.DataFrame({"year": ["2021", "2021", "2021", "2022", "2021"],
                        "p_ink_li": ["393", "39.3", " 08", "39", None]})
    lost = raw.select(_lost_decimal_comma("p_ink_li").alias("lost"))["lost"].to_list()
    assert lost == [True, False, True, False, False]


@needs_shared
@pytest.mark.parametrize("flag", ["ok", "mean_imputed", "equal_to_previous_year"])
def test_only_ok_salvaged_values_are_kept(panel_frame, flag):
    raw = pl.read_csv(SHARED_DATA / SALVAGED_FILE, infer_schema_length=0)
    raw = raw.filter(pl.col("pct_youth_care__flag") == flag)
    assert raw.height > 0
    both = raw.select("region_code", pl.col("year").cast(pl.Int32),
                      pl.col("pct_youth_care").cast(pl.Float64).alias("raw")).join(
        panel_frame.select("region_code", "year", "pct_youth_care_kwb"), on=["region_code", "year"])
    if flag == "ok":
        assert (both["pct_youth_care_kwb"] == both["raw"]).all()
    else:
        assert both["pct_youth_care_kwb"].is_null().all()
