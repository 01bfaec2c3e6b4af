"""Reading a user's KWB file as text: encoding, separator, header identifiers, rows as strings.

Rules (documented in the README and tested in tests/hostile/test_bad_indicator_files.py):
- The file must be UTF-8 (a BOM is allowed). A latin-1 / Windows-1252 file is refused with the row and
  column of the first byte that is not UTF-8: guessing an encoding could silently change region names.
- CSV with `,` or `;` as separator (whichever the header line uses more), or JSON: a list of records as
  `cbsodata.get_data` returns it (or an OData response `{"value": [...]}`).
- The header is checked for direct identifiers (policy `identifiers.forbidden_columns`) before any data
  row is read: such a file is refused with exit code 4.
- Every cell is kept as text here; numbers are parsed later, under the schema (toolkit/sources/schemas.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ethics.errors import ForbiddenColumn, InputDataError, Problem
from ethics.policy import Policy

__all__ = ["RawTable", "read_header", "check_identifiers", "read_table", "ROW"]

ROW = "_row"  # 1-based data row number in the file (header not counted)
MSG_NOT_UTF8 = ("is not UTF-8 text (latin-1 or Windows-1252?); CBS files are UTF-8: save the file as "
                "'CSV UTF-8' and try again")
MSG_REFUSED = "{file} is not a usable CBS KWB file: {n} problem(s). Nothing was read into the panel."
MSG_JSON_SHAPE = "JSON must be a list of records (as cbsodata returns)"
MSG_JSON_DEEP = "JSON is nested too deeply to be a list of records (as cbsodata returns)"
MSG_TWICE = "header: the column name occurs twice"
MSG_IDENTIFIER = ("header: a direct identifier column is refused by the ethics policy "
                  "(identifiers.forbidden_columns); no row was read")


@dataclass(frozen=True)
class RawTable:
    """A user file as text: the header, one String column per header name plus `_row`, the separator."""

    path: Path
    header: tuple[str, ...]
    frame: pl.DataFrame
    separator: str | None  # ',' or ';' for CSV, None for JSON


def _refuse(file: str, problems: list[Problem]) -> InputDataError:
    return InputDataError(MSG_REFUSED.format(file=file, n=len(problems)), problems)


def _decode(data: bytes, file: str, separator: str, header: tuple[str, ...] = ()) -> str:
    """UTF-8 text, or a refusal naming the row and column of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        row = data.count(b"\n", 0, exc.start)  # line 0 is the header
        index = data[line_start:exc.start].count(separator.encode())
        column = header[index] if index < len(header) else f"#{index + 1}"
        raise _refuse(file, [Problem(file, row or None, column,
                                     ("header: " if row == 0 else "") + MSG_NOT_UTF8)]) from None


def _is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def read_header(path: Path) -> tuple[tuple[str, ...], str | None]:
    """The column names of a file and its CSV separator (None for JSON), without reading data rows."""
    file = str(path)
    if not path.is_file():
        raise InputDataError(f"{file} does not exist or is not a file.")
    if _is_json(path):
        records = _json_records(path)
        return tuple(dict.fromkeys(k for r in records for k in r)), None
    with path.open("rb") as fh:
        head = fh.readline()  # the whole header, however long: every name is checked for identifiers
    sep = ";" if head.count(b";") > head.count(b",") else ","
    text = _decode(head, file, sep).rstrip("\r")
    if not text.strip():
        raise _refuse(file, [Problem(file, None, None, "header: the file is empty")])
    return tuple(c.strip() for c in next(csv.reader([text], delimiter=sep))), sep


def check_identifiers(header: tuple[str, ...], file: str, policy: Policy) -> None:
    """Refuse (exit 4) a header that names a direct identifier; the same matching as the egress check."""
    bad = policy.identifiers.forbidden_in(header)
    if bad:
        problems = [Problem(file, None, c, MSG_IDENTIFIER) for c in bad]
        raise ForbiddenColumn(f"{file} is refused: it has a direct identifier column. Nothing was read.",
                              problems)


def _json_records(path: Path) -> list[dict[str, Any]]:
    file = str(path)
    text = _decode(path.read_bytes(), file, ",")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(file, [Problem(file, None, None, f"is not valid JSON (line {exc.lineno})")]) from None
    except RecursionError:
        raise _refuse(file, [Problem(file, None, None, MSG_JSON_DEEP)]) from None
    if isinstance(data, dict) and isinstance(data.get("value"), list):
        data = data["value"]
    if not (isinstance(data, list) and all(isinstance(r, dict) for r in data)):
        raise _refuse(file, [Problem(file, None, None, MSG_JSON_SHAPE)])
    return data


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _frame(header: tuple[str, ...], rows: list[list[str | None]]) -> pl.DataFrame:
    columns = {name: [r[i] for r in rows] for i, name in enumerate(header)}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(header, pl.String))
    return frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW))


def _csv_rows(path: Path, header: tuple[str, ...], sep: str) -> list[list[str | None]]:
    file = str(path)
    text = _decode(path.read_bytes(), file, sep, header)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    next(reader, None)
    rows, problems = [], []
    for i, row in enumerate(reader, start=1):
        if not row:
            continue
        if len(row) != len(header):
            problems.append(Problem(file, i, None, f"has {len(row)} fields, the header has {len(header)}"))
        rows.append(row)
    if problems:
        raise _refuse(file, problems)
    return rows


def read_table(path: Path) -> RawTable:
    """Read every row of a CSV or JSON KWB file as text (call `check_identifiers` on the header first)."""
    header, sep = read_header(path)
    if len(set(header)) != len(header):
        counts = Counter(header)  # linear: an 8 MB header is checked in a moment
        dup = sorted(c for c, n in counts.items() if n > 1)
        raise _refuse(str(path), [Problem(str(path), None, c, MSG_TWICE) for c in dup])
    if sep is None:
        records = _json_records(path)
        rows = [[_text(r.get(c)) for c in header] for r in records]
    else:
        rows = _csv_rows(path, header, sep)
    if not rows:
        raise _refuse(str(path), [Problem(str(path), None, None, "has a header but no data rows")])
    return RawTable(path=path, header=header, frame=_frame(header, rows), separator=sep)
