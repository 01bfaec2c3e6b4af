"""With records: the privacy gate's released stepped-care share and care-type mix join the wijk profile.

Input: `Releases.table` of ethics/gate.py (long: region_code, year, care_type, measure, value, status, ...),
only wijk cells (WK codes) of the latest released year. Measures used (see ethics/gate.py's docstring):
`clients` with care_type "all" and per care type, and `stepped_care_clients` (care_type "all").

Extra profile columns (after the contract columns):
- release_year: the reference year of the released cells; release_synthetic: true when they come from the
  SYNTHETIC demo register (the gate's `synthetic` column), so a demo share is never read as a real one;
- stepped_care_share (%) = stepped_care_clients / clients, with stepped_care_status;
- care_mix_<care type> (%) = clients of that type / clients of all types (a child may have several types,
  so the mix need not add up to 100), each with care_mix_<care type>_status; the care types are those of the
  register's domain (the four youth-care types; for Wmo the provision categories).
A share is clipped to [0, 100] (the released cells are noisy and rounded independently).
A share is only computed from two released `ok` cells; otherwise it is empty and its status is the status of
the withheld cell. Shares of a wijk whose profile status is not ok stay empty as well (status of the row).
"""

from __future__ import annotations

from typing import Any

import polars as pl

__all__ = ["CARE_TYPES", "release_columns", "join_releases"]

# ARCHITECTURE.md, records contract: the four care types.
CARE_TYPES = ("jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf", "jeugdbescherming", "jeugdreclassering")


def release_columns(care_types: tuple[str, ...] = CARE_TYPES) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(value columns, status columns) this join adds, in order (`care_types`: the register's domain's)."""
    values = ("stepped_care_share", *[f"care_mix_{t}" for t in care_types])
    return values, tuple(f"{v}_status" for v in values)


def _cells(frame: pl.DataFrame) -> pl.DataFrame:
    wijk = frame.filter(pl.col("region_code").str.starts_with("WK"))
    if wijk.is_empty():
        return wijk
    year = wijk["year"].max()
    return wijk.filter(pl.col("year") == year)


def _cell(cells: pl.DataFrame, measure: str, care_type: str, name: str) -> pl.DataFrame:
    return cells.filter(pl.col("measure") == measure, pl.col("care_type") == care_type).select(
        "region_code", pl.col("value").cast(pl.Float64).alias(name), pl.col("status").alias(name + "_st"))


def _share(num: str, den: str, out: str) -> list[pl.Expr]:
    num_st, den_st = pl.col(num + "_st"), pl.col(den + "_st")
    both = (num_st == "ok") & (den_st == "ok") & (pl.col(den) > 0)
    status = (pl.when(both).then(pl.lit("ok"))
              .when(num_st.is_not_null() & (num_st != "ok")).then(num_st)
              .when(den_st.is_not_null() & (den_st != "ok")).then(den_st)
              .otherwise(pl.lit("secret")))
    row_ok = pl.col("status") == "ok"
    # Numerator and denominator carry independent noise and CBS rounding (15 / 10 can happen), while the true
    # share lies in [0, 100]: clipping is post-processing of released values and costs no privacy.
    share = (pl.col(num) / pl.col(den) * 100).clip(0, 100).round(1)
    return [pl.when(both & row_ok).then(share).otherwise(None).alias(out),
            pl.when(row_ok).then(status).otherwise(pl.col("status")).alias(out + "_status")]


def join_releases(table: pl.DataFrame, releases: Any) -> pl.DataFrame:
    """The profile table with the released shares per wijk (see the module docstring); unchanged if none."""
    frame = getattr(releases, "table", releases)
    if frame is None:
        return table
    cells = _cells(frame)
    if cells.is_empty():
        return table
    out = table.join(_cell(cells, "clients", "all", "all"), on="region_code", how="left")
    out = out.join(_cell(cells, "stepped_care_clients", "all", "stepped"), on="region_code", how="left")
    exprs = _share("stepped", "all", "stepped_care_share")
    types = tuple(t for t in cells["care_type"].unique(maintain_order=True).to_list() if t != "all") or CARE_TYPES
    for t in types:
        out = out.join(_cell(cells, "clients", t, t), on="region_code", how="left")
        exprs += _share(t, "all", f"care_mix_{t}")
    values, statuses = release_columns(types)
    year = pl.lit(int(cells["year"].max()), dtype=pl.Int64).alias("release_year")  # type: ignore[arg-type]
    flag = "synthetic" in cells.columns and bool(cells["synthetic"].any())
    synthetic = pl.lit(flag).alias("release_synthetic")
    extra = out.with_columns(*exprs, year, synthetic).select(
        "region_code", "release_year", "release_synthetic",
        *[c for pair in zip(values, statuses, strict=True) for c in pair])
    return table.join(extra, on="region_code", how="left")
