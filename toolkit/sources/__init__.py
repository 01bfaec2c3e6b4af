"""Sources of open indicators: the embedded CBS snapshot, user KWB files and a live CBS refresh.

Modules (in data-flow order):
- `dictionary`: stable column names, units, CBS codes (short, OData, salvaged) and labels.
- `_cbs`: CBS parsing rules (padding, secret markers, decimal commas, region codes).
- `bridge`: the one youth-care rate series and the 2020/2021 definition bridge.
- `build`: builds the embedded snapshot from ../shared/data (`make data`).
- `embedded`: loads the embedded panel, provenance and 2024 map.
- `schemas`: pandera (polars) schemas of the panel and of a user KWB file.
- `user_file`: a user's KWB file for another year (CBS short codes or OData keys), validated and merged
  (`_kwb_read` reads the text, `_kwb_columns` maps the columns).
- `live`: optional refresh from CBS through `cbsodata` (writes a KWB file for `--indicators`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from toolkit.sources.embedded import load_map, load_panel, load_provenance

if TYPE_CHECKING:
    from ethics.policy import Policy

__all__ = ["load_indicators", "load_map", "load_panel", "load_provenance"]


def load_indicators(path: Path | None = None, policy: Policy | None = None) -> pl.DataFrame:
    """The panel to run on: the embedded snapshot, merged with a user KWB file when one is given.

    The file's header is checked against `policy` (default: the shipped policy) for direct identifiers.
    """
    panel = load_panel()
    if path is None:
        return panel
    from toolkit.sources.user_file import merge_user_file

    return merge_user_file(panel, Path(path), policy)
