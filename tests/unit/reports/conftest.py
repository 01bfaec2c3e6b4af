"""A real Den Haag run (open CBS data, default config and policy), shared by the report tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def den_haag_out(tmp_path_factory) -> Path:
    """Output directory of `run` for GM0518 in Dutch."""
    from ethics.policy import load_policy
    from toolkit.config import load_run_config
    from toolkit.pipeline import run

    out = tmp_path_factory.mktemp("run") / "out"
    run(load_run_config(), load_policy(), out)
    return out


@pytest.fixture(scope="session")
def den_haag_audit(den_haag_out) -> dict:
    """The run's audit.json."""
    return json.loads((den_haag_out / "audit.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory) -> Path:
    """Output directory of `run` for GM0518 with the SYNTHETIC demo register (its own ledger)."""
    from ethics.policy import load_policy
    from toolkit.config import load_run_config
    from toolkit.pipeline import run

    base = tmp_path_factory.mktemp("demo")
    run(load_run_config(None, demo_records=True, ledger=base / "ledger.sqlite"), load_policy(), base / "out")
    return base / "out"
