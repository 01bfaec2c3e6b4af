"""The gemeente-adjusted expected rate: leave-wijk-out, shrunk toward zero, and never fed by the wijk itself."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.panel import build_panel
from toolkit.profiles import build_profiles
from toolkit.profiles._gemeente import effects_for, leave_one_out, shrink

CODE = "WK051802"


@pytest.fixture(scope="module")
def one_rate_changed(panel_frame, policy, den_haag_panel):
    """Den Haag profiles after WK051802's observed rate of the latest year is raised by 10 points."""
    latest = den_haag_panel.latest_year
    changed = panel_frame.with_columns(
        pl.when((pl.col("region_code") == CODE) & (pl.col("year") == latest))
        .then(pl.col("youth_care_rate_pct") + 10).otherwise(pl.col("youth_care_rate_pct"))
        .alias("youth_care_rate_pct"))
    return build_profiles(build_panel(changed, ["GM0518"]), policy)


def test_a_wijk_own_rate_never_moves_its_own_expected_rates_but_moves_its_neighbours(den_haag, one_rate_changed):
    before, after = den_haag.table, one_rate_changed.table
    own = (pl.col("region_code") == CODE) & (pl.col("status") == "ok")
    assert before.filter(own).height == 1
    for col in ("expected_rate", "expected_rate_gemeente", "gemeente_level"):
        assert after.filter(own)[col].item() == before.filter(own)[col].item()
    assert after.filter(own)["observed_rate"].item() == pytest.approx(before.filter(own)["observed_rate"].item() + 10)
    others = (pl.col("region_code") != CODE) & (pl.col("status") == "ok")
    moved = after.filter(others)["expected_rate_gemeente"] - before.filter(others)["expected_rate_gemeente"]
    assert (moved > 0).sum() >= 10  # its neighbours now see a higher gemeente level
    assert after.filter(others)["expected_rate"].equals(before.filter(others)["expected_rate"])


def test_the_table_carries_both_rates_and_both_excesses(den_haag):
    ok = den_haag.table.filter(pl.col("status") == "ok")
    excess = ok["observed_rate"] - ok["expected_rate_gemeente"]
    assert (excess - ok["excess_rate_gemeente"]).abs().max() <= 0.011
    level = ok["expected_rate_gemeente"] - ok["expected_rate"]
    assert (level - ok["gemeente_level"]).abs().max() <= 0.011
    assert (ok["gemeente_level"] != 0).all()  # Den Haag has its own level (small: +0.1 to +0.2 points)
    assert (ok["gemeente_level_wijken"] >= ok.height - 1).all()  # from the other wijken of Den Haag


def test_a_one_wijk_gemeente_gets_no_level_and_more_wijken_shrink_less():
    residual = np.array([3.0, 2.0, 4.0, 6.0, 5.0])
    group = np.array([0, 1, 1, 2, 2])
    eff = leave_one_out(residual, np.ones(5), group, k=2.0)
    assert eff[0] == 0.0  # alone in its gemeente: no other wijk, no level, adjusted rate = norm
    assert eff[1] == pytest.approx(1 / 3 * 4.0) and eff[2] == pytest.approx(1 / 3 * 2.0)
    assert shrink(np.array([0, 1, 4, 100]), 2.0).tolist() == pytest.approx([0.0, 1 / 3, 2 / 3, 100 / 102])


def test_scope_rows_leave_out_their_own_code_and_only_their_own():
    codes = np.array(["WK1", "WK2", "WK3"])
    gem = np.array(["GM1", "GM1", "GM2"])
    level, n = effects_for(np.array([2.0, 4.0, 9.0]), np.array([1.0, 3.0, 1.0]), codes, gem,
                           np.array(["WK1", "WK9", "WK3"]), np.array(["GM1", "GM1", "GM2"]), 0.0)
    assert level.tolist() == [4.0, pytest.approx((2 + 12) / 4), 0.0]
    assert n.tolist() == [1.0, 2.0, 0.0]


@settings(deadline=None, max_examples=50)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(-20, 20), st.floats(1, 500)), min_size=1, max_size=30),
       st.sampled_from([0.0, 1.0, 5.0]), st.integers(0, 29), st.floats(-50, 50))
def test_changing_one_wijk_residual_never_changes_its_own_level(rows, k, pick, delta):
    group = np.array([r[0] for r in rows])
    residual = np.array([r[1] for r in rows])
    weight = np.array([r[2] for r in rows])
    i = pick % len(rows)
    changed = residual.copy()
    changed[i] += delta
    before, after = leave_one_out(residual, weight, group, k), leave_one_out(changed, weight, group, k)
    assert after[i] == pytest.approx(before[i], abs=1e-9)
    assert np.all(np.abs(before) <= np.abs(residual).max() + 1e-9)  # shrunk mean: never beyond the residuals


def test_the_published_adjusted_rate_is_the_validated_leave_wijk_out_rate(den_haag):
    ok = den_haag.table.filter(pl.col("status") == "ok").join(
        den_haag.model_errors.select("region_code", "expected_rate_gemeente_oof"), on="region_code")
    assert ok.height > 30
    np.testing.assert_allclose(ok["expected_rate_gemeente"].to_numpy(), ok["expected_rate_gemeente_oof"].to_numpy(),
                               atol=0.005 + 1e-9)
