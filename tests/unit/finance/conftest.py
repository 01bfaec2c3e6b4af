"""Fixtures for the money tests: the real embedded money tables and panel, a Den Haag forecast."""

from __future__ import annotations

import polars as pl
import pytest

from toolkit.config import RunConfig
from toolkit.finance import build_finance
from toolkit.forecasts import build_forecasts
from toolkit.panel import build_panel


@pytest.fixture(scope="module")
def den_haag_forecast(panel_frame, policy):
    """The default forecast for Den Haag (real CBS data), with a plain profiles frame."""
    panel = build_panel(panel_frame, ["GM0518"])
    profiles = panel.scope_wijken().select("region_code", pl.lit("ok").alias("status"))
    return build_forecasts(panel, profiles, policy, RunConfig())


@pytest.fixture(scope="module")
def den_haag_money(panel_frame, den_haag_forecast):
    """The money stage for Den Haag."""
    return build_finance(panel_frame, ["GM0518"], den_haag_forecast.table, {"GM0518": "'s-Gravenhage"})
