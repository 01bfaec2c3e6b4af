"""The embedded CBS snapshot shipped inside the package (built by `toolkit.sources.build`)."""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

__all__ = ["DATA_DIR", "PANEL_PATH", "PROVENANCE_PATH", "MAP_PATH", "load_panel", "load_provenance",
           "load_map", "file_sha256", "LICENCE"]

DATA_DIR = Path(__file__).resolve().parent / "data"
PANEL_PATH = DATA_DIR / "panel.parquet"
PROVENANCE_PATH = DATA_DIR / "provenance.parquet"
MAP_PATH = DATA_DIR / "wijken_2024.geojson.gz"
LICENCE = "CC BY 4.0 - Bron: CBS; map: CBS, Kadaster/PDOK"


def load_panel() -> pl.DataFrame:
    """The embedded harmonised panel: one row per region and year (levels wijk, gemeente, land)."""
    return pl.read_parquet(PANEL_PATH)


def load_provenance() -> pl.DataFrame:
    """Source table and year of every panel column-year that has values."""
    return pl.read_parquet(PROVENANCE_PATH)


@cache
def _map() -> dict[str, Any]:
    with gzip.open(MAP_PATH, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def load_map(gemeenten: list[str] | None = None) -> dict[str, Any]:
    """The 2024 wijk map as GeoJSON (WGS84), optionally only the wijken of some gemeenten."""
    full = _map()
    if gemeenten is None:
        return full
    keep = set(gemeenten)
    return {"type": "FeatureCollection",
            "features": [f for f in full["features"] if f["properties"]["gemeentecode"] in keep]}


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
