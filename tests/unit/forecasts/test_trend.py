"""The trend of `_trend` on a SYNTHETIC panel: one definition per step, 2-year steps per year, damping."""

from __future__ import annotations

import math

import polars as pl
import pytest

from toolkit.forecasts._trend import CANDIDATES, CONSTANT, estimate_trend, offset_expr


def _panel() -> pl.DataFrame:
    """SYNTHETIC: two wijken in one gemeente; rates +10% a year in kwb_pct years, a jump of +50% at the
    definition change 2020 -> 2021, then flat counts 2021 -> 2022 and +4% (two years) 2022 -> 2024."""
    rows = []
    for year, rate, method in ((2018, 10.0, "kwb_pct"), (2019, 11.0, "kwb_pct"), (2020, 12.1, "kwb_pct"),
                               (2021, 18.0, "count_bridge"), (2022, 18.0, "count_bridge"), (2024, 18.72, "kwb_pct")):
        for w in ("WK000101", "WK000102"):
            rows.append({"region_code": w, "level": "wijk", "gemeente_code": "GM0001", "year": year,
                         "youth_care_rate_pct": rate, "youth_care_rate_method": method,
                         "youth_care_clients": None, "youth_0_22_est": None})
        if year >= 2021:
            rows.append({"region_code": "GM0001", "level": "gemeente", "gemeente_code": "GM0001", "year": year,
                         "youth_care_rate_pct": rate, "youth_care_rate_method": method,
                         "youth_care_clients": rate * 10, "youth_0_22_est": 1000.0})
    return pl.DataFrame(rows)


def test_trend_never_spans_the_definition_change_and_halves_a_two_year_step():
    est = estimate_trend(_panel(), 2024)
    assert [(a, b) for a, b, _ in est.steps] == [(2018, 2019), (2019, 2020), (2021, 2022), (2022, 2024)]
    yearly = {(a, b): d for a, b, d in est.steps}
    assert yearly[(2018, 2019)] == pytest.approx(math.log(1.1))
    assert yearly[(2021, 2022)] == pytest.approx(0.0)
    assert yearly[(2022, 2024)] == pytest.approx(math.log(1.04) / 2)  # counts on both sides: one definition
    assert est.mu == pytest.approx((2 * math.log(1.1) + math.log(1.04)) / 5)


def test_trend_at_an_origin_reads_no_later_year():
    frame = _panel()
    early = estimate_trend(frame, 2022)
    assert early.mu == estimate_trend(frame.filter(pl.col("year") <= 2022), 2022).mu
    assert [b for _, b, _ in early.steps][-1] == 2022


def test_offsets_constant_undamped_and_damped():
    frame = pl.DataFrame({"mu": [0.02] * 3, "tau": [None, 0.06, None], "horizon": [1, 2, 5]})
    by_name = {c.name: c for c in CANDIDATES}
    out = frame.select(
        *(offset_expr(c, pl.col("mu"), pl.col("tau"), pl.col("horizon")).alias(c.name) for c in CANDIDATES)
    )
    assert out[CONSTANT.name].to_list() == [0.0, 0.0, 0.0]
    assert out["national_trend"].to_list() == pytest.approx([0.02, 0.04, 0.10])
    damped = by_name["national_trend_damped"]
    assert out["national_trend_damped"][2] == pytest.approx(0.02 * damped.steps(5))
    assert out["national_trend_damped"][2] < 0.10
    assert out["national_gemeente_trend_damped"][1] == pytest.approx(0.04 * damped.steps(2))  # 0.02 + 0.5 * 0.04
