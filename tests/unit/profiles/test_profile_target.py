"""The pooled training target: one definition (counts per estimated youth) over the years of the window."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from toolkit.panel import Panel
from toolkit.profiles._target import pooled_target, precision_weights


def _panel() -> Panel:
    """SYNTHETIC wijk rows: WK1 with counts in 2021, 2022 and 2024; WK2 without a count in 2022."""
    rows = {"region_code": ["WK1", "WK1", "WK1", "WK2", "WK2"], "level": ["wijk"] * 5,
            "gemeente_code": ["GM1"] * 5, "year": [2021, 2022, 2024, 2022, 2024],
            "youth_care_clients": [10.0, 20.0, 30.0, None, 15.0],
            "youth_0_22_est": [100.0, 200.0, 300.0, 150.0, 150.0],
            "youth_care_rate_pct": [10.0, 10.0, 10.0, 12.0, 10.0]}
    return Panel(frame=pl.DataFrame(rows), gemeenten=("GM1",), latest_year=2024)


def test_the_pooled_rate_sums_counts_and_youths_over_the_window_only():
    out = pooled_target(_panel(), 2024, 3).sort("region_code")
    assert out["target_rate"].to_list() == pytest.approx([(20 + 30) / (200 + 300) * 100, 10.0])
    assert out["target_years"].to_list() == [2, 1]  # 2021 lies outside 2022-2024; WK2 has no 2022 count
    assert out["target_youth"].to_list() == [500.0, 150.0]


def test_precision_weights_favour_larger_wijken_and_skip_rows_without_a_rate():
    w = precision_weights(np.array([10.0, 10.0, np.nan]), np.array([100.0, 1000.0, 500.0]), np.ones(3),
                          np.array([True, True, True]))
    assert w[1] > w[0] > 0 and np.isnan(w[2])
