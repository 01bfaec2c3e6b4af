"""Fixtures for the profile tests: the real embedded CBS panel, Den Haag in scope."""

from __future__ import annotations

import pytest

from toolkit.panel import build_panel
from toolkit.profiles import build_profiles


@pytest.fixture(scope="session")
def den_haag_panel(panel_frame):
    """The panel with Den Haag (GM0518) in scope (real CBS data)."""
    return build_panel(panel_frame, ["GM0518"])


@pytest.fixture(scope="session")
def den_haag(den_haag_panel, policy):
    """The profile of Den Haag with the default policy."""
    return build_profiles(den_haag_panel, policy)
