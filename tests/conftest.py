"""Shared fixtures. Tests run offline; synthetic fixtures are labelled SYNTHETIC.

Hypothesis profiles: `ci` (selected when the CI environment variable is true, as .ci/run sets it) is
deterministic: derandomized examples, no deadline (a loaded 2-core machine must not fail a test on timing),
no example database that depends on earlier runs, and a reproduction blob printed on failure. `dev`
(everywhere else) explores random examples. Neither has a deadline or the timing-based too_slow health
check. HYPOTHESIS_PROFILE overrides the choice.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _CI else "dev"))


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
