"""`wijksignaal run --indicators FILE` end to end, with a KWB-2025-style TEST FIXTURE (embedded 2024 rows of
Den Haag relabelled 2025; see tests/kwb_test_files.py). KWB 2024 is embedded, so a newer year is 2025."""

from __future__ import annotations

import hashlib
import json

import polars as pl
from kwb_test_files import kwb_rows, short_code_frame, write
from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()


def test_run_with_a_newer_kwb_file_profiles_the_new_year(panel_frame, tmp_path):
    rows = kwb_rows(panel_frame, source_year=2024)
    path = write(short_code_frame(rows, year=None), tmp_path / "kwb-2025.csv")  # the year from the file name
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--indicators", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    profiles = pl.read_csv(out / "profiles.csv")
    assert profiles.height == 44 and set(profiles["year"]) == {2025}
    assert profiles["region_name"].is_not_null().all()
    forecast = pl.read_csv(out / "forecast.csv")
    assert forecast["year"].min() == 2026
    audit = json.loads((out / "audit.json").read_text())
    user = [i for i in audit["inputs"] if i["path"] == str(path)]
    assert user and user[0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_with_a_bad_kwb_file_is_exit_3_and_writes_nothing(panel_frame, tmp_path):
    frame = short_code_frame(kwb_rows(panel_frame, source_year=2024), year=2025)
    path = write(frame.with_columns(pl.lit("veel").alias("a_inw")), tmp_path / "kwb-2025.csv")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--indicators", str(path), "--out", str(out)])
    assert result.exit_code == 3
    assert "row 1, column 'a_inw'" in result.output and "veel" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kwb-2025.csv"]


def test_run_with_a_kwb_file_for_an_embedded_year_is_exit_3(panel_frame, tmp_path):
    path = write(short_code_frame(kwb_rows(panel_frame, source_year=2024), year=2024), tmp_path / "kwb-2024.csv")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--indicators", str(path), "--out", str(out)])
    assert result.exit_code == 3
    assert "year 2024 is already in the embedded data" in result.output
    assert not out.exists()
