"""Shared fixtures. Tests run offline; synthetic fixtures are labelled SYNTHETIC."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def panel_frame() -> pl.DataFrame:
    """The embedded CBS panel (real data)."""
    from toolkit.sources import load_panel

    return load_panel()


@pytest.fixture(scope="session")
def policy():
    """The default ethics policy."""
    from ethics.policy import load_policy

    return load_policy()
