"""`wijksignaal run` for Den Haag shows its spending against its youth cluster and the five-year shortfall."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from toolkit.cli import app

pytestmark = pytest.mark.slow


def test_make_run_shows_den_haags_money(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--demo-records", "--ledger", str(tmp_path / "l.sqlite"),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    finance = pl.read_csv(out / "finance.csv").filter(pl.col("region_code") == "GM0518")
    ahead = finance.filter(pl.col("measure") == "shortfall_ahead_eur")
    assert ahead["year"].max() >= 2027 and ahead["lower"].is_not_null().all()
    assert finance.filter(pl.col("measure") == "tekort_eur").height == 2  # 2024 and 2025
    audit = json.loads((out / "audit.json").read_text())
    assert "finance.csv" in {e["table"] for e in audit["egress"]}
    assert audit["money"]["prices"]["in_scope"]["GM0518"]["status"] == "own"
    page = (out / "financien.html").read_text(encoding="utf-8")
    assert "Gravenhage (GM0518)" in page and "Hoe erg wordt het?" in page
