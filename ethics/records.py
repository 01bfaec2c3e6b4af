"""The only reader of personal records (municipal youth-care and Wmo registers): header first, then rows, validated.

Columns (ARCHITECTURE.md): client_id, birth_year, wijk_code, care_type, provider, start_date, end_date
(empty = ongoing), cost_eur, and optional referrer and synthetic; the layout of the domain
(`ethics._records_schema`: jeugd, wmo) fixes the care types and plausible birth years. How inputs are handled:
- The header is read alone and checked against the policy's forbidden column names (direct identifiers)
  before any row is read: a hit raises `ForbiddenColumn` (exit 4) naming the column.
- Other columns outside the contract are never parsed. CSV (`,`, `;` or tab) and Parquet are read.
- A file that is not UTF-8 is read as Windows-1252 (latin-1), as Dutch spreadsheet exports often are.
- Decimal commas in cost_eur are read ("1234,50" and "1.234,50"); a lone "." is a decimal point.
- Dates are YYYY-MM-DD or DD-MM-YYYY. An empty wijk_code means no known address: the child counts in the
  gemeente only, as in CBS's tables. Empty cost_eur counts as 0 euros.
- Problems, each reported as file + row + column + rule and never with a value: an empty file, a header
  without rows, a missing column, unreadable numbers or dates, negative costs, end_date before start_date,
  unknown care types, wijk codes that are not wijken of the gemeente, and exact duplicate rows (the later
  copy is reported). pandera validates with validation forced on, whatever PANDERA_VALIDATION_ENABLED says.

Example:
    >>> from ethics.policy import load_policy
    >>> validate_records(Path("no-such-file.csv"), load_policy())[0].rule
    'the file does not exist'
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl

from ethics._client_ids import refuse_bsn_ids
from ethics._records_schema import JEUGD, OPTIONAL, REQUIRED, RecordLayout, build_schema, problems_from
from ethics.errors import ConfigError, ForbiddenColumn, InputDataError, Problem
from ethics.policy import Policy

__all__ = ["validate_records", "read_records", "read_header", "check_path", "MSG_FORBIDDEN", "MSG_INVALID"]

MSG_FORBIDDEN = (
    "Records file {file} has a column '{column}' that is a direct identifier forbidden by the ethics "
    "policy. Remove it (and never export it); nothing was read beyond the header."
)
MSG_INVALID = "Records file {file} has {n} problem(s); fix them and run again. Nothing was released."
MAX_PROBLEMS = 1000
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "_", name.strip().strip('"').strip("'").lower())


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="strict") if _is_cp1252(raw) else raw.decode("latin-1")


def _is_cp1252(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def read_header(path: Path) -> tuple[list[str], list[str], str]:
    """Column names as written and normalised, and the delimiter: first line only (Parquet: its schema)."""
    if path.suffix.lower() == ".parquet":
        raw = list(pl.read_parquet_schema(path))
        return raw, [_normalise(c) for c in raw], ""
    with path.open("rb") as fh:
        first = fh.readline()  # the whole header: a forbidden name far to the right is still found
    line = _decode(first).rstrip("\r\n")
    sep = max((";", ",", "\t"), key=line.count)
    raw = line.split(sep) if line.strip() else []
    return raw, [_normalise(c) for c in raw], sep


def check_path(path: Path) -> Path:
    """The records path when it is a readable file; else ConfigError (exit 2) naming the path (no hashing or
    reading happens before this check)."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"Records file {path} does not exist.")
    if not path.is_file():
        raise ConfigError(f"Records path {path} is not a file (a folder?). Give the records file itself.")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise ConfigError(f"Records file {path} cannot be read ({exc.strerror or type(exc).__name__}).") from None
    return path


def _check_header(
    path: Path, names: list[str], policy: Policy, raw_names: list[str] | None = None
) -> list[Problem]:
    for raw in policy.identifiers.forbidden_in(raw_names or names):
        name = names[(raw_names or names).index(raw)]
        raise ForbiddenColumn(MSG_FORBIDDEN.format(file=path.name, column=name))
    problems = [Problem(path.name, None, c, "required column is missing") for c in REQUIRED if c not in names]
    dups = sorted({n for n in names if names.count(n) > 1 and n in (*REQUIRED, *OPTIONAL)})
    return problems + [Problem(path.name, None, c, "the column appears more than once") for c in dups]


_TYPES = {
    "client_id": pl.String,
    "birth_year": pl.Int64,
    "wijk_code": pl.String,
    "care_type": pl.String,
    "provider": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "cost_eur": pl.Float64,
    "referrer": pl.String,
    "synthetic": pl.Boolean,
}


def _wanted(names: list[str]) -> list[str]:
    return [c for c in (*REQUIRED, "synthetic") if c in names]


CATEGORICAL = ("wijk_code", "care_type", "provider")
_FAST_TYPES = {**_TYPES, **dict.fromkeys(CATEGORICAL, pl.Categorical)}


def _read_typed(path: Path, raw_names: list[str], names: list[str], sep: str) -> pl.DataFrame | None:
    """Fast path for clean files: parse types while reading (wijk, care type and provider as categoricals: a
    4-byte code per row instead of the text); None when anything needs the careful path."""
    wanted = _wanted(names)
    source = {n: raw for raw, n in zip(raw_names, names, strict=True)}
    try:
        if path.suffix.lower() == ".parquet":
            schema = pl.read_parquet_schema(path)
            frame = pl.scan_parquet(path).select(
                pl.col(source[c]).cast(pl.Categorical)
                if c in CATEGORICAL and schema[source[c]] == pl.String
                else pl.col(source[c])
                for c in wanted
            ).collect()
        else:
            frame = pl.read_csv(
                path,
                separator=sep,
                columns=[source[c] for c in wanted],
                infer_schema=False,
                schema_overrides={source[c]: _FAST_TYPES[c] for c in wanted},
                encoding="utf8",
            )
        frame = frame.rename({source[c]: c for c in wanted}).select(wanted)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError, KeyError):
        return None
    if any(frame.schema[c] != _FAST_TYPES[c] for c in wanted):
        return None
    if frame.select(pl.col("client_id").str.contains(r"^\s|\s$").any()).item():
        return None  # padded ids would split a child in two: the careful path strips them
    return frame


def _read_rows(path: Path, names: list[str], sep: str) -> pl.DataFrame:
    """Careful path: every contract column as text (any encoding), parsed and reported cell by cell."""
    wanted = _wanted(names)
    if path.suffix.lower() == ".parquet":
        frame = pl.read_parquet(path).rename(lambda c: _normalise(c)).select(wanted)
        return frame.with_columns(pl.all().cast(pl.String))
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
        source: bytes = raw
    except UnicodeDecodeError:
        source = _decode(raw).encode("utf-8")
    del raw
    index = [names.index(c) for c in wanted]
    frame = pl.read_csv(
        io.BytesIO(source), separator=sep, has_header=False, skip_rows=1, infer_schema=False, columns=index
    )
    return frame.rename(dict(zip(frame.columns, wanted, strict=True)))


def _cost(col: pl.Expr) -> pl.Expr:
    text = col.str.replace_all(r"[€\s]", "")
    dutch = text.str.contains(r",")
    text = pl.when(dutch).then(text.str.replace_all(r"\.", "").str.replace(",", ".")).otherwise(text)
    return text.cast(pl.Float64, strict=False)


def _date(col: pl.Expr) -> pl.Expr:
    return pl.coalesce([col.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS])


def _typed(frame: pl.DataFrame, file: str) -> tuple[pl.DataFrame, list[Problem]]:
    text = frame.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    parsers = {
        "birth_year": pl.col("birth_year").cast(pl.Int64, strict=False),
        "cost_eur": _cost(pl.col("cost_eur")),
        "start_date": _date(pl.col("start_date")),
        "end_date": _date(pl.col("end_date")),
    }
    rules = {
        "birth_year": "must be a whole year such as 2012",
        "cost_eur": "must be a number of euros",
        "start_date": "must be a date (YYYY-MM-DD or DD-MM-YYYY)",
        "end_date": "must be a date (YYYY-MM-DD or DD-MM-YYYY) or empty",
    }
    typed = text.with_columns(**parsers)
    if "synthetic" in typed.columns:
        typed = typed.with_columns(pl.col("synthetic").str.to_lowercase().is_in(["true", "1", "ja", "yes"]))
    problems = []
    for col in parsers:
        bad = text.select(pl.col(col).is_not_null() & typed[col].is_null()).to_series()
        rows = bad.arg_true().head(MAX_PROBLEMS).to_list()
        problems += [Problem(file, r + 1, col, rules[col]) for r in rows]
    return typed, problems


def _duplicates(frame: pl.DataFrame, file: str) -> list[Problem]:
    """Exact duplicate rows (the later copies): candidates share a hash of client and start, then compared."""
    import numpy as np

    keys = frame.select(pl.col("client_id").hash(11) ^ pl.col("start_date").hash(13)).to_series()
    order = keys.arg_sort().to_numpy()
    ordered = keys.to_numpy()[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    candidates = np.unique(np.r_[order[same], order[same + 1]])
    if not len(candidates):
        return []
    subset = frame.select(REQUIRED).gather(candidates)
    later = (~subset.select(pl.struct(REQUIRED).is_first_distinct()).to_series()).arg_true()
    rows = candidates[later.to_numpy()][:MAX_PROBLEMS]
    return [Problem(file, int(r) + 1, None, "duplicates an earlier row") for r in rows]


def _schema_problems(
    frame: pl.DataFrame, file: str, known_wijken: set[str] | None, categorical: bool = False,
    layout: RecordLayout = JEUGD,
) -> list[Problem]:
    import pandera.polars as pa
    from pandera.config import ValidationDepth, config_context

    with config_context(validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            build_schema(known_wijken, categorical=categorical, layout=layout).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as err:
            return problems_from(err.failure_cases, file, MAX_PROBLEMS, layout)
    return []


def _problems(
    frame: pl.DataFrame,
    file: str,
    known_wijken: set[str] | None,
    unreadable: list[Problem],
    categorical: bool = False,
    layout: RecordLayout = JEUGD,
) -> list[Problem]:
    cells = {(p.row, p.column) for p in unreadable}
    problems = unreadable + _duplicates(frame, file)
    problems += [
        p
        for p in _schema_problems(frame, file, known_wijken, categorical, layout)
        if not (p.rule == "must not be empty" and (p.row, p.column) in cells)
    ]
    return sorted(set(problems), key=lambda p: (p.row or 0, p.column or "", p.rule))[:MAX_PROBLEMS]


def _load(
    path: Path, policy: Policy, known_wijken: set[str] | None, layout: RecordLayout = JEUGD
) -> tuple[pl.DataFrame | None, list[Problem]]:
    path = Path(path)
    if not path.is_file():
        return None, [Problem(path.name, None, None, "the file does not exist")]
    if path.stat().st_size == 0:
        return None, [Problem(path.name, None, None, "the file is empty")]
    try:
        raw_names, names, sep = read_header(path)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:  # e.g. CSV text named .parquet
        return None, [Problem(path.name, None, None, f"cannot be read as CSV or Parquet ({type(exc).__name__})")]
    problems = _check_header(path, names, policy, raw_names)
    if problems:
        return None, problems
    fast = _read_typed(path, raw_names, names, sep)
    if (
        fast is not None
        and not fast.is_empty()
        and not (problems := _problems(fast, path.name, known_wijken, [], categorical=True, layout=layout))
    ):
        return fast, []
    try:
        frame = _read_rows(path, names, sep)
    except pl.exceptions.NoDataError:
        frame = pl.DataFrame()
    except (pl.exceptions.PolarsError, OSError) as exc:
        return None, [
            Problem(path.name, None, None, f"cannot be read as CSV or Parquet ({type(exc).__name__})")
        ]
    if frame.is_empty():
        return None, [Problem(path.name, None, None, "has a header but no data rows")]
    typed, unreadable = _typed(frame, path.name)
    return typed, _problems(typed, path.name, known_wijken, unreadable, layout=layout)


def validate_records(path: Path, policy: Policy, known_wijken: set[str] | None = None,
                     layout: RecordLayout = JEUGD) -> list[Problem]:
    """Every problem of a records file of `layout`'s domain (empty list: valid). Raises ForbiddenColumn for
    direct identifiers."""
    frame, problems = _load(path, policy, known_wijken, layout)
    if frame is not None and "client_id" in frame.columns:
        refuse_bsn_ids(frame["client_id"], Path(path).name, policy)
    return problems


def read_records(path: Path, policy: Policy, known_wijken: set[str] | None = None,
                 layout: RecordLayout = JEUGD) -> pl.DataFrame:
    """The typed records, or InputDataError (exit 3) listing every problem; ForbiddenColumn (exit 4) first.
    A missing, unreadable or non-file path is a usage error (ConfigError, exit 2) naming the path.
    wijk_code, care_type and provider come back as Categorical columns."""
    frame, problems = _load(check_path(path), policy, known_wijken, layout)
    if frame is not None and "client_id" in frame.columns:
        refuse_bsn_ids(frame["client_id"], Path(path).name, policy)
    if problems or frame is None:
        raise InputDataError(MSG_INVALID.format(file=Path(path).name, n=len(problems)), problems)
    # few distinct values: categorical columns hold a 4-byte code per row instead of the text (memory)
    return frame.with_columns(pl.col(*CATEGORICAL).cast(pl.Categorical))
