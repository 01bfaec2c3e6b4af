"""The privacy-budget ledger: exact spend, refusal, hash chain, people-based budget, no double spend."""

from __future__ import annotations

import dataclasses
import json
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


# --- integrity (issue 11, item 6) and the budget across runs (issue 10, item 5) -------------------------------


def _three_charges(tmp_path) -> Ledger:
    ledger = Ledger(tmp_path / "l.sqlite")
    for year in (2020, 2021, 2022):
        ledger.charge([_req(ledger, year=year)], Fraction(1))
    return ledger


def _rewind(path, keep: int) -> None:
    """What an attacker does: delete the last rows and rewrite the head so the chain itself is consistent."""
    con = sqlite3.connect(path)
    con.execute("DELETE FROM charges WHERE seq > ?", (keep,))
    head = con.execute("SELECT hash FROM charges WHERE seq = ?", (keep,)).fetchone()
    if head:
        con.execute("UPDATE meta SET value = ? WHERE key = 'head'", head)
        con.execute("UPDATE meta SET value = ? WHERE key = 'rows'", (str(keep),))
    else:
        con.execute("DELETE FROM meta WHERE key IN ('head', 'rows')")
    con.commit()
    con.close()


def test_a_later_policy_cannot_raise_the_total_fixed_at_creation(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_req(ledger, eps=Fraction(1))], Fraction(1))
    with pytest.raises(BudgetExhausted, match=r"only 0 of 1 remains"):
        ledger.charge([_req(ledger, eps=Fraction(1))], Fraction(100))
    assert ledger.show(Fraction(100))[0].total == 1
    assert ledger.charge([_req(ledger, year=2021, eps=Fraction(1, 2))], Fraction(1, 2))[0].total == Fraction(1, 2)


@pytest.mark.parametrize(("keep", "problem"), [(2, "truncated or rewound"), (0, "wiped")])
def test_truncating_or_wiping_with_a_consistent_chain_is_detected(tmp_path, keep, problem):
    ledger = _three_charges(tmp_path)
    _rewind(tmp_path / "l.sqlite", keep)
    problems = ledger.verify()
    assert any(problem in p and "witness records 3" in p for p in problems), problems
    with pytest.raises(PolicyRefusal, match="hash-chain"):
        ledger.charge([_req(ledger, year=2022)], Fraction(1))


def test_rewinding_with_the_witness_rewound_too_is_caught_by_the_audit_record(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    states = ledger.charge([_req(ledger, eps=Fraction(1))], Fraction(1))
    audit = ledger.integrity(states)
    assert audit["charges"] == [{"year": 2022, "row": 1, "chain_head": states[0].chain_head}]
    ledger.charge([_req(ledger, year=2021)], Fraction(1))
    _rewind(tmp_path / "l.sqlite", 0)
    witness = json.loads(ledger.witness_path.read_text())
    ledger.witness_path.write_text(json.dumps({**witness, "rows": 0, "head": ledger.genesis}))  # careful attacker
    assert ledger.verify() == []  # ledger and witness agree with each other
    ledger.charge([_req(ledger, year=2021), _req(ledger, eps=Fraction(1))], Fraction(1))  # spent again
    problems = ledger.verify([audit])
    assert problems == ["audit 1: charge 1 differs from the one the run recorded (rewound)"]


def test_a_deleted_ledger_is_not_silently_started_over(tmp_path):
    ledger = _three_charges(tmp_path)
    (tmp_path / "l.sqlite").unlink()
    with pytest.raises(PolicyRefusal, match="witness .* records 3 charge"):
        Ledger(tmp_path / "l.sqlite")
    assert ledger.witness_path.exists()


def test_a_replaced_ledger_is_detected(tmp_path):
    _three_charges(tmp_path)
    (tmp_path / "fresh").mkdir()
    Ledger(tmp_path / "fresh" / "l.sqlite")  # an empty ledger, moved over the spent one with its key
    for name in ("l.sqlite", "l.sqlite.key"):
        (tmp_path / "fresh" / name).replace(tmp_path / name)
    assert any("another ledger" in p for p in Ledger(tmp_path / "l.sqlite").verify())


def test_the_key_lives_apart_from_the_ledger_with_owner_only_permissions(tmp_path):
    ledger = _three_charges(tmp_path)
    key = ledger.key_path.read_text().strip()
    assert ledger.key_path.stat().st_mode & 0o777 == 0o600
    assert key.encode() not in (tmp_path / "l.sqlite").read_bytes()
    assert bytes.fromhex(key) == ledger.sketch_key
    stored = dict(sqlite3.connect(tmp_path / "l.sqlite").execute("SELECT key, value FROM meta").fetchall())
    assert "sketch_key" not in stored and key not in stored.values()


def test_a_missing_or_wrong_key_is_refused_rather_than_forgotten(tmp_path):
    from ethics.errors import ConfigError

    ledger = _three_charges(tmp_path)
    key = ledger.key_path.read_text()
    ledger.key_path.unlink()
    with pytest.raises(ConfigError, match="key file .* is missing") as err:
        Ledger(tmp_path / "l.sqlite")
    assert err.value.exit_code == 2
    ledger.key_path.write_text("00" * 16)
    with pytest.raises(ConfigError, match="not the one this ledger was created with"):
        Ledger(tmp_path / "l.sqlite")
    ledger.key_path.write_text(key)
    assert Ledger(tmp_path / "l.sqlite").verify() == []


def test_a_key_derived_from_the_users_secret(tmp_path, monkeypatch):
    from ethics.errors import ConfigError
    from ethics.ledger import SECRET_ENV

    monkeypatch.setenv(SECRET_ENV, "correct horse battery staple")
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_req(ledger)], Fraction(1))
    assert not ledger.key_path.exists()
    assert Ledger(tmp_path / "l.sqlite").sketch_key == ledger.sketch_key
    monkeypatch.setenv(SECRET_ENV, "another secret")
    with pytest.raises(ConfigError, match="not the one"):
        Ledger(tmp_path / "l.sqlite")
    monkeypatch.delenv(SECRET_ENV)
    with pytest.raises(ConfigError, match="missing"):
        Ledger(tmp_path / "l.sqlite")


def test_a_ledger_of_the_earlier_format_moves_its_key_out_and_keeps_its_chain(tmp_path):
    import hashlib

    from ethics.ledger import _SCHEMA, _row_hash

    key = bytes(range(16))
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.executescript(_SCHEMA)
    row = {"seq": 1, "charged_at": "2025-01-01T00:00:00+00:00", "dataset_id": "d1", "year": 2022,
           "epsilon": "1", "total": "3", "related": "[]", "sketch": json.dumps(["00000000000000ff"]),
           "synthetic": 0, "note": "", "prev_hash": hashlib.sha256(b"wijksignaal-ledger:" + key).hexdigest()}
    row["hash"] = _row_hash(row)
    con.execute("INSERT INTO charges VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", list(row.values()))
    con.executemany("INSERT INTO meta VALUES (?, ?)", [("sketch_key", key.hex()), ("head", row["hash"]),
                                                       ("rows", "1")])
    con.commit()
    con.close()
    ledger = Ledger(path)
    assert ledger.sketch_key == key and ledger.verify() == []
    stored = dict(sqlite3.connect(path).execute("SELECT key, value FROM meta").fetchall())
    assert "sketch_key" not in stored
    with pytest.raises(BudgetExhausted, match="of 3 remains"):
        ledger.charge([ChargeRequest("d1", 2022, Fraction(3), ())], Fraction(5))


def test_verify_says_what_it_compared_against(tmp_path):
    ledger = _three_charges(tmp_path)
    assert "witness" in ledger.compared_against() and "3 charge(s)" in ledger.compared_against()


@pytest.mark.parametrize(
    ("ids", "strict_charges", "lenient_charges"),
    [
        (range(3000, 8000), True, False),  # 40% of the old children and 60% new ones: the old rule missed it
        (range(0, 12_500), True, True),  # the old register and 60% new children on top
        (range(50_000, 55_000), False, False),  # other children
    ],
)
def test_a_register_with_60_percent_new_children_draws_on_the_same_budget(tmp_path, ids, strict_charges,
                                                                         lenient_charges):
    for threshold, charged in ((Fraction(0), strict_charges), (Fraction(1, 2), lenient_charges)):
        ledger = Ledger(tmp_path / f"l-{threshold.numerator}.sqlite", overlap_threshold=threshold)
        ledger.charge([_req(ledger, eps=Fraction(1))], Fraction(3, 2))  # the old register: range(5000)
        new = ChargeRequest("new-register", 2022, Fraction(1), _sketch(ledger, ids))
        if charged:
            with pytest.raises(BudgetExhausted, match="1/2 of 3/2 remains"):
                ledger.charge([new], Fraction(3, 2))
        else:
            assert ledger.charge([new], Fraction(3, 2))[0].spent_before == 0


def test_strict_rule_finds_a_small_shared_part_of_large_registers(tmp_path):
    # Two registers of 200,000 children sharing 5% (10,000): c * k / n = 12.8 shared children expected in both
    # sketches, so a miss has probability about exp(-12.8) = 3e-6 (the audit's figure).
    ledger = Ledger(tmp_path / "l.sqlite")
    a = ChargeRequest("a", 2022, Fraction(1), _sketch(ledger, range(0, 200_000)))
    b = ChargeRequest("b", 2022, Fraction(1), _sketch(ledger, range(190_000, 390_000)))
    ledger.charge([a], Fraction(1))
    with pytest.raises(BudgetExhausted):
        ledger.charge([b], Fraction(1))


def test_cli_verify_compares_with_witness_and_audits_and_exits_3_on_a_rewound_ledger(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    runner = CliRunner()
    ledger = _three_charges(tmp_path)
    audit = tmp_path / "audit.json"
    states = ledger.charge([_req(ledger, year=2019)], Fraction(1))
    audit.write_text(json.dumps({"privacy": {"ledger": {"integrity": ledger.integrity(states)}}}))
    args = ["ledger", "verify", "--ledger", str(tmp_path / "l.sqlite"), "--audit", str(audit)]
    ok = runner.invoke(app, args)
    assert ok.exit_code == 0 and "intact (4 charge(s))" in ok.output and "witness" in ok.output
    assert "1 audit.json file(s)" in ok.output
    _rewind(tmp_path / "l.sqlite", 2)
    ledger.witness_path.unlink()  # the attacker removes the witness too; the audit still knows
    broken = runner.invoke(app, args)
    assert broken.exit_code == 3
    assert "witness file l.sqlite.witness is missing" in broken.output
    assert "audit 1: charge 4 is missing from the ledger" in broken.output
    (tmp_path / "l.sqlite").unlink()
    ledger.witness_path.write_text("{}")
    gone = runner.invoke(app, ["ledger", "verify", "--ledger", str(tmp_path / "l.sqlite")])
    assert gone.exit_code == 3 and "was deleted or moved" in gone.output


def _wmo(ledger: Ledger, **kw) -> ChargeRequest:
    return dataclasses.replace(_req(ledger, **kw), domain="wmo")


def test_each_domain_has_its_own_budget_per_reference_year(tmp_path):
    """Same dataset id and the same people: youth care's spend does not touch Wmo's, and the reverse."""
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_req(ledger, eps=Fraction(1))], Fraction(1))
    with pytest.raises(BudgetExhausted):
        ledger.charge([_req(ledger)], Fraction(1))
    wmo = ledger.charge([_wmo(ledger, eps=Fraction(2, 3))], Fraction(1))[0]
    assert (wmo.domain, wmo.spent_before, wmo.remaining) == ("wmo", 0, THIRD)
    with pytest.raises(BudgetExhausted, match=r"\(its wmo budget\).*only 1/3 of 1 remains"):
        ledger.charge([_wmo(ledger, eps=Fraction(2, 3))], Fraction(1))
    ledger.charge([_wmo(ledger, ids=range(0, 4500))], Fraction(1))  # an edited copy: the same Wmo budget
    with pytest.raises(BudgetExhausted):
        ledger.charge([_wmo(ledger, ids=range(0, 4500))], Fraction(1))
    shown = {(s.domain, s.dataset_id, s.year): s.spent_after for s in ledger.show(Fraction(1))}
    assert shown == {("jeugd", "d1", 2022): 1, ("wmo", "d1", 2022): 1}
    assert ledger.verify() == []


def test_a_row_moved_to_another_domain_breaks_the_chain(tmp_path):
    """The domain is inside the hash: relabelling a spent Wmo row as youth care (to free Wmo budget) is caught."""
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_wmo(ledger, eps=Fraction(1))], Fraction(1))
    ledger.charge([_req(ledger, year=2021)], Fraction(1))
    _tamper(tmp_path / "l.sqlite", "UPDATE charges SET domain = 'jeugd' WHERE seq = 1")
    assert any("row 1: its contents do not match its hash" in p for p in ledger.verify())
    _tamper(tmp_path / "l.sqlite", "UPDATE charges SET domain = 'wmo' WHERE seq = 1")
    _tamper(tmp_path / "l.sqlite", "UPDATE charges SET domain = 'wmo' WHERE seq = 2")
    assert any("row 2: its contents do not match its hash" in p for p in ledger.verify())


def test_a_ledger_from_before_domains_keeps_its_chain_and_counts_as_youth_care(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.charge([_req(ledger, eps=Fraction(1))], Fraction(1))
    con = sqlite3.connect(tmp_path / "l.sqlite")
    con.execute("ALTER TABLE charges DROP COLUMN domain")  # the table as earlier versions wrote it
    con.commit()
    con.close()
    reopened = Ledger(tmp_path / "l.sqlite")
    assert reopened.verify() == []
    with pytest.raises(BudgetExhausted):
        reopened.charge([_req(reopened)], Fraction(1))
    assert reopened.charge([_wmo(reopened)], Fraction(1))[0].spent_before == 0
