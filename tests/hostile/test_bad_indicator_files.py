"""Hostile KWB files for `run --indicators` and `validate`: a table of (case, expected_exit, expected_reason).

Each case starts from a good TEST FIXTURE (embedded 2022 rows of Den Haag relabelled 2023, see
tests/kwb_test_files.py) and breaks one thing. Decisions (also in toolkit/sources/user_file.py):
refused (exit 3, or 4 for an identifier) with one message naming file, row and column, nothing written;
or handled (exit 0) where the CBS meaning is unambiguous: markers and negative marker codes become
missing, a `;` file with decimal commas throughout is Dutch CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import polars as pl
import pytest
from kwb_test_files import kwb_rows, short_code_frame, write
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.sources import schemas as sc
from toolkit.sources._kwb_columns import MSG_MISSING
from toolkit.sources._kwb_read import MSG_IDENTIFIER, MSG_NOT_UTF8
from toolkit.sources.user_file import MSG_YEAR_TAKEN

runner = CliRunner()


class Case(NamedTuple):
    make: Callable[[pl.DataFrame, Path], Path]
    exit: int
    reason: str | None = None
    row: int | None = None
    column: str | None = None


def cell(row: int, col: str, value: str, sep: str = ",", encoding: str = "utf-8", dutch: bool = False):
    """A maker that sets data row `row` (1-based) of text column `col`."""
    def make(frame: pl.DataFrame, path: Path) -> Path:
        frame = dutch_numbers(frame) if dutch else frame
        hit = pl.int_range(pl.len()) == row - 1
        frame = frame.with_columns(pl.when(hit).then(pl.lit(value)).otherwise(pl.col(col)).alias(col))
        return write(frame, path, sep, encoding)
    return make


def dutch_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    values = [c for c in frame.columns if c not in ("gwb_code_10", "regio", "gm_naam", "year")]
    return frame.with_columns(pl.col(values).str.replace(".", ",", literal=True))


def with_column(name: str, value: str):
    return lambda f, p: write(f.with_columns(pl.lit(value).alias(name)), p)


CODE, RULES = "gwb_code_10", sc.RULES
CASES: dict[str, Case] = {
    "wrong region code": Case(cell(2, CODE, "WK05180"), 3, RULES["region_code"], 2, CODE),
    "lower-case region code": Case(cell(3, CODE, "wk051802"), 3, RULES["region_code"], 3, CODE),
    "text in a numeric column": Case(cell(3, "a_inw", "veel"), 3, RULES["number"], 3, "a_inw"),
    "decimal comma in a comma CSV": Case(cell(4, "a_inw", "1,234"), 3, RULES["comma_in_comma_csv"], 4,
                                         "a_inw"),
    "mixed decimal marks in a ; CSV": Case(cell(5, "g_hhgro", "2.1", ";", dutch=True), 3,
                                           RULES["dot_in_comma_file"], 5, "g_hhgro"),
    "1,234 persons in a ; CSV (1.234)": Case(cell(6, "a_inw", "1,234", ";", dutch=True), 3, RULES["count"], 6,
                                             "a_inw"),
    "percentage with a lost decimal comma": Case(cell(7, "p_huurw", "455"), 3, RULES["pct"], 7, "p_huurw"),
    "negative count": Case(cell(8, "a_00_14", "-5"), 3, RULES["count"], 8, "a_00_14"),
    # 45 rows (GM0518 and its 44 wijken), then a copy of row 10
    "region twice in one year": Case(lambda f, p: write(pl.concat([f, f.slice(9, 1)]), p), 3, RULES["unique"],
                                     46, CODE),
    "wijk without its gemeente row": Case(cell(10, CODE, "WK999901"), 3, RULES["gemeente_row"], 10, CODE),
    "missing required column": Case(lambda f, p: write(f.drop("a_00_14"), p), 3,
                                    MSG_MISSING.format(what="a_00_14 or k_0Tot15Jaar_<n>"), None, "a_00_14"),
    "latin-1 encoding": Case(cell(4, "regio", "Duinoord-Café", encoding="latin-1"), 3, MSG_NOT_UTF8, 4,
                             "regio"),
    "bsn column": Case(with_column("bsn", ""), 4, MSG_IDENTIFIER, None, "bsn"),
    "BSN column, other spelling": Case(with_column(" BSN ", ""), 4, MSG_IDENTIFIER, None, "BSN"),
    "year already in the panel": Case(with_column("year", "2022"), 3, MSG_YEAR_TAKEN.format(year=2022), 1,
                                      "year"),
    "CBS markers (handled: missing)": Case(cell(2, "a_jz_tn", "."), 0),
    "CBS secret marker x (handled: missing)": Case(cell(3, "p_huurw", " x "), 0),
    "negative CBS marker code -99997 (handled)": Case(cell(2, "a_jz_tn", "-99997"), 0),
    "Dutch ; CSV with decimal commas (handled)": Case(lambda f, p: write(dutch_numbers(f), p, ";"), 0),
}
TABLE = [(case, c.exit, c.reason) for case, c in CASES.items()]


@pytest.fixture(scope="module")
def good(panel_frame) -> pl.DataFrame:
    return short_code_frame(kwb_rows(panel_frame))


@pytest.mark.parametrize(("case", "expected_exit", "expected_reason"), TABLE, ids=list(CASES))
def test_run_with_a_bad_indicator_file(good, tmp_path, case, expected_exit, expected_reason):
    path = CASES[case].make(good, tmp_path / "kwb.csv")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--indicators", str(path), "--out", str(out)])
    assert result.exit_code == expected_exit, result.output
    if expected_exit == 0:
        assert (out / "profiles.csv").is_file()
        return
    problems = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1, result.output  # one clear message
    row, column = CASES[case].row, CASES[case].column
    where = [str(path)] + ([f"row {row}"] if row else []) + ([f"column '{column}'"] if column else [])
    assert problems[0] == f"  - {', '.join(where)}: {expected_reason}"
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kwb.csv"]


@pytest.mark.parametrize(("case", "expected_exit", "expected_reason"), TABLE, ids=list(CASES))
def test_validate_gives_the_same_verdict(good, tmp_path, case, expected_exit, expected_reason):
    path = CASES[case].make(good, tmp_path / "kwb.csv")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == expected_exit, result.output
    assert expected_reason is None or expected_reason in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kwb.csv"]
