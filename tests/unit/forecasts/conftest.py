"""Fixtures for the forecast tests: the real embedded panel, Den Haag scope (real CBS data)."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from toolkit.config import RunConfig
from toolkit.forecasts import build_forecasts
from toolkit.panel import build_panel


def profile_status(panel) -> pl.DataFrame:
    """A plain profiles frame (region_code, status) so these tests do not depend on the profile stage."""
    min_youth = 100
    return panel.scope_wijken().select(
        "region_code",
        pl.when(pl.col("youth_0_22_est").is_null() | (pl.col("youth_0_22_est") < min_youth))
        .then(pl.lit("too_small"))
        .when(pl.col("youth_care_rate_pct").is_null())
        .then(pl.lit("secret"))
        .otherwise(pl.lit("ok"))
        .alias("status"),
    )


def forecast(frame: pl.DataFrame, policy, as_of: int | None = None, **config):
    """build_forecasts for Den Haag on `frame`."""
    panel = build_panel(frame, ["GM0518"], as_of=as_of)
    cfg = dataclasses.replace(RunConfig(as_of=as_of), **config)
    return build_forecasts(panel, profile_status(panel), policy, cfg)


@pytest.fixture(scope="module")
def den_haag(panel_frame, policy):
    """The default forecast for Den Haag (scenario: bij ongewijzigd beleid)."""
    return forecast(panel_frame, policy)


@pytest.fixture(scope="session")
def run_forecast():
    """The `forecast` helper: (frame, policy, as_of=None, **RunConfig fields) -> ForecastResult."""
    return forecast
