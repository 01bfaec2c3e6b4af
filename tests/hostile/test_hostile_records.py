"""Hostile records for `run --records`: a table of (case, expected_exit, expected_reason).

Every file is a tiny SYNTHETIC register written by the test (no real child). A refused run exits with the
documented code, names file, row, column and rule, never a personal value, and writes nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from synthetic_records import HEADER, ROW, write_rows
from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()
SECRET = "SYN-SECRET-4410"


def _row(**changes: str) -> tuple[str, ...]:
    values = dict(zip(HEADER, ROW, strict=True)) | {"client_id": SECRET} | changes
    return tuple(values[c] for c in HEADER)


def rows(*changes: dict[str, str]) -> Callable[[Path], Path]:
    return lambda path: write_rows(
        path, [_row(client_id=f"SYN-{i}") for i in range(3)] + [_row(**c) for c in changes]
    )


def header(*extra: str) -> Callable[[Path], Path]:
    return lambda path: write_rows(path, [(*_row(), *("x" * len(extra)))], header=(*HEADER, *extra))


def raw(content: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(content)
        return path

    return make


def _dataset_id(path: Path) -> str:
    return f"records-{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"


def spent(path: Path, ledger: Path) -> None:
    from ethics.ledger import ChargeRequest, Ledger

    Ledger(ledger).charge([ChargeRequest(_dataset_id(path), 2022, Fraction(3), ())], Fraction(3))


def tampered(path: Path, ledger: Path) -> None:
    from ethics.ledger import ChargeRequest, Ledger

    Ledger(ledger).charge([ChargeRequest("earlier", 2021, Fraction(1), ())], Fraction(3))
    con = sqlite3.connect(ledger)
    con.execute("UPDATE charges SET epsilon = '0'")
    con.commit()
    con.close()


CASES = [
    ("bsn column", header("BSN"), None, 4, "'bsn'"),
    ("date of birth column", header("Geboortedatum"), None, 4, "'geboortedatum'"),
    ("postcode column", header("postcode"), None, 4, "'postcode'"),
    ("name column", header("naam"), None, 4, "'naam'"),
    ("empty file", raw(b""), None, 3, "the file is empty"),
    ("header only", raw(",".join(HEADER).encode() + b"\n"), None, 3, "has a header but no data rows"),
    ("missing column", raw(b"client_id,wijk_code\nSYN-1,WK051802\n"), None, 3, "required column is missing"),
    ("negative cost", rows({"cost_eur": "-250"}), None, 3, "row 4, column 'cost_eur': must not be negative"),
    (
        "end before start",
        rows({"end_date": "2021-01-01"}),
        None,
        3,
        "row 4, column 'end_date': end_date is before",
    ),
    ("unknown wijk", rows({"wijk_code": "WK036301"}), None, 3, "row 4, column 'wijk_code': is not a wijk"),
    ("duplicate row", rows({"client_id": "SYN-1"}), None, 3, "row 4: duplicates an earlier row"),
    ("unknown care type", rows({"care_type": "wmo"}), None, 3, "row 4, column 'care_type': must be one of"),
    (
        "impossible date",
        rows({"start_date": "2022-02-30"}),
        None,
        3,
        "row 4, column 'start_date': must be a date",
    ),
    ("budget exhausted", rows(), spent, 4, "only 0 of 3 remains"),
    ("tampered ledger", rows(), tampered, 4, "fails its hash-chain check"),
]


@pytest.mark.parametrize(
    ("case", "make", "prepare", "expected_exit", "expected_reason"), CASES, ids=[c[0] for c in CASES]
)
def test_hostile_records_are_refused_and_nothing_is_written(
    tmp_path, case, make, prepare, expected_exit, expected_reason
):
    path = make(tmp_path / "records.csv")
    ledger = tmp_path / "ledger.sqlite"
    if prepare is not None:
        prepare(path, ledger)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["run", "--records", str(path), "--years", "2022", "--ledger", str(ledger), "--out", str(out)]
    )
    assert result.exit_code == expected_exit, result.output
    assert expected_reason in result.output
    assert SECRET not in result.output and "-250" not in result.output and "wmo" not in result.output
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_records_need_exactly_one_gemeente(tmp_path):
    path = rows()(tmp_path / "records.csv")
    result = runner.invoke(
        app,
        [
            "run",
            "--records",
            str(path),
            "--gemeente",
            "GM0518",
            "--gemeente",
            "GM0363",
            "--ledger",
            str(tmp_path / "l.sqlite"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2 and "exactly one gemeente" in result.output
