"""Optional live refresh of KWB figures from CBS through `cbsodata` (never needed: the snapshot is embedded).

`wijksignaal data refresh --table TABLE --gemeente GM0518 --out kwb-YYYY.csv` downloads one KWB table
(Kerncijfers wijken en buurten; 85984NED is KWB 2024) for the chosen gemeenten - their gemeente row and
wijk rows, as `cbsodata.get_data` returns them (OData keys) - and writes a UTF-8 CSV that
`wijksignaal run --indicators kwb-YYYY.csv` reads like any user KWB file. KWB 2024 itself is embedded, so
`run` refuses a 2024 file (one year, one CBS release); a newer KWB table is what adds a year. The file is
validated by the same rules before it is written, and written atomically: a failed refresh leaves no file.
It is a user input file, not a run output, so it does not pass the egress check.

Only the columns wijksignaal maps are requested (matched on their OData stems, so other KWB years work);
the year is the table's map year (`MapYear` in its metadata) unless `year` is given.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ethics.errors import ConfigError, InputDataError
from toolkit.sources._kwb_columns import (
    ODATA_GEMEENTE_NAME,
    ODATA_LEVEL,
    ODATA_NAME,
    ODATA_REGION,
    STEM_TO_NAME,
    odata_stem,
)

__all__ = ["DEFAULT_TABLE", "fetch_kwb", "write_kwb_file", "refresh"]

DEFAULT_TABLE = "85984NED"
REGION_STEMS = {odata_stem(k) for k in (ODATA_REGION, ODATA_GEMEENTE_NAME, ODATA_LEVEL)}
MSG_DOWNLOAD = "Could not download table {table} from CBS ({kind}); is there a network? Nothing was written."
MSG_NO_YEAR = "Table {table} names no map year in its metadata; pass --year."
MSG_INVALID = "The download for {out} is not a usable KWB file: {n} problem(s). Nothing was written."
MSG_EMPTY = "Table {table} returned no rows for {gemeenten}. Nothing was written."


def _check_args(table_id: str, gemeenten: Sequence[str]) -> None:
    if not re.fullmatch(r"\d{5}NED", table_id):
        raise ConfigError(f"--table must be a CBS table id such as {DEFAULT_TABLE}. Got {table_id!r}.")
    bad = [g for g in gemeenten if not re.fullmatch(r"GM\d{4}", g)]
    if bad or not gemeenten:
        raise ConfigError(f"--gemeente must be a CBS gemeente code such as GM0518. Got {bad[:1] or 'none'}.")


def _download(fn: Any, table_id: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(table_id, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - requests/HTTP/JSON errors of a network call
        raise InputDataError(MSG_DOWNLOAD.format(table=table_id, kind=type(exc).__name__)) from None


def _columns_and_year(props: list[dict[str, Any]], table_id: str, year: int | None) -> tuple[list[str], int]:
    keys = [p["Key"] for p in props if p.get("Type") == "Topic"
            and (odata_stem(p["Key"]) in STEM_TO_NAME or odata_stem(p["Key"]) in REGION_STEMS)]
    map_year = next((p.get("MapYear") for p in props if p.get("Type") == "GeoDetail"), None)
    if year is None and map_year is None:
        raise ConfigError(MSG_NO_YEAR.format(table=table_id))
    return keys, int(year if year is not None else map_year)  # type: ignore[arg-type]


def _filters(gemeenten: Sequence[str]) -> str:
    prefixes = (f"{kind}{g[2:]}" for g in gemeenten for kind in ("GM", "WK"))
    return " or ".join(f"startswith({ODATA_NAME},'{prefix}')" for prefix in prefixes)


def fetch_kwb(table_id: str = DEFAULT_TABLE, gemeenten: Sequence[str] = ("GM0518",),
              year: int | None = None) -> pl.DataFrame:
    """Download a KWB table's gemeente and wijk rows for `gemeenten`: OData-keyed text columns plus `year`."""
    _check_args(table_id, gemeenten)
    import cbsodata

    props = _download(cbsodata.get_meta, table_id, "DataProperties")
    keys, year = _columns_and_year(props, table_id, year)
    rows = _download(cbsodata.get_data, table_id, filters=_filters(gemeenten), select=[ODATA_NAME, *keys])
    region = next((k for k in keys if odata_stem(k) == odata_stem(ODATA_REGION)), ODATA_REGION)
    prefixes = tuple(f"{kind}{g[2:]}" for g in gemeenten for kind in ("GM", "WK"))
    wanted = [r for r in rows if str(r.get(region) or "").strip().startswith(prefixes)]
    if not wanted:
        raise InputDataError(MSG_EMPTY.format(table=table_id, gemeenten=", ".join(gemeenten)))
    columns = [ODATA_NAME, *keys]
    frame = pl.DataFrame({c: [None if r.get(c) is None else str(r.get(c)) for r in wanted] for c in columns},
                         schema=dict.fromkeys(columns, pl.String))
    return frame.with_columns(pl.lit(str(year)).alias("year"))


def write_kwb_file(frame: pl.DataFrame, out: Path) -> Path:
    """Validate `frame` as a user KWB file, then write it atomically as UTF-8 CSV; return the path."""
    from toolkit.sources.user_file import read_user_file

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".csv", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        frame.write_csv(tmp)
        try:
            read_user_file(tmp)
        except InputDataError as exc:  # name the file the user asked for, not the temporary one
            problems = [dataclasses.replace(p, file=str(out)) for p in exc.problems]
            raise InputDataError(MSG_INVALID.format(out=out, n=len(problems)), problems) from None
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def refresh(table_id: str, gemeenten: Sequence[str], out: Path, year: int | None = None) -> Path:
    """Download (`fetch_kwb`) and write (`write_kwb_file`) a KWB file for `--indicators`."""
    return write_kwb_file(fetch_kwb(table_id, gemeenten, year), out)
