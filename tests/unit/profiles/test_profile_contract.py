"""profiles.csv follows the contract (ARCHITECTURE.md) for one gemeente (--all: tests/e2e/test_every_gemeente.py)."""

from __future__ import annotations

import json

import polars as pl
from contract_checks import check_profiles_contract
from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()


def test_run_for_one_gemeente_writes_contract_profiles_and_the_audit_section(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--gemeente", "GM0363", "--out", str(out)])
    assert result.exit_code == 0, result.output
    profiles = pl.read_csv(out / "profiles.csv")
    check_profiles_contract(profiles)
    assert set(profiles["gemeente_code"]) == {"GM0363"} and profiles.height > 5
    audit = json.loads((out / "audit.json").read_text())
    section = audit["profiles"]
    assert section["model"]["validation"]["model"]["wijken_min_youth"]["r2"] is not None
    assert section["risk_index"]["weights"] and section["typology"]["types"]
    assert section["proxy"]["proxy_strength_r2"] is not None
