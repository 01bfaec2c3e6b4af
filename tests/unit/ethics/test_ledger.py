"""The privacy-budget ledger: exact spend, refusal, hash chain, people-based budget, no double spend."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from fractions import Fraction

import polars as pl
import pytest

from ethics._sketch import bottom_k
from ethics.errors import BudgetExhausted, PolicyRefusal
from ethics.ledger import ChargeRequest, Ledger, default_ledger_path

THIRD = Fraction(1, 3)


def _sketch(ledger: Ledger, ids: range, prefix: str = "SYN-") -> tuple[int, ...]:
    return bottom_k(pl.Series([f"{prefix}{i}" for i in ids]), ledger.sketch_key, 256)


def _req(
    ledger: Ledger, dataset: str = "d1", year: int = 2022, eps: Fraction = THIRD, ids: range = range(5000)
) -> ChargeRequest:
    return ChargeRequest(dataset, year, eps, _sketch(ledger, ids))


def test_spend_is_exact_and_a_run_over_budget_is_refused_with_the_remainder(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    for _ in range(3):
        ledger.charge([_req(ledger)], Fraction(1))  # 1/3 + 1/3 + 1/3 == 1 exactly
    with pytest.raises(BudgetExhausted, match=r"only 0 of 1 remains") as err:
        ledger.charge([_req(ledger)], Fraction(1))
    assert err.value.exit_code == 4 and ledger.count() == 3
    stored = sqlite3.connect(tmp_path / "l.sqlite").execute("SELECT epsilon FROM charges").fetchall()
    assert stored == [("1/3",)] * 3


def test_a_refused_multi_year_charge_records_nothing(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_req(ledger, year=2022, eps=Fraction(1))], Fraction(1))
    with pytest.raises(BudgetExhausted, match="2022"):
        ledger.charge([_req(ledger, year=2021), _req(ledger, year=2022)], Fraction(1))
    assert ledger.count() == 1


def test_years_have_their_own_budget(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_req(ledger, year=2021, eps=Fraction(1))], Fraction(1))
    assert ledger.charge([_req(ledger, year=2022, eps=Fraction(1))], Fraction(1))[0].remaining == 0


@pytest.mark.parametrize(
    ("dataset", "ids", "charged_against_d1"),
    [
        ("d1", range(90_000, 95_000), True),  # same dataset id, whatever its contents
        ("copy", range(0, 4500), True),  # an edited copy under a new id: the same children
        ("extended", range(0, 6000), True),  # the same children and some more
        ("other-gemeente", range(50_000, 55_000), False),  # other children
    ],
)
def test_the_budget_follows_the_children_not_the_file_name(tmp_path, dataset, ids, charged_against_d1):
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_req(ledger, eps=Fraction(1))], Fraction(3, 2))
    request = ChargeRequest(dataset, 2022, Fraction(1), _sketch(ledger, ids))
    if charged_against_d1:
        with pytest.raises(BudgetExhausted, match="1/2 of 3/2 remains"):
            ledger.charge([request], Fraction(3, 2))
    else:
        assert ledger.charge([request], Fraction(3, 2))[0].spent_before == 0


def _tamper(path, sql):
    con = sqlite3.connect(path)
    con.execute(sql)
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE charges SET epsilon = '1/100' WHERE seq = 2", "row 2: its contents do not match its hash"),
        ("DELETE FROM charges WHERE seq = 2", "row 2: sequence number 3"),
        ("DELETE FROM charges WHERE seq = 3", "the last row does not match the ledger head"),
        ("UPDATE charges SET dataset_id = 'x' WHERE seq = 1", "row 1: its contents do not match its hash"),
    ],
)
def test_verify_detects_edited_and_deleted_rows_and_charging_is_refused(tmp_path, sql, problem):
    ledger = Ledger(tmp_path / "l.sqlite")
    for year in (2020, 2021, 2022):
        ledger.charge([_req(ledger, year=year)], Fraction(1))
    assert ledger.verify() == []
    _tamper(tmp_path / "l.sqlite", sql)
    assert any(problem in p for p in ledger.verify())
    with pytest.raises(PolicyRefusal, match="hash-chain"):
        ledger.charge([_req(ledger, year=2019)], Fraction(1))


def test_show_lists_spend_and_remainder(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_req(ledger, "a"), _req(ledger, "a", year=2021)], Fraction(1))
    ledger.charge([_req(ledger, "b", ids=range(100_000, 101_000))], Fraction(1))
    shown = {(s.dataset_id, s.year): (s.spent_after, s.remaining) for s in ledger.show(Fraction(1))}
    assert shown == {
        ("a", 2021): (THIRD, 2 * THIRD),
        ("a", 2022): (THIRD, 2 * THIRD),
        ("b", 2022): (THIRD, 2 * THIRD),
    }


def test_the_ledger_stores_keyed_hashes_never_ids(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_req(ledger)], Fraction(1))
    assert b"SYN-" not in (tmp_path / "l.sqlite").read_bytes()


def test_default_path_is_under_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_ledger_path() == tmp_path / "wijksignaal" / "ledger.sqlite"
    assert default_ledger_path(demo=True).name == "demo-ledger-SYNTHETIC.sqlite"


RACER = textwrap.dedent("""
    import sys, time
    from fractions import Fraction
    from pathlib import Path
    import polars as pl
    from ethics._sketch import bottom_k
    from ethics.errors import BudgetExhausted
    from ethics.ledger import ChargeRequest, Ledger
    ledger = Ledger(Path(sys.argv[1]))
    request = ChargeRequest(sys.argv[3], 2022, Fraction(1),
                            bottom_k(pl.Series([f"SYN-{i}" for i in range(3000)]), ledger.sketch_key, 256))
    while time.time() < float(sys.argv[2]):
        pass
    try:
        ledger.charge([request], Fraction(1))
        print("charged")
    except BudgetExhausted:
        print("refused")
""")


@pytest.mark.parametrize("attempt", range(3))
def test_two_processes_cannot_both_spend_the_last_budget(tmp_path, attempt):
    path = tmp_path / f"race-{attempt}.sqlite"
    Ledger(path)  # created first, so both processes share the same key
    start = time.time() + 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(path), str(start), name], stdout=subprocess.PIPE, text=True
        )
        for name in ("first", "second")
    ]
    outcomes = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert outcomes == ["charged", "refused"]
    assert Ledger(path).count() == 1
