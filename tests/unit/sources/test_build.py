"""The embedded panel is the toolkit's own deterministic build of ../shared/data, CBS quirks handled."""

from __future__ import annotations

import polars as pl
import pytest
from kwb_test_files import SHARED_DATA

from toolkit.sources import load_provenance
from toolkit.sources.bridge import bridge_diagnostic
from toolkit.sources.build import KWB_FILE, SALVAGED_FILE, build_panel, content_hash

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
    methods = (panel_frame.filter(pl.col("youth_care_rate_method").is_not_null())
               .group_by("year").agg(pl.col("youth_care_rate_method").unique()).sort("year"))
    assert {y: sorted(m) for y, m in methods.iter_rows()} == {
        2018: ["kwb_pct"], 2019: ["kwb_pct"], 2020: ["kwb_pct"],
        2021: ["count_bridge"], 2022: ["count_bridge"]}


def test_bridge_lines_up_the_two_definitions(panel_frame):
    diagnostic = bridge_diagnostic(panel_frame)
    assert diagnostic["n_wijken"] > 1000
    assert 0.85 <= diagnostic["median_ratio"] <= 1.25


def _raw_kwb() -> pl.DataFrame:
    raw = pl.read_csv(SHARED_DATA / KWB_FILE, infer_schema=False)
    return raw.select(pl.col("gwb_code_10").str.strip_chars().alias("region_code"),
                      pl.col("year").str.strip_chars().cast(pl.Int32),
                      pl.col("p_ink_li").str.strip_chars().cast(pl.Float64, strict=False).alias("raw"))


@needs_shared
def test_2021_decimal_fix_divides_only_2021_by_ten(panel_frame):
    both = _raw_kwb().join(panel_frame.select("region_code", "year", "pct_persons_lowest40_income"),
                           on=["region_code", "year"]).drop_nulls()
    assert both.height > 3000
    expected = pl.when(pl.col("year") == 2021).then(pl.col("raw") / 10).otherwise(pl.col("raw"))
    diff = both.select((pl.col("pct_persons_lowest40_income") - expected).abs().max()).item()
    assert diff < 1e-9
    assert set(both["year"]) == {2021}  # 2022 KWB had no income figures yet


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
