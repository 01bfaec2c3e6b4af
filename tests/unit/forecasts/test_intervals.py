"""Conformal intervals and their widening: coverage on exchangeable errors, never negative."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.forecasts._intervals import MIN_SCORES, add_intervals, calibrate, rounding_sd, widen


def _errors(n: int, horizon: int, scale: float, seed: int) -> pl.DataFrame:
    """SYNTHETIC log errors whose spread shrinks with size like sqrt(size) ** -0.5."""
    rng = np.random.default_rng(seed)
    size = rng.uniform(20, 5000, n)
    err = rng.normal(0, scale * (size / 500) ** -0.25, n)
    return pl.DataFrame({"horizon": [horizon] * n, "log_error": err, "size": size})


def test_conformal_interval_covers_new_exchangeable_errors():
    cal = calibrate(_errors(4000, 1, 0.2, seed=1))
    new = _errors(4000, 1, 0.2, seed=2).with_columns(pl.lit(0.0).alias("y_hat"))
    out = add_intervals(new, cal)
    true = pl.col("log_error").exp()
    cover80 = out.select(((pl.col("lo80") <= true) & (true <= pl.col("hi80"))).mean()).item()
    cover95 = out.select(((pl.col("lo95") <= true) & (true <= pl.col("hi95"))).mean()).item()
    assert 0.77 <= cover80 <= 0.83
    assert 0.935 <= cover95 <= 0.965
    assert 0.15 <= cal.beta <= 0.35  # the size normalisation is learned from the errors


def test_uncalibrated_horizons_borrow_the_longest_shorter_one():
    cal = calibrate(pl.concat([_errors(500, 1, 0.2, 3), _errors(500, 2, 0.3, 4)]))
    assert set(cal.quantiles) == {1, 2}
    assert cal.quantile(5, 0.8) == pytest.approx(cal.quantile(2, 0.8) * math.sqrt(5 / 2))
    assert cal.quantile(2, 0.8) > cal.quantile(1, 0.8)


def test_too_few_errors_give_no_calibration():
    assert calibrate(_errors(MIN_SCORES - 1, 1, 0.2, 5)) is None


def test_rounding_sd_is_that_of_a_uniform_rounding_error():
    assert rounding_sd(5) == pytest.approx(5 / math.sqrt(12))


@settings(deadline=None)
@given(point=st.floats(0, 1e5, allow_subnormal=False), lower=st.floats(0, 1e5, allow_subnormal=False),
       sd=st.floats(0, 1e3, allow_subnormal=False))
def test_widened_bounds_are_never_negative_and_never_narrower(point, lower, sd):
    lo = min(point, lower)
    frame = pl.DataFrame({"p": [point], "lo": [lo], "hi": [point + (point - lo)]})
    out = frame.select(
        widen(pl.col("p"), pl.col("lo"), sd, 0.8, upper=False).alias("lo"),
        widen(pl.col("p"), pl.col("hi"), sd, 0.8, upper=True).alias("hi"),
    ).row(0)
    assert out[0] >= 0
    assert out[0] <= lo + 1e-6 * max(1.0, point)
    assert out[1] >= point + (point - lo) - 1e-6 * max(1.0, point)
