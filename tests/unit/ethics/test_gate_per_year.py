"""Per-year releases with a budget per reference year: a year is charged and noised once; a rerun with one
more year charges only the new year and reuses what the ledger kept of the earlier years."""

from __future__ import annotations

import polars as pl
import pytest
from synthetic_records import gate_inputs

from ethics import gate
from ethics.ledger import Ledger

YEARS = (2021, 2022, 2023)


@pytest.fixture(scope="module")
def registers(panel_frame, tmp_path_factory):
    """The same children over 2021-2022, and over 2021-2023 (one more year of the same register)."""
    from ethics.synthetic import generate_register, write_register

    frame = generate_register(panel_frame, "GM0518", scale=0.05, seed=3, years=list(YEARS))
    tmp = tmp_path_factory.mktemp("per-year")
    short = frame.filter(pl.col("start_date").dt.year() <= 2022).with_columns(
        end_date=pl.when(pl.col("end_date").dt.year() > 2022).then(None).otherwise(pl.col("end_date")))
    return write_register(short, tmp / "short.csv"), write_register(frame, tmp / "long.csv")


def _release(path, panel_frame, policy, ledger, years, dataset):
    inputs = gate_inputs(panel_frame, years=years)
    return gate.release(path, policy=policy, ledger=ledger, dataset_id=dataset, **inputs)


def test_a_rerun_with_one_more_year_charges_only_that_year_and_reuses_the_rest(registers, panel_frame, policy,
                                                                                tmp_path):
    short, long = registers
    ledger = Ledger(tmp_path / "l.sqlite")
    first = _release(short, panel_frame, policy, ledger, YEARS[:2], "register-v1")
    assert first.audit["ledger"]["charged_years"] == [2021, 2022]
    assert ledger.count() == 2
    second = _release(long, panel_frame, policy, ledger, YEARS, "register-v2")
    assert second.audit["ledger"]["charged_years"] == [2023]
    assert sorted(second.audit["ledger"]["reused_years"]) == ["2021", "2022"]
    assert ledger.count() == 3  # one new charge: 2023
    assert second.audit["epsilon_spent_this_run"] == str(policy.privacy.epsilon_per_release)
    old = first.table.filter(pl.col("year") <= 2022)
    again = second.table.filter(pl.col("year") <= 2022)
    assert again.equals(old)  # the same noisy values, not a fresh draw
    assert set(second.table["year"]) == set(YEARS)
    spent = {s["year"]: s["spent_after"] for s in second.audit["ledger"]["after"]}
    assert spent == dict.fromkeys(YEARS, str(policy.privacy.epsilon_per_release))  # each year charged once


def test_another_gemeente_scope_never_reuses_a_release(registers, panel_frame, policy, tmp_path):
    short, _ = registers
    ledger = Ledger(tmp_path / "l.sqlite")
    _release(short, panel_frame, policy, ledger, YEARS[:2], "register-v1")
    other = gate_inputs(panel_frame, years=YEARS[:2]) | {"providers": ["Een andere aanbieder (SYNTHETIC)"]}
    rel = gate.release(short, policy=policy, ledger=ledger, dataset_id="register-v1", **other)
    assert rel.audit["ledger"]["charged_years"] == [2021, 2022] and not rel.audit["ledger"]["reused_years"]
    assert ledger.count() == 4
