"""Checks of the public output contracts (ARCHITECTURE.md) shared by several test modules."""

from __future__ import annotations

import polars as pl

from toolkit.profiles import PROFILE_COLUMNS


def check_profiles_contract(profiles: pl.DataFrame) -> None:
    assert tuple(profiles.columns) == PROFILE_COLUMNS
    assert set(profiles["status"]) <= {"ok", "secret", "too_small"}
    withheld = profiles.filter(pl.col("status") != "ok")
    for col in ("observed_rate", "expected_rate", "excess_rate", "risk_index", "risk_rank"):
        assert withheld[col].null_count() == withheld.height
    ok = profiles.filter(pl.col("status") == "ok")
    values = ok.select("observed_rate", "expected_rate", "excess_rate", "risk_index", "risk_rank")
    assert values.null_count().row(0) == (0, 0, 0, 0, 0)
    ranks = ok.group_by("gemeente_code").agg(pl.col("risk_rank").sort(), pl.len())
    assert all(r["risk_rank"] == list(range(1, r["len"] + 1)) for r in ranks.iter_rows(named=True))
    assert profiles["region_code"].is_unique().all()
