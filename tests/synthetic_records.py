"""Helpers for tests of the privacy gate: tiny SYNTHETIC registers (no real child) and the gate's inputs."""

from __future__ import annotations

from pathlib import Path

import polars as pl

HEADER = (
    "client_id",
    "birth_year",
    "wijk_code",
    "care_type",
    "provider",
    "start_date",
    "end_date",
    "cost_eur",
)
ROW = (
    "SYN-1",
    "2012",
    "WK051802",
    "jeugdhulp_zonder_verblijf",
    "Provider A (SYNTHETIC)",
    "2022-01-05",
    "",
    "1200",
)
GEMEENTE = "GM0518"


def write_rows(
    path: Path,
    rows: list[tuple[str, ...]] | None = None,
    header: tuple[str, ...] = HEADER,
    sep: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """A small records CSV; rows default to one valid SYNTHETIC row."""
    rows = [ROW] if rows is None else rows
    text = "\n".join(sep.join(r) for r in [header, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def gate_inputs(
    panel_frame: pl.DataFrame, gemeente: str = GEMEENTE, years: tuple[int, ...] = (2022,)
) -> dict:
    """wijk_keys, youth_population, years and the public provider list (the synthetic register's fictional
    providers), as the pipeline passes them to the gate."""
    from ethics.synthetic import PROVIDERS
    from toolkit.panel import build_panel

    panel = build_panel(panel_frame, [gemeente])
    rows = panel.frame.filter(pl.col("year") == panel.latest_year, pl.col("gemeente_code") == gemeente)
    return {
        "gemeente": gemeente,
        "wijk_keys": panel.wijk_keys(gemeente),
        "youth_population": dict(rows.select("region_code", "youth_0_22_est").iter_rows()),
        "years": list(years),
        "providers": [name for names in PROVIDERS.values() for name in names],
    }


def register(
    panel_frame: pl.DataFrame,
    path: Path,
    scale: float = 0.1,
    seed: int | None = 7,
    gemeente: str = GEMEENTE,
    years: tuple[int, ...] = (2022,),
) -> Path:
    """A SYNTHETIC register of the gemeente over `years` written to `path` (name gets -SYNTHETIC)."""
    from ethics.synthetic import generate_register, write_register

    frame = generate_register(panel_frame, gemeente, scale=scale, seed=seed, years=list(years))
    return write_register(frame, path)
