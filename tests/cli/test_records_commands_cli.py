"""`demo-records`, `ledger show|verify` and `run --records/--demo-records` through typer's CliRunner."""

from __future__ import annotations

import json
import sqlite3

import polars as pl
import pytest
from synthetic_records import HEADER, ROW, write_rows
from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    """The default ledgers live under a temporary user data dir, never the real one."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def test_demo_records_writes_a_labelled_synthetic_register(tmp_path):
    result = runner.invoke(app, ["demo-records", "--gemeente", "gm0518", "--out", str(tmp_path / "demo.csv")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "demo-SYNTHETIC.csv"
    assert "SYNTHETIC" in result.output and str(path) in result.output
    frame = pl.read_csv(path)
    assert frame["synthetic"].all() and set(HEADER) <= set(frame.columns)


def test_demo_records_unknown_gemeente_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["demo-records", "--gemeente", "GM9999", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and not list(tmp_path.glob("*.csv"))


def test_demo_records_domain_wmo_writes_a_synthetic_wmo_register(tmp_path):
    from ethics._records_schema import WMO_CARE_TYPES

    out = ["--out", str(tmp_path / "wmo.csv"), "--years", "2023-2024"]
    result = runner.invoke(app, ["demo-records", "--domain", "wmo", "--gemeente", "GM0085", *out])
    assert result.exit_code == 0, result.output
    path = tmp_path / "wmo-SYNTHETIC.csv"
    assert "SYNTHETIC Wmo register" in result.output and str(path) in result.output
    frame = pl.read_csv(path)
    assert frame["synthetic"].all() and set(frame["care_type"]) == set(WMO_CARE_TYPES)


def test_demo_records_domain_wmo_without_published_wmo_figures_exits_2(tmp_path):
    # GM0252 (Heumen) has no Wmo figures in KWB 2024 (it did not consent to publication)
    result = runner.invoke(app, ["demo-records", "--domain", "wmo", "--gemeente", "GM0252",
                                 "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "no published Wmo figures" in result.output
    assert not list(tmp_path.glob("*.csv"))


def test_ledger_commands_without_a_ledger_say_nothing_was_spent(tmp_path):
    for command in ("show", "verify"):
        result = runner.invoke(app, ["ledger", command, "--ledger", str(tmp_path / "none.sqlite")])
        assert result.exit_code == 0 and "no privacy budget has been spent" in result.output
    assert not (tmp_path / "none.sqlite").exists()


def _charged_ledger(tmp_path):
    from fractions import Fraction

    from ethics.ledger import ChargeRequest, Ledger

    path = tmp_path / "l.sqlite"
    Ledger(path).charge([ChargeRequest("gemeente-2022", 2022, Fraction(1), ())], Fraction(3))
    Ledger(path).charge([ChargeRequest("gemeente-2022", 2022, Fraction(1, 2), ())], Fraction(3))
    return path


def test_ledger_show_lists_spend_and_remainder(tmp_path):
    result = runner.invoke(app, ["ledger", "show", "--ledger", str(_charged_ledger(tmp_path))])
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if x.startswith("jeugd  gemeente-2022"))
    assert line.split()[2:6] == ["2022", "3/2", "3", "3/2"]


@pytest.mark.parametrize(
    ("sql", "expected_exit", "reason"),
    [
        (None, 0, "hash chain intact (2 charge(s))"),
        ("UPDATE charges SET epsilon = '1/10' WHERE seq = 1", 3, "row 1: its contents do not match its hash"),
        ("DELETE FROM charges WHERE seq = 1", 3, "a row was deleted or inserted"),
        ("DELETE FROM charges WHERE seq = 2", 3, "the last row was deleted"),
    ],
)
def test_ledger_verify(tmp_path, sql, expected_exit, reason):
    path = _charged_ledger(tmp_path)
    if sql:
        con = sqlite3.connect(path)
        con.execute(sql)
        con.commit()
        con.close()
    result = runner.invoke(app, ["ledger", "verify", "--ledger", str(path)])
    assert result.exit_code == expected_exit and reason in result.output


@pytest.mark.slow
def test_run_with_demo_records_publishes_releases_and_the_privacy_section(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--demo-records", "--out", str(out)])
    assert result.exit_code == 0, result.output
    releases = pl.read_csv(out / "releases.csv")
    assert {
        "region_code",
        "year",
        "care_type",
        "measure",
        "value",
        "status",
        "epsilon",
        "accuracy_95",
    } <= set(releases.columns)
    assert releases["synthetic"].all()
    privacy = json.loads((out / "audit.json").read_text())["privacy"]
    assert privacy["synthetic"] is True and "SYNTHETIC" in privacy["records"]
    assert privacy["ledger"]["path"].endswith("demo-ledger-SYNTHETIC.sqlite")
    assert not (tmp_path / "xdg" / "wijksignaal" / "ledger.sqlite").exists()  # the real ledger is untouched
    assert sorted(releases["year"].unique()) == list(range(2018, 2026))  # the demo register's default span
    forecast = pl.read_csv(out / "forecast.csv", infer_schema_length=None)
    open_data = forecast.filter(pl.col("care_type").is_null())  # with records, euros use the released price
    assert open_data["price_source"].str.contains("privacy gate").all()
    per_type = forecast.filter(pl.col("care_type").is_not_null())  # forecasts from the register, per care type
    assert set(per_type["care_type"]) == {"all", "jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf",
                                          "jeugdbescherming", "jeugdreclassering"}
    assert per_type["year"].min() == 2026 and per_type["price_source"].is_not_null().all()
    assert per_type.filter(pl.col("level") == "gemeente", pl.col("status") == "ok")["clients"].min() > 0


@pytest.mark.slow
def test_run_with_a_latin1_dutch_records_file(tmp_path):
    values = dict(zip(HEADER, ROW, strict=True))
    rows = [
        tuple(
            (
                values
                | {
                    "client_id": f"SYN-{i}",
                    "wijk_code": f"WK0518{10 + i % 30:02d}",
                    "provider": "Zorg à Domicile (SYNTHETIC)",
                    "cost_eur": "1.234,50",
                }
            )[c]
            for c in HEADER
        )
        for i in range(300)
    ]
    path = write_rows(tmp_path / "records.csv", rows, sep=";", encoding="latin-1")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["run", "--records", str(path), "--years", "2022", "--ledger", str(tmp_path / "l.sqlite"), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    releases = pl.read_csv(out / "releases.csv")
    assert not releases["synthetic"].any()  # no synthetic column in this file: treated as real records
    assert json.loads((out / "audit.json").read_text())["privacy"]["records_used"] is True
