"""Inline SVG building blocks: projection of the map, one titled path per wijk, charts, local numbers."""

from __future__ import annotations

import math
import re

import pytest

from toolkit.reports.charts import ci_bars, fan_chart
from toolkit.reports.i18n import fmt_eur, fmt_num, fmt_pct
from toolkit.reports.maps import RISK_PALETTE, Shade, choropleth, classify


def _square(lon: float, lat: float, size: float = 0.1) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _points(svg: str, code: str) -> list[tuple[float, float]]:
    d = re.search(rf'<path d="([^"]+)" data-wijk="{code}"', svg).group(1)
    return [tuple(map(float, p.split(","))) for p in re.findall(r"[\d.]+,[\d.]+", d)]


def test_projection_keeps_north_up_and_shrinks_longitude_by_cos_latitude():
    geo = {"features": [{"properties": {"wijkcode": "WK099901", "wijknaam": "SYNTHETIC"},
                         "geometry": _square(4.0, 52.0)}]}
    pts = _points(str(choropleth(geo, {}, "m", "t", "d", Shade("#eee", "-"))), "WK099901")
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    assert ys[0] > ys[2]  # the first corner (south) is drawn below the third (north)
    ratio = (max(xs) - min(xs)) / (max(ys) - min(ys))
    assert ratio == pytest.approx(math.cos(math.radians(52.05)), rel=0.02)  # a degree east is shorter


def test_every_feature_is_one_titled_link_even_a_multipolygon():
    multi = {"type": "MultiPolygon", "coordinates": [_square(4.0, 52.0)["coordinates"],
                                                      _square(4.3, 52.0)["coordinates"]]}
    geo = {"features": [{"properties": {"wijkcode": "WK099901", "wijknaam": "A"}, "geometry": multi},
                        {"properties": {"wijkcode": "WK099902", "wijknaam": "B"},
                         "geometry": _square(4.1, 52.1)}]}
    shades = {"WK099901": Shade(RISK_PALETTE[4], "90")}
    svg = str(choropleth(geo, shades, "m", "t", "d", Shade("#eee", "none")))
    assert svg.count("data-wijk=") == 2 and svg.count("<a href=") == 2 and svg.count("<title") == 3
    assert re.search(r'data-wijk="WK099901"[^>]*fill="#7f2704"', svg)
    assert re.search(r'data-wijk="WK099902"[^>]*fill="#eee"', svg) and "B (WK099902): none" in svg
    assert re.search(r'd="M[^"]+ZM[^"]+Z" data-wijk="WK099901"', svg)  # both parts in one path


@pytest.mark.parametrize(("value", "index"), [(0, 0), (19.99, 0), (20, 1), (79.99, 3), (80, 4), (100, 4)])
def test_classify_puts_a_break_value_in_the_upper_class(value, index):
    assert classify(value, (20, 40, 60, 80), RISK_PALETTE) == RISK_PALETTE[index]


def test_fan_chart_draws_history_band_and_forecast():
    forecast = [(2023, 115.0, 100.0, 130.0), (2024, 118.0, 95.0, 140.0)]
    svg = str(fan_chart([(2021, 100.0), (2022, 110.0)], forecast, "SYNTHETIC wijk", "band: 80%",
                        lambda v: f"{v:.0f}"))
    assert "<polygon" in svg and svg.count("<polyline") == 2 and svg.count("<circle") == 2
    assert "<title" in svg and "SYNTHETIC wijk" in svg
    assert all(str(y) in svg for y in range(2021, 2025))
    assert str(fan_chart([], [], "t", "d", str)) == ""


def test_ci_bars_show_each_group_with_its_value_and_the_reference():
    svg = str(ci_bars([("a", 0.5, 0.4, 0.6, "pass"), ("b", -0.2, -0.3, -0.1, "fail")], 0.1, "t", "d",
                      lambda v: f"{v:.2f}", "all"))
    assert svg.count("<rect") == 2 and "#cf222e" in svg and "all: 0.10" in svg and "-0.20" in svg


@pytest.mark.parametrize(("fn", "args", "expected"), [
    (fmt_num, (1234567.891, 2, "nl"), "1.234.567,89"),
    (fmt_num, (1234567.891, 2, "en"), "1,234,567.89"),
    (fmt_num, (None, 0, "nl"), "\u2014"),
    (fmt_num, (float("nan"), 0, "en"), "\u2014"),
    (fmt_pct, (9.45, 1, "nl"), "9,4%"),
    (fmt_eur, (2_450_000, "nl"), "\u20ac 2,5 mln"),
    (fmt_eur, (2_450_000, "en"), "\u20ac 2.5 m"),
    (fmt_eur, (12_000, "nl"), "\u20ac 12.000"),
])
def test_numbers_are_written_the_local_way(fn, args, expected):
    assert fn(*args) == expected
