"""`wijksignaal validate PATH`: tells records from indicator files, lists every problem, writes nothing.

Records here are tiny SYNTHETIC registers written by the test (no real person).
"""

from __future__ import annotations

import polars as pl
import pytest
from kwb_test_files import kwb_rows, odata_frame, short_code_frame, write
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.cli.validate import MSG_UNKNOWN

runner = CliRunner()
RECORDS_HEADER = "client_id,birth_year,wijk_code,care_type,provider,start_date,end_date,cost_eur\n"
SYNTHETIC_ROW = "SYN-1,2012,WK051802,jeugdhulp_zonder_verblijf,SYNTHETIC,2022-01-05,,1200\n"


def _invoke(tmp_path, name: str, text: str | None = None):
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["validate", str(path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # writes nothing
    return result


def test_clean_kwb_file_exits_0(panel_frame, tmp_path):
    write(odata_frame(kwb_rows(panel_frame)), tmp_path / "kwb.csv")
    result = _invoke(tmp_path, "kwb.csv")
    assert result.exit_code == 0 and "no problems (CBS KWB indicators)" in result.output


def test_every_problem_of_a_kwb_file_is_listed(panel_frame, tmp_path):
    frame = short_code_frame(kwb_rows(panel_frame)).with_columns(
        pl.when(pl.int_range(pl.len()) < 30).then(pl.lit("n.v.t.")).otherwise(pl.col("a_inw")).alias("a_inw"))
    write(frame, tmp_path / "kwb.csv")
    result = _invoke(tmp_path, "kwb.csv")
    assert result.exit_code == 3
    listed = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert [line.split(", ")[1] for line in listed] == [f"row {i}" for i in range(1, 31)]
    assert "n.v.t." not in result.output  # never the value
    assert "30 problem(s)" in result.output


def test_synthetic_records_are_checked_by_the_records_validator(tmp_path):
    pytest.importorskip("ethics.records")  # the records reader comes with the privacy gate
    ok = _invoke(tmp_path, "records.csv", RECORDS_HEADER + SYNTHETIC_ROW)
    assert ok.exit_code == 0 and "municipal records" in ok.output
    bad_row = "SYN-2,2010,WK051803,jeugdbescherming,SYNTHETIC,2022-03-01,2022-02-01,800\n"
    bad = _invoke(tmp_path, "bad.csv", RECORDS_HEADER + SYNTHETIC_ROW + bad_row)
    assert bad.exit_code == 3 and "row 2, column 'end_date'" in bad.output


@pytest.mark.parametrize("header", ["client_id,bsn,wijk_code\n", "gwb_code_10,a_inw,Geboortedatum\n"],
                         ids=["records", "indicators"])
def test_identifier_column_is_refused_from_the_header(tmp_path, header):
    result = _invoke(tmp_path, "file.csv", header + "never,read,values\n")
    assert result.exit_code == 4
    assert "never" not in result.output


def test_unknown_file_kind_is_exit_3(tmp_path):
    result = _invoke(tmp_path, "what.csv", "a,b\n1,2\n")
    assert result.exit_code == 3 and MSG_UNKNOWN in result.output


def test_missing_file_is_a_usage_error(tmp_path):
    assert _invoke(tmp_path, "nope.csv").exit_code == 2
