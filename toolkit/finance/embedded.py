"""The embedded money tables shipped inside the package (built by `toolkit.finance.build`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

__all__ = ["DATA_DIR", "SOURCE", "load"]

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE = "Bron: CBS (Iv3), BZK (Gemeentefonds)"


@cache
def _load(name: str) -> pl.DataFrame:
    return pl.read_parquet(DATA_DIR / f"{name}.parquet")


def load(name: str) -> pl.DataFrame:
    """One embedded table: 'gemeenten', 'iv3' or 'cluster' (see toolkit/finance/build.py)."""
    return _load(name)
