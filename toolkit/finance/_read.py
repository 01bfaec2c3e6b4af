"""Readers of the public money files in ../shared/data/finance: every quirk handled here, nowhere else.

Each file is sniffed, not assumed: the separator is the first of TAB, `;`, `,` found in the header; the
decimal mark is a comma when any number cell holds one (then a dot is a thousands separator, as in
"5.065,98"), else a dot (Iv3 writes "17709.0"). CRLF line ends and a UTF-8 BOM are dropped. Empty cells
are missing (null), never 0. A cell that is not a number raises `InputDataError` naming file, row and column
(the value is public data, but the message follows the project's rule and does not repeat it).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl

from ethics.errors import InputDataError, Problem

__all__ = ["MSG_BAD_FILE", "read_table", "to_numbers", "decimal_mark"]

MSG_BAD_FILE = "The money file {file} cannot be used: {rule}."
NUMBER_DOT = re.compile(r"^-?\d+(\.\d+)?$")
NUMBER_COMMA = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


def read_table(path: Path, required: tuple[str, ...] = ()) -> pl.DataFrame:
    """A money file as text columns (separator sniffed, CRLF and BOM dropped, cells stripped)."""
    try:
        text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputDataError(MSG_BAD_FILE.format(file=path, rule=f"it cannot be read as UTF-8 text ({exc})")) from None
    header = text.split("\n", 1)[0]
    sep = next((s for s in ("\t", ";", ",") if s in header), None)
    if sep is None:
        raise InputDataError(MSG_BAD_FILE.format(file=path, rule="its header has no TAB, ';' or ',' separator"))
    frame = pl.read_csv(io.StringIO(text), separator=sep, infer_schema=False, quote_char='"')
    frame = frame.rename({c: c.strip() for c in frame.columns})
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputDataError(MSG_BAD_FILE.format(file=path, rule=f"it lacks the column(s) {', '.join(missing)}"))
    return frame.with_columns(pl.col(c).str.strip_chars() for c in frame.columns)


def decimal_mark(frame: pl.DataFrame, columns: list[str]) -> str:
    """',' when any of `columns` holds a comma (Dutch notation), else '.'."""
    return "," if any(frame[c].str.contains(",", literal=True).any() for c in columns) else "."


def to_numbers(frame: pl.DataFrame, columns: list[str], path: Path) -> pl.DataFrame:
    """Parse `columns` to Float64 in the file's own notation; raise naming the first bad cell per column."""
    mark = decimal_mark(frame, columns)
    pattern = NUMBER_COMMA if mark == "," else NUMBER_DOT
    problems = []
    out = []
    for col in columns:
        text = pl.col(col).str.strip_chars()
        bad = frame.with_row_index("row").filter(
            text.is_not_null() & (text != "") & ~text.str.contains(pattern.pattern)
        )
        if bad.height:
            problems.append(Problem(str(path), int(bad["row"][0]) + 1, col,
                                    f"not a number in {'Dutch (1.234,5)' if mark == ',' else 'dot-decimal'} notation"))
            continue
        if mark == ",":
            text = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        out.append(pl.when(text == "").then(None).otherwise(text).cast(pl.Float64).alias(col))
    if problems:
        raise InputDataError(MSG_BAD_FILE.format(file=path, rule="some cells are not numbers"), problems)
    return frame.with_columns(out)
