"""A user's CBS KWB file for another year (`wijksignaal run --indicators FILE`), validated and merged.

What is refused and what is handled (tests/hostile/test_bad_indicator_files.py pins each case):
- refused, exit 4: a direct-identifier column (bsn, naam, ...; policy `identifiers.forbidden_columns`),
  checked on the header before any row is read;
- refused, exit 3, every problem listed with file, row, column and rule (never the value): a file that is
  not UTF-8 (latin-1), no region-code column, a missing required column (a_inw, a_00_14, a_15_24 and one
  youth-care column), a region code that is not a CBS code, text in a numeric column, a decimal comma in a
  comma-separated file ("1,234": 1234 or 1.234?), mixed decimal marks, a count that is negative or not
  whole, a percentage outside 0-100, a region twice in one year, a wijk without its gemeente's row, and a
  year that the embedded data already hold with youth-care figures (2018-2022 and 2024);
- handled: CBS padding is stripped; the markers `.`, `x`, `-` and empty become missing, never 0; CBS's
  negative missing-value codes (-99997 and the like) become missing; a `;`-separated file with decimal
  commas throughout is read as Dutch CSV; buurt rows (BU codes) are skipped (wijksignaal works on wijken);
  a file without region names (KWB as CBS's OData API returns it) gets the gemeente name for gemeente rows
  and the 2024 map's wijk name for wijk rows.

A year the embedded data do not hold (a newer KWB such as 2025, or the missing 2023) is added. Should the
embedded data hold a year only partly, without youth care, the file's row of a region replaces that region's
row whole (cells of two sources never mix in a row). The youth-care rate of the new rows is computed by
`toolkit.sources.bridge` (the KWB percentage where the file has it, else count / youths 0-22).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ethics.errors import InputDataError, InternalError, Problem
from ethics.policy import Policy, load_policy
from toolkit.sources import _cbs
from toolkit.sources import schemas as sc
from toolkit.sources._kwb_columns import ColumnMap, map_columns, year_from_name
from toolkit.sources._kwb_read import ROW, RawTable, check_identifiers, read_header, read_table
from toolkit.sources.bridge import add_youth_care_rate
from toolkit.sources.dictionary import ID_COLUMNS

__all__ = ["UserFile", "read_user_file", "check_user_file", "merge_user_file", "merge_frames"]

MSG_REFUSED = "{file} is not a usable CBS KWB file: {n} problem(s). Nothing was read into the panel."
MSG_NO_YEAR = ("header: no year column (year, jaar or Perioden) and no single year in the file name: add a "
               "'year' column or name the file like kwb-2023.csv")
MSG_YEAR_TAKEN = ("year {year} is already in the embedded data with youth-care figures; wijksignaal does not "
                  "mix two CBS releases of one year: leave these rows out")
FLAVOURS = {"cbs_short_codes": "CBS short codes", "odata": "CBS OData keys (cbsodata)"}
BRIDGE_SOURCE = "derived: see toolkit/sources/bridge.py (definition changes between 2020 and 2021)"


@dataclass(frozen=True)
class UserFile:
    """A validated user KWB file under panel names, with its provenance (column, year, n_values, source)."""

    path: Path
    flavour: str
    years: tuple[int, ...]
    frame: pl.DataFrame
    provenance: pl.DataFrame
    skipped_buurt_rows: int
    sha256: str


def _number(col: str, decimal_comma: bool) -> pl.Expr:
    """CBS rules: padding stripped, markers missing (never 0), negative marker codes missing."""
    text = _cbs.clean_text(col)
    text = text.str.replace(",", ".", literal=True) if decimal_comma else text
    value = text.cast(pl.Float64, strict=False)
    return pl.when(value <= _cbs.NEGATIVE_MARKER_LIMIT).then(None).otherwise(value)


def _parse(raw: pl.DataFrame, cmap: ColumnMap, decimal_comma: bool, year: int | None) -> pl.DataFrame:
    code = pl.col(cmap.region).str.strip_chars()
    year_expr = (pl.col(cmap.year).str.strip_chars().str.slice(0, 4).cast(pl.Int32, strict=False) if cmap.year
                 else pl.lit(year, pl.Int32))
    names = [(_cbs.clean_text(c) if c else pl.lit(None, pl.String)).alias(a)
             for c, a in ((cmap.region_name, "region_name"), (cmap.gemeente_name, "gemeente_name"))]
    values = [_number(col, decimal_comma).alias(name) for name, col in cmap.values.items()]
    return raw.select(pl.col(ROW), code.alias("region_code"), _cbs.level_of(code).alias("level"),
                      _cbs.gemeente_of(code).alias("gemeente_code"), year_expr.alias("year"), *names, *values)


def _uses_decimal_comma(raw: RawTable, columns: list[str]) -> bool:
    if raw.separator != ";":
        return False
    return any(raw.frame[c].str.strip_chars().str.contains(sc.COMMA_NUMBER).any() for c in columns)


def _validate(raw: RawTable, cmap: ColumnMap, year: int | None) -> tuple[pl.DataFrame, list[Problem]]:
    file, cols = str(raw.path), list(cmap.values.values())
    comma = _uses_decimal_comma(raw, cols)
    text = sc.kwb_text_schema(cmap.region, cmap.year, cols, comma, raw.separator)
    problems = sc.problems(sc.validated(text, raw.frame), file, raw.frame[ROW])
    frame = _parse(raw.frame, cmap, comma, year)
    frame = frame.filter(pl.col("region_code").str.contains(sc.USER_REGION_CODE).fill_null(False),
                         pl.col("year").is_not_null())
    value = sc.kwb_value_schema(list(cmap.values))
    wijken = frame.filter(~pl.col("region_code").str.starts_with("BU"))
    problems += sc.problems(sc.validated(value, wijken), file, wijken[ROW], cmap.source_of)
    return frame, problems


def _complete(frame: pl.DataFrame) -> pl.DataFrame:
    """Youth-care count from the KWB column where the youth-care table's is absent, then the rate bridge."""
    for name in ("youth_care_clients", "youth_care_clients_kwb", "pct_youth_care_kwb"):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Float64).alias(name))
    count = pl.coalesce("youth_care_clients", "youth_care_clients_kwb")
    frame = frame.with_columns(count.alias("youth_care_clients"))
    return add_youth_care_rate(frame)


def _fill_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Region names where the file has none (KWB 2024 as CBS's OData API returns it has no name column):
    a gemeente row takes its gemeente name, a wijk row the name in the embedded 2024 map (CBS/PDOK)."""
    if not frame["region_name"].is_null().any():
        return frame
    from toolkit.sources.embedded import load_map

    wijknaam = {f["properties"]["wijkcode"]: f["properties"]["wijknaam"].strip() for f in load_map()["features"]}
    fallback = (pl.when(pl.col("level") == "gemeente").then(pl.col("gemeente_name"))
                .when(pl.col("level") == "wijk")
                .then(pl.col("region_code").replace_strict(wijknaam, default=None, return_dtype=pl.String)))
    return frame.with_columns(pl.coalesce("region_name", fallback).alias("region_name"))


def _provenance(frame: pl.DataFrame, path: Path, sha: str, flavour: str) -> pl.DataFrame:
    source = f"user KWB file {path.name} (sha256 {sha[:16]}, {FLAVOURS[flavour]})"
    rows = []
    for col in (c for c in frame.columns if c not in ID_COLUMNS and c != ROW):
        for year, n in frame.group_by("year").agg(pl.col(col).is_not_null().sum()).sort("year").iter_rows():
            if n:
                derived = col in ("youth_care_rate_pct", "youth_care_rate_method", "youth_0_22_est")
                rows.append({"column": col, "year": year, "n_values": n, "source": BRIDGE_SOURCE if derived
                             else source})
    return pl.DataFrame(rows, schema={"column": pl.String, "year": pl.Int32, "n_values": pl.UInt32,
                                      "source": pl.String}).sort("column", "year")


def read_user_file(path: Path, policy: Policy | None = None, year: int | None = None) -> UserFile:
    """Read and validate a KWB file; raise ForbiddenColumn (exit 4) or InputDataError (exit 3, all problems).

    `year` is used when the file has no year column; otherwise the one year in the file name is used.
    """
    path, file = Path(path), str(path)
    header, _ = read_header(path)
    check_identifiers(header, file, policy or load_policy())
    cmap = map_columns(header, file)
    if cmap.year is None:
        year = year if year is not None else year_from_name(path.name)
        if year is None:
            raise InputDataError(MSG_REFUSED.format(file=file, n=1), [Problem(file, None, None, MSG_NO_YEAR)])
    raw = read_table(path)
    frame, problems = _validate(raw, cmap, year)
    if problems:
        raise InputDataError(MSG_REFUSED.format(file=file, n=len(problems)), problems)
    buurt = frame["region_code"].str.starts_with("BU")
    frame = _fill_names(_complete(frame.filter(~buurt)))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return UserFile(path=path, flavour=cmap.flavour, years=tuple(sorted(frame["year"].unique().to_list())),
                    frame=frame, provenance=_provenance(frame, path, sha, cmap.flavour),
                    skipped_buurt_rows=int(buurt.sum()), sha256=sha)


def _year_conflicts(panel: pl.DataFrame, user: UserFile) -> list[Problem]:
    with_care = set(panel.filter(pl.col("youth_care_rate_pct").is_not_null())["year"].unique().to_list())
    out = []
    for year in sorted(set(user.years) & with_care):
        first = user.frame.filter(pl.col("year") == year)[ROW].min()
        out.append(Problem(str(user.path), int(first), "year", MSG_YEAR_TAKEN.format(year=year)))  # type: ignore[arg-type]
    return out


def merge_frames(panel: pl.DataFrame, user: UserFile) -> pl.DataFrame:
    """The panel with the user's rows added (new years) or replacing rows without youth care (module doc)."""
    conflicts = _year_conflicts(panel, user)
    if conflicts:
        raise InputDataError(MSG_REFUSED.format(file=user.path, n=len(conflicts)), conflicts)
    new = user.frame.select([(pl.col(c) if c in user.frame.columns else pl.lit(None)).cast(t).alias(c)
                             for c, t in panel.schema.items()])
    errors = sc.validated(sc.panel_schema([c for c in panel.columns if c not in ID_COLUMNS]), new)
    if errors is not None:
        raise InternalError(f"The rows read from {user.path} do not fit the panel schema.")
    keys = new.select("region_code", "year")
    kept = panel.join(keys, on=["region_code", "year"], how="anti")
    return pl.concat([kept, new]).sort("year", "level", "region_code")


def merge_user_file(panel: pl.DataFrame, path: Path, policy: Policy | None = None,
                    year: int | None = None) -> pl.DataFrame:
    """Read, validate and merge a user KWB file into the panel (see the module docstring for the rules)."""
    return merge_frames(panel, read_user_file(path, policy, year))


def check_user_file(path: Path, policy: Policy | None = None,
                    panel: pl.DataFrame | None = None) -> list[Problem]:
    """Every problem of a KWB file, as `wijksignaal validate` lists them (ForbiddenColumn still raises)."""
    try:
        user = read_user_file(path, policy)
        if panel is not None:
            merge_frames(panel, user)
    except InputDataError as exc:
        return exc.problems or [Problem(str(path), None, None, str(exc))]
    return []
