"""Signals: the long table for the wijk cards, percentiles against gemeente and country, labels."""

from __future__ import annotations

import numpy as np
import polars as pl

from toolkit.profiles import SIGNAL_COLUMNS
from toolkit.profiles._catalogue import SIGNALS
from toolkit.profiles._signals import percentile_against


def test_signal_table_has_every_signal_for_every_wijk_in_scope(den_haag):
    s = den_haag.signals
    assert tuple(s.columns) == SIGNAL_COLUMNS
    assert s.height == 44 * len(SIGNALS)
    assert s["label_nl"].null_count() == 0 and s["label_en"].null_count() == 0
    assert set(s["direction"]) == {-1, 0, 1}
    known = s.drop_nulls("value")
    assert known["national_percentile"].is_between(0, 100).all()
    assert known["gemeente_percentile"].is_between(0, 100).all()


def test_gemeente_percentile_ranks_the_wijk_among_its_own_gemeente(den_haag):
    rows = den_haag.signals.filter(pl.col("signal") == "pct_social_rental").drop_nulls("value").sort("value")
    assert rows["gemeente_percentile"].is_sorted()
    assert rows["gemeente_percentile"][-1] > 95 and rows["gemeente_percentile"][0] < 5


def test_top_signals_are_need_signals_of_the_wijk_at_the_high_end(den_haag):
    need = {s.name: s.direction for s in SIGNALS if s.direction}
    for row in den_haag.table.drop_nulls("top_signals").iter_rows(named=True):
        for name in row["top_signals"].split(";"):
            sig = den_haag.signals.filter(pl.col("region_code") == row["region_code"],
                                          pl.col("signal") == name)
            p = sig["national_percentile"].item()
            assert (p if need[name] > 0 else 100 - p) >= 75 - 0.05


def test_percentile_against_a_reference_is_a_midpoint_rank():
    ref = np.array([1.0, 2.0, 2.0, 3.0])
    got = percentile_against(np.array([0.0, 2.0, 5.0, np.nan]), ref)
    assert got[:3].tolist() == [0.0, 50.0, 100.0] and np.isnan(got[3])
