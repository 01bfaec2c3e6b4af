"""Live refresh through cbsodata, tested with a RECORDED response (fixtures/cbsodata_85984NED_GM0518.json).

cbsodata.get_meta / get_data are replaced by the recording and every socket connect fails: no network.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import cbsodata
import polars as pl
import pytest
from typer.testing import CliRunner

from ethics.errors import InputDataError
from toolkit.cli import app
from toolkit.sources import live
from toolkit.sources.user_file import merge_user_file, read_user_file

RECORDING_FILE = Path(__file__).parent / "fixtures" / "cbsodata_85984NED_GM0518.json"
RECORDING = json.loads(RECORDING_FILE.read_text("utf-8"))
runner = CliRunner()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network use in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def calls(monkeypatch):
    seen: dict[str, dict] = {}

    def get_meta(table_id, name, **kwargs):
        seen["meta"] = {"table_id": table_id, "name": name}
        return json.loads(json.dumps(RECORDING["DataProperties"]))

    def get_data(table_id, **kwargs):
        seen["data"] = {"table_id": table_id, **kwargs}
        return json.loads(json.dumps(RECORDING["get_data"]))

    monkeypatch.setattr(cbsodata, "get_meta", get_meta)
    monkeypatch.setattr(cbsodata, "get_data", get_data)
    return seen


def test_fetch_asks_only_for_mapped_columns_of_the_chosen_gemeente(calls):
    frame = live.fetch_kwb("85984NED", ["GM0518"])
    assert calls["meta"] == {"table_id": "85984NED", "name": "DataProperties"}
    assert calls["data"]["filters"] == ("startswith(WijkenEnBuurten,'GM0518') or "
                                        "startswith(WijkenEnBuurten,'WK0518')")
    assert "Mannen_6" not in calls["data"]["select"] and "AantalInwoners_5" in calls["data"]["select"]
    assert frame["year"].unique().to_list() == ["2024"]  # the table's MapYear
    assert frame.height == 4


def test_refreshed_file_reads_as_a_user_kwb_file(calls, panel_frame, tmp_path):
    out = live.refresh("85984NED", ["GM0518"], tmp_path / "kwb-2024.csv")
    user = read_user_file(out)
    assert user.flavour == "odata" and user.years == (2024,)
    gm = user.frame.filter(pl.col("region_code") == "GM0518")
    embedded = panel_frame.filter(pl.col("region_code") == "GM0518", pl.col("year") == 2022)
    assert gm["population"][0] == embedded["population"][0]  # the recording holds the 2022 figures
    assert gm["youth_care_clients"][0] == embedded["youth_care_clients"][0]
    wk01 = user.frame.filter(pl.col("region_code") == "WK051801")
    assert wk01["youth_care_clients"][0] is None  # the "." marker
    with pytest.raises(InputDataError) as refused:  # KWB 2024 is embedded: one year, one CBS release
        merge_user_file(panel_frame, out)
    assert "year 2024 is already in the embedded data" in refused.value.problems[0].rule


def test_refreshed_file_for_a_newer_year_is_merged(calls, panel_frame, tmp_path):
    out = live.refresh("85984NED", ["GM0518"], tmp_path / "kwb.csv", year=2025)
    merged = merge_user_file(panel_frame, out)
    merged = merged.filter(pl.col("year") == 2025, pl.col("region_code") == "GM0518")
    assert merged["youth_care_rate_method"][0] == "count_bridge"


def test_cli_refresh_writes_the_file(calls, tmp_path):
    out = tmp_path / "kwb.csv"
    args = ["data", "refresh", "--table", "85984NED", "--gemeente", "GM0518", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.is_file() and "--indicators" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["kwb.csv"]  # no temporary file left behind


def test_no_network_is_exit_3_and_writes_nothing(monkeypatch, tmp_path):
    def offline(*args, **kwargs):
        raise ConnectionError("offline")

    monkeypatch.setattr(cbsodata, "get_meta", offline)
    result = runner.invoke(app, ["data", "refresh", "--out", str(tmp_path / "kwb.csv")])
    assert result.exit_code == 3
    assert "network" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_unusable_download_is_refused_and_writes_nothing(calls, monkeypatch, tmp_path):
    broken = [{k: v for k, v in r.items() if k != "AantalInwoners_5"} for r in RECORDING["get_data"]]
    monkeypatch.setattr(cbsodata, "get_data", lambda table_id, **kw: broken)
    monkeypatch.setattr(cbsodata, "get_meta", lambda table_id, name, **kw: [
        p for p in RECORDING["DataProperties"] if p["Key"] != "AantalInwoners_5"])
    out = tmp_path / "kwb.csv"
    with pytest.raises(InputDataError) as err:
        live.refresh("85984NED", ["GM0518"], out)
    assert [p.column for p in err.value.problems] == ["AantalInwoners_5"]
    assert all(p.file == str(out) for p in err.value.problems)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "fragment"), [
    (["--table", "85984"], "--table"),
    (["--gemeente", "0518"], "--gemeente"),
])
def test_bad_options_are_usage_errors(calls, tmp_path, args, fragment):
    result = runner.invoke(app, ["data", "refresh", *args, "--out", str(tmp_path / "kwb.csv")])
    assert result.exit_code == 2 and fragment in result.output
    assert list(tmp_path.iterdir()) == []
