"""profiles.csv follows the contract (ARCHITECTURE.md) for one gemeente and for --all."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.profiles import PROFILE_COLUMNS

runner = CliRunner()


def _check_contract(profiles: pl.DataFrame) -> None:
    assert tuple(profiles.columns) == PROFILE_COLUMNS
    assert set(profiles["status"]) <= {"ok", "secret", "too_small"}
    withheld = profiles.filter(pl.col("status") != "ok")
    for col in ("observed_rate", "expected_rate", "excess_rate", "risk_index", "risk_rank"):
        assert withheld[col].null_count() == withheld.height
    ok = profiles.filter(pl.col("status") == "ok")
    values = ok.select("observed_rate", "expected_rate", "excess_rate", "risk_index", "risk_rank")
    assert values.null_count().row(0) == (0, 0, 0, 0, 0)
    ranks = ok.group_by("gemeente_code").agg(pl.col("risk_rank").sort(), pl.len())
    assert all(r["risk_rank"] == list(range(1, r["len"] + 1)) for r in ranks.iter_rows(named=True))
    assert profiles["region_code"].is_unique().all()


def test_run_for_one_gemeente_writes_contract_profiles_and_the_audit_section(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--gemeente", "GM0363", "--out", str(out)])
    assert result.exit_code == 0, result.output
    profiles = pl.read_csv(out / "profiles.csv")
    _check_contract(profiles)
    assert set(profiles["gemeente_code"]) == {"GM0363"} and profiles.height > 5
    audit = json.loads((out / "audit.json").read_text())
    section = audit["profiles"]
    assert section["model"]["validation"]["model"]["wijken_min_youth"]["r2"] is not None
    assert section["risk_index"]["weights"] and section["typology"]["types"]
    assert section["proxy"]["proxy_strength_r2"] is not None


@pytest.mark.slow
def test_run_all_writes_contract_profiles_for_every_dutch_wijk(tmp_path, panel_frame):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--all", "--out", str(out)])
    assert result.exit_code == 0, result.output
    profiles = pl.read_csv(out / "profiles.csv")
    _check_contract(profiles)
    n_wijken = panel_frame.filter(pl.col("level") == "wijk", pl.col("year") == 2024).height
    assert profiles.height == n_wijken and profiles["gemeente_code"].n_unique() > 300
