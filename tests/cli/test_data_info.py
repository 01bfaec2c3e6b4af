"""`wijksignaal data info`: the data dictionary, years, the bridge and the licence."""

from __future__ import annotations

from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()


def test_data_info_prints_dictionary_bridge_and_licence():
    result = runner.invoke(app, ["data", "info"])
    assert result.exit_code == 0, result.output
    assert "youth_care_rate_pct" in result.output
    assert "count_bridge" in result.output and "kwb_pct" in result.output
    assert "Bron: CBS" in result.output
    assert "pct_persons_lowest40_income | % |" in result.output
    assert "2022 count_bridge, 2024 kwb_pct" in result.output  # the rate method of every year
    assert "Bridge check on 2024" in result.output and "same gemeente and year" in result.output
    assert "wmo_clients_per_1000 | per 1,000 inhabitants |" in result.output and "| 2021,2024" in result.output


def test_data_info_lists_gemeenten():
    result = runner.invoke(app, ["data", "info", "--gemeenten"])
    assert result.exit_code == 0
    assert "GM0518  's-Gravenhage" in result.output
