"""The only reader of records: header first, every problem as row + column + rule, never a value."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import polars as pl
import pytest
from synthetic_records import HEADER, ROW, write_rows

from ethics.errors import ForbiddenColumn, InputDataError
from ethics.records import read_records, validate_records

KNOWN = {"WK051802", "WK051803"}
SECRET = "SYN-SECRET-7731"  # a value that must never appear in a message


def _row(**changes: str) -> tuple[str, ...]:
    values = dict(zip(HEADER, ROW, strict=True)) | {"client_id": SECRET} | changes
    return tuple(values[c] for c in HEADER)


def _problems(tmp_path, rows, policy, **kw):
    return validate_records(write_rows(tmp_path / "records.csv", rows, **kw), policy, KNOWN)


def test_valid_file_reads_typed(tmp_path, policy):
    frame = read_records(
        write_rows(tmp_path / "r.csv", [_row(), _row(client_id="SYN-2", end_date="2022-03-01")]),
        policy,
        KNOWN,
    )
    assert frame.schema["start_date"] == pl.Date and frame.schema["cost_eur"] == pl.Float64
    assert frame["end_date"].to_list()[0] is None  # empty = ongoing


@pytest.mark.parametrize(
    ("changes", "column", "rule"),
    [
        ({"cost_eur": "-5"}, "cost_eur", "must not be negative"),
        ({"end_date": "2021-12-31"}, "end_date", "end_date is before start_date"),
        ({"wijk_code": "WK036301"}, "wijk_code", "is not a wijk of the gemeente"),
        ({"wijk_code": "BU05180201"}, "wijk_code", "must be a CBS wijk code"),
        ({"care_type": "wmo"}, "care_type", "must be one of"),
        ({"start_date": "31-02-2022"}, "start_date", "must be a date"),
        ({"birth_year": "twaalf"}, "birth_year", "must be a whole year"),
        ({"birth_year": "1890"}, "birth_year", "must be a birth year"),
        ({"cost_eur": "veel"}, "cost_eur", "must be a number"),
        ({"client_id": ""}, "client_id", "must not be empty"),
    ],
)
def test_each_problem_names_row_column_and_rule_never_the_value(tmp_path, policy, changes, column, rule):
    problems = _problems(tmp_path, [_row(client_id="SYN-ok"), _row(**changes)], policy)
    assert {(p.row, p.column) for p in problems} == {(2, column)}
    assert any(rule in p.rule for p in problems)
    text = " ".join(str(p) for p in problems)
    assert SECRET not in text and all(v not in text for v in changes.values() if len(v) > 2)


def test_every_problem_is_listed_not_just_the_first(tmp_path, policy):
    rows = [_row(client_id=f"SYN-{i}", cost_eur="-1") for i in range(30)]
    assert [p.row for p in _problems(tmp_path, rows, policy)] == list(range(1, 31))


def test_exact_duplicate_rows_report_the_later_copy(tmp_path, policy):
    problems = _problems(tmp_path, [_row(), _row(client_id="SYN-other"), _row()], policy)
    assert [(p.row, p.rule) for p in problems] == [(3, "duplicates an earlier row")]


def test_forbidden_column_is_refused_from_the_header_before_any_row(tmp_path, policy):
    path = tmp_path / "r.csv"
    path.write_bytes(b"client_id,BSN,wijk_code\n" + b"\xff\xfe not even text \x00\n" * 3)
    with pytest.raises(ForbiddenColumn, match="'bsn'") as err:
        read_records(path, policy)
    assert err.value.exit_code == 4


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "the file is empty"),
        (",".join(HEADER).encode() + b"\n", "has a header but no data rows"),
        (b"client_id,wijk_code\nSYN-1,WK051802\n", "required column is missing"),
    ],
)
def test_empty_and_incomplete_files(tmp_path, policy, content, rule):
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    with pytest.raises(InputDataError) as err:
        read_records(path, policy)
    assert err.value.exit_code == 3 and rule in err.value.render()


def test_latin1_file_with_semicolons_and_decimal_commas_is_read(tmp_path, policy):
    rows = [
        _row(provider="Zorg à Domicile (SYNTHETIC)", cost_eur="1.234,50", start_date="05-01-2022"),
        _row(client_id="SYN-2", cost_eur="99,5"),
    ]
    frame = read_records(write_rows(tmp_path / "r.csv", rows, sep=";", encoding="latin-1"), policy, KNOWN)
    assert frame["cost_eur"].to_list() == [1234.5, 99.5]
    assert frame["provider"][0] == "Zorg à Domicile (SYNTHETIC)"
    assert str(frame["start_date"][0]) == "2022-01-05"


def test_padded_values_are_stripped_so_a_child_stays_one_child(tmp_path, policy):
    rows = [_row(client_id=" SYN-1 ", wijk_code=" WK051802"), _row(client_id="SYN-1", end_date="2022-02-01")]
    frame = read_records(write_rows(tmp_path / "r.csv", rows), policy, KNOWN)
    assert frame["client_id"].n_unique() == 1 and frame["wijk_code"][0] == "WK051802"


def test_columns_outside_the_contract_are_never_read(tmp_path, policy):
    header = (*HEADER, "notes")
    rows = [(*_row(), "free text about a child")]
    frame = read_records(write_rows(tmp_path / "r.csv", rows, header=header), policy, KNOWN)
    assert "notes" not in frame.columns


def test_empty_wijk_code_means_no_known_address(tmp_path, policy):
    frame = read_records(write_rows(tmp_path / "r.csv", [_row(wijk_code="")]), policy, KNOWN)
    assert frame["wijk_code"].to_list() == [None]


def test_validation_stays_on_when_pandera_is_disabled_by_the_environment(tmp_path):
    path = write_rows(tmp_path / "r.csv", [_row(cost_eur="-5")])
    script = textwrap.dedent(f"""
        from pathlib import Path
        from ethics.policy import load_policy
        from ethics.records import validate_records
        print([p.rule for p in validate_records(Path({str(path)!r}), load_policy())])
    """)
    env = dict(os.environ, PANDERA_VALIDATION_ENABLED="False")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert "must not be negative" in out.stdout


def test_parquet_records_are_read(tmp_path, policy):
    frame = read_records(write_rows(tmp_path / "r.csv", [_row()]), policy, KNOWN)
    frame.write_parquet(tmp_path / "r.parquet")
    assert read_records(tmp_path / "r.parquet", policy, KNOWN).equals(frame)


def _unreadable(tmp_path):
    path = write_rows(tmp_path / "locked.csv", [_row()])
    path.chmod(0)
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp: tmp / "missing.csv", "does not exist"),
        (lambda tmp: tmp, "is not a file"),
        (_unreadable, "cannot be read"),
    ],
    ids=["missing", "folder", "unreadable"],
)
def test_run_with_a_missing_folder_or_unreadable_records_path_is_a_usage_error(tmp_path, make, says):
    """Exit 2 naming the path, before the file is hashed or read; nothing is written."""
    from typer.testing import CliRunner

    from toolkit.cli import app

    path = make(tmp_path)
    if says == "cannot be read" and os.access(path, os.R_OK):
        pytest.skip("running as a user who can read any file (root)")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "--records", str(path), "--years", "2022", "--ledger", str(tmp_path / "l.sqlite"),
              "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert says in result.output and str(path) in result.output.replace("\n", "")
    assert not out.exists() and not (tmp_path / "l.sqlite").exists()


def test_corrupt_parquet_is_a_listed_problem_not_a_crash(tmp_path, policy):
    path = tmp_path / "records.parquet"
    path.write_text("client_id,birth_year\nSYN-1,2012\n")
    problems = validate_records(path, policy, KNOWN)
    assert len(problems) == 1 and problems[0].rule.startswith("cannot be read as CSV or Parquet")


def test_run_with_records_but_no_stated_years_is_a_usage_error(tmp_path):
    """The years to release are public keys the user states; the gate never reads them from the records."""
    from typer.testing import CliRunner

    from toolkit.cli import app

    path = write_rows(tmp_path / "records.csv", [_row(wijk_code="WK051802")])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "--records", str(path), "--ledger", str(tmp_path / "l.sqlite"), "--out", str(out)]
    )
    assert result.exit_code == 2 and "--years" in result.output and SECRET not in result.output
    assert not out.exists()
