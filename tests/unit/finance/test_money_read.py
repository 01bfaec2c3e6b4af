"""Parsing quirks of the money files: separators, decimal commas, thousands dots, CRLF, BOM, empty cells."""

from __future__ import annotations

import polars as pl
import pytest

from ethics.errors import InputDataError
from toolkit.finance._read import read_table, to_numbers


def _write(tmp_path, name: str, text: str, newline: str = "\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_dutch_numbers_with_thousands_dots_and_crlf(tmp_path, newline):
    path = _write(tmp_path, "w.csv", "code\tnaam\tJeugd\nbo3_nw\tbijstand\t5.065,98\njong\tjongeren\t303,55\n"
                  "oadw\tdichtheid\t-26,04\nx\tgroot\t1.234.567,5\n", newline)
    frame = to_numbers(read_table(path, ("code", "Jeugd")), ["Jeugd"], path)
    assert frame["Jeugd"].to_list() == [5065.98, 303.55, -26.04, 1234567.5]
    assert frame["code"].to_list()[-1] == "x"  # no stray carriage return left in the last column


def test_dot_decimals_stay_decimals_when_no_cell_has_a_comma(tmp_path):
    path = _write(tmp_path, "iv3.csv", "Gemeenten;Taakveld;Lasten\nA;6.72a x;17709.0\nB;6.72b y;\n")
    frame = to_numbers(read_table(path, ("Lasten",)), ["Lasten"], path)
    assert frame["Lasten"][0] == 17709.0
    assert frame["Lasten"][1] is None  # empty means missing, never 0


def test_a_byte_order_mark_does_not_rename_the_first_column(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffCBS\tNaam\n518\tDen Haag\n".encode())
    assert read_table(path, ("CBS", "Naam")).columns == ["CBS", "Naam"]


def test_a_bad_cell_names_file_row_and_column_not_the_value(tmp_path):
    path = _write(tmp_path, "bad.csv", "CBS\tjong\n518\t1,5\n599\tveel\n")
    with pytest.raises(InputDataError) as err:
        to_numbers(read_table(path), ["jong"], path)
    text = err.value.render()
    assert "bad.csv" in text and "row 2" in text and "'jong'" in text and "veel" not in text


def test_a_missing_column_is_named(tmp_path):
    path = _write(tmp_path, "cols.csv", "CBS;Naam\n1;A\n")
    with pytest.raises(InputDataError, match="lacks the column"):
        read_table(path, ("CBS", "jong"))


def test_a_file_without_a_separator_is_refused(tmp_path):
    with pytest.raises(InputDataError, match="separator"):
        read_table(_write(tmp_path, "one.csv", "onlyonecolumn\n1\n"))


def test_numbers_are_floats_so_nine_digit_euros_never_look_like_a_bsn(tmp_path):
    path = _write(tmp_path, "v.csv", "CBS\tWOZ\n518\t111222333\n")
    assert to_numbers(read_table(path), ["WOZ"], path)["WOZ"].dtype == pl.Float64


def test_a_missing_file_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(InputDataError, match="absent.csv"):
        read_table(tmp_path / "absent.csv")
