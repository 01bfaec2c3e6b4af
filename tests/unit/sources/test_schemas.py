"""pandera schemas: the shipped panel passes; each rule catches its case and reports no value."""

from __future__ import annotations

import polars as pl
import pytest

from toolkit.sources import schemas as sc
from toolkit.sources.dictionary import ID_COLUMNS


def _panel_problems(frame: pl.DataFrame):
    schema = sc.panel_schema([c for c in frame.columns if c not in ID_COLUMNS])
    return sc.problems(sc.validated(schema, frame), "panel", pl.Series(range(1, frame.height + 1)))


def test_the_shipped_panel_passes_its_schema(panel_frame):
    assert _panel_problems(panel_frame) == []


def _set(frame: pl.DataFrame, row: int, col: str, value) -> pl.DataFrame:
    return frame.with_columns(pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value, frame.schema[col]))
                              .otherwise(pl.col(col)).alias(col))


@pytest.mark.parametrize(("case", "column", "value", "rule"), [
    ("negative count", "population", -5.0, "count"),
    ("fractional count", "youth_care_clients", 10.5, "count"),
    ("percentage above 100", "pct_rental", 140.0, "pct"),
    ("urbanity outside 1..5", "urbanity_class", 7.0, "class_1_5"),
    ("not a region code", "region_code", "WK05", "region_code"),
    ("level does not match the code", "level", "land", "level"),
    ("rate without its method", "youth_care_rate_method", None, "method"),
])
def test_panel_schema_catches(panel_frame, case, column, value, rule):
    den_haag = panel_frame.filter(pl.col("region_code") == "WK051802", pl.col("year") == 2022)
    frame = pl.concat([panel_frame.head(3), den_haag])
    problems = _panel_problems(_set(frame, 3, column, value))
    assert sc.RULES[rule] in {p.rule for p in problems if p.row == 4}, case


def test_panel_schema_catches_a_region_twice_in_a_year(panel_frame):
    frame = panel_frame.filter(pl.col("year") == 2022).head(5)
    problems = _panel_problems(pl.concat([frame, frame.tail(1)]))
    assert [(p.row, p.column, p.rule) for p in problems] == [(6, "region_code", sc.RULES["unique"])]


def _text_problems(cells: list[str | None], separator: str | None = ",", decimal_comma: bool = False):
    frame = pl.DataFrame({"code": ["GM0518"] * len(cells), "a_inw": cells},
                         schema={"code": pl.String, "a_inw": pl.String})
    schema = sc.kwb_text_schema("code", None, ["a_inw"], decimal_comma, separator)
    return sc.problems(sc.validated(schema, frame), "f.csv", pl.Series(range(1, len(cells) + 1)))


@pytest.mark.parametrize(("cell", "separator", "decimal_comma", "rule"), [
    ("12", ",", False, None),
    ("12.5", ",", False, None),
    (" 12 ", ",", False, None),
    (".", ",", False, None),
    ("x", ",", False, None),
    ("-99997", ",", False, None),
    (None, ",", False, None),
    ("abc", ",", False, "number"),
    ("1.234,5", ";", True, "number"),
    ("12%", ",", False, "number"),
    ("1,234", ",", False, "comma_in_comma_csv"),
    ("1,234", None, False, "comma_in_comma_csv"),
    ("1,5", ";", True, None),
    ("1.5", ";", True, "dot_in_comma_file"),
    ("1.5", ";", False, None),
])
def test_text_schema_rules(cell, separator, decimal_comma, rule):
    problems = _text_problems([cell], separator, decimal_comma)
    assert [p.rule for p in problems] == ([] if rule is None else [sc.RULES[rule]])


def test_problems_never_carry_the_failing_value():
    problems = _text_problems(["SECRET-VALUE-123"])
    assert problems and all("SECRET" not in str(p) for p in problems)


def test_validation_is_forced_on_even_when_pandera_is_switched_off():
    from pandera.config import config_context

    with config_context(validation_enabled=False):
        assert [p.rule for p in _text_problems(["abc"])] == [sc.RULES["number"]]
