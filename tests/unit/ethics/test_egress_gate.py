"""Egress refusals for tables derived from records: each rule refuses, nothing is written."""

from __future__ import annotations

import polars as pl
import pytest
from synthetic_records import gate_inputs, register

from ethics import egress, gate
from ethics.errors import EgressBlocked
from ethics.ledger import Ledger


@pytest.fixture(scope="module")
def released(panel_frame, policy, tmp_path_factory):
    folder = tmp_path_factory.mktemp("egress")
    path = register(panel_frame, folder / "records.csv", scale=0.05)
    return gate.release(
        path,
        policy=policy,
        ledger=Ledger(folder / "l.sqlite"),
        dataset_id="egress",
        **gate_inputs(panel_frame),
    )


def _regated(frame: pl.DataFrame) -> egress.Table:
    """As if the gate itself had produced `frame` (a valid token), so only the rule under test can refuse."""
    return egress.Table(
        "releases.csv",
        frame,
        withheld=("value",),
        from_records=True,
        gate_token=gate.GateToken(gate._digest(frame)),
    )


def _first_ok_count(frame: pl.DataFrame) -> pl.Expr:
    row = frame.with_row_index().filter(pl.col("measure") == "clients", pl.col("status") == "ok")["index"][0]
    return pl.int_range(pl.len()) == row


CASES = [
    ("keyed below wijk", lambda f: f.with_columns(region_code=pl.lit("BU05180201")), "below wijk level"),
    ("keyed by postcode", lambda f: f.with_columns(region_code=pl.lit("2512AB")), "below wijk level"),
    ("forbidden column", lambda f: f.with_columns(geboortedatum=pl.lit("x")), "forbidden name"),
    ("bsn value", lambda f: f.with_columns(provider=pl.lit("111222333")), "looks like a BSN"),
    ("date of birth", lambda f: f.with_columns(provider=pl.lit("2012-03-04")), "exact date"),
    ("6-char postcode", lambda f: f.with_columns(provider=pl.lit("2512 AB")), "postcode"),
    (
        "ok count below the threshold",
        lambda f: f.with_columns(value=pl.when(_first_ok_count(f)).then(5).otherwise(pl.col("value"))),
        "below 10",
    ),
    (
        "ok count off the rounding base",
        lambda f: f.with_columns(value=pl.when(_first_ok_count(f)).then(123).otherwise(pl.col("value"))),
        "multiple of 5",
    ),
    ("withheld cell with a value", lambda f: f.with_columns(value=pl.col("value").fill_null(0)), "never 0"),
]


@pytest.mark.parametrize(("case", "mutate", "reason"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_refuses_and_nothing_is_written(released, policy, tmp_path, case, mutate, reason):
    with pytest.raises(EgressBlocked, match=reason) as err:
        egress.publish([_regated(mutate(released.table))], [], policy, tmp_path / "out")
    assert err.value.exit_code == 4 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "token", [None, "a string", gate.GateToken("0" * 64)], ids=["none", "forged", "wrong"]
)
def test_counts_from_records_without_the_gate_token_are_refused(released, policy, token):
    table = egress.Table("releases.csv", released.table, from_records=True, gate_token=token)
    with pytest.raises(EgressBlocked, match="did not pass the privacy gate"):
        egress.check_table(table, policy)


def test_euro_amounts_are_not_mistaken_for_a_bsn(released, policy):
    euros = pl.col("measure") == "cost_eur"
    frame = released.table.with_columns(
        value=pl.when(euros & pl.col("value").is_not_null())
        .then(pl.lit(111_222_333))
        .otherwise(pl.col("value"))
    )
    assert egress.check_table(_regated(frame), policy)


def test_the_gated_table_passes(released, policy, tmp_path):
    table = egress.Table(
        "releases.csv", released.table, withheld=("value",), from_records=True, gate_token=released.token
    )
    files = egress.publish([table], [], policy, tmp_path / "out")
    assert [f.name for f in files] == ["releases.csv"]
