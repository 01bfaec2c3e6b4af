"""Sources of open indicators: the embedded CBS snapshot, user KWB files and a live CBS refresh.

Modules (in data-flow order):
- `dictionary`: stable column names, units, CBS codes (short, OData, salvaged) and labels.
- `_cbs`: CBS parsing rules (padding, secret markers, decimal commas, region codes).
- `bridge`: the one youth-care rate series and the 2020/2021 definition bridge.
- `build`: builds the embedded snapshot from ../shared/data (`make data`).
- `embedded`: loads the embedded panel, provenance and 2024 map.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from toolkit.sources.embedded import load_map, load_panel, load_provenance

__all__ = ["load_indicators", "load_map", "load_panel", "load_provenance"]


def load_indicators(path: Path | None = None) -> pl.DataFrame:
    """The panel to run on: the embedded snapshot, merged with a user KWB file when one is given."""
    panel = load_panel()
    if path is None:
        return panel
    from toolkit.sources.user_file import merge_user_file

    return merge_user_file(panel, Path(path))
