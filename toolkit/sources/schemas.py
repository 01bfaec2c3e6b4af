"""pandera schemas (polars backend) for the open indicators: the embedded panel and a user's KWB file.

- `panel_schema()`: the harmonised panel (embedded, or after a user file was merged): CBS region codes,
  levels, one row per region and year, counts whole and non-negative, percentages in [0, 100], the rate
  method named wherever there is a rate.
- `kwb_text_schema(...)`: a user KWB file as read (every cell text): region codes, years, numbers or
  CBS markers, unambiguous decimal marks.
- `kwb_value_schema(...)`: the same file after the CBS rules turned text into numbers: ranges by unit,
  one row per region and year, every wijk's gemeente present.

`problems(...)` turns pandera's `SchemaErrors` into `Problem`s (file, row, column, rule) without the failing
values that pandera prints. Validation is forced on and at full depth (`validated`), whatever
`PANDERA_VALIDATION_ENABLED` says in the environment.
"""

from __future__ import annotations

from collections.abc import Callable

import pandera.polars as pa
import polars as pl
from pandera.config import config_context

from ethics.errors import Problem
from toolkit.sources._cbs import MISSING_MARKERS
from toolkit.sources.dictionary import BY_NAME, JEUGDZORG_TO_NAME

__all__ = ["REGION_CODE", "USER_REGION_CODE", "DOT_NUMBER", "COMMA_NUMBER", "RULES", "kind_of",
           "panel_schema", "kwb_text_schema", "kwb_value_schema", "validated", "problems"]

# Wijk codes are WK + gemeente (4 digits) + 2 characters: digits, or letters since Amsterdam's 2023 recoding
# (WK0363AA in the 2024 map). Buurt codes add 2 more.
REGION_CODE = r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2})$"
USER_REGION_CODE = r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$"
DOT_NUMBER = r"^-?\d+(\.\d+)?$"
COMMA_NUMBER = r"^-?\d+,\d+$"
RATE_METHODS = ("kwb_pct", "count_bridge")
RULES = {  # check name -> the rule a user reads (never the value)
    "region_code": "is not a CBS region code (NLnn, GMgggg, WKggggww; BUggggwwbb rows are skipped)",
    "year": "is not a year such as 2023 (or 2023JJ00)",
    "number": "is not a number or a CBS marker (., x, -, empty)",
    "comma_in_comma_csv": ("has a decimal comma in a comma-separated file: ambiguous (1,234 could be 1234 "
                           "or 1.234); use decimal points, or ';' as separator with decimal commas"),
    "dot_in_comma_file": ("has a decimal point in a file that uses decimal commas: ambiguous (a thousands "
                          "separator?); use one decimal mark throughout"),
    "count": "must be a whole number, 0 or more (a count of persons or households)",
    "pct": "must be a percentage from 0 to 100",
    "class_1_5": "must be an urbanity class 1..5",
    "nonneg": "must be 0 or more",
    "unique": "the region occurs twice in one year",
    "gemeente_row": "this wijk's gemeente has no row of the same year in the file (CBS KWB files have one)",
    "level": "level does not match the region code (WK -> wijk, GM -> gemeente, NL -> land)",
    "method": ("youth_care_rate_method must be kwb_pct or count_bridge wherever youth_care_rate_pct has "
               "a value"),
    "column_in_dataframe": "header: required column is missing",
    "not_nullable": "is empty but required",
}


def kind_of(name: str) -> str:
    """The range rule of a panel variable, from its unit in the data dictionary.

    >>> kind_of("population"), kind_of("pct_rental"), kind_of("urbanity_class"), kind_of("avg_household_size")
    ('count', 'pct', 'class_1_5', 'nonneg')
    """
    var = BY_NAME.get(name)
    if name in JEUGDZORG_TO_NAME.values() or (var and var.unit.split(" (")[0] in ("persons", "households")):
        return "count"
    if (var and var.unit.startswith("%")) or (name.startswith("pct_") and var is None):
        return "pct"
    return "class_1_5" if name == "urbanity_class" else "nonneg"


def _check(name: str, expr: Callable[[str], pl.Expr]) -> pa.Check:
    """A vectorised check whose failure names the rule, not the value; nulls pass."""
    return pa.Check(lambda data: data.lazyframe.select(expr(data.key).fill_null(True)), name=name,
                    error=RULES[name])


def _text(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars()


def _marker(col: str) -> pl.Expr:
    return pl.col(col).is_null() | _text(col).is_in(MISSING_MARKERS)


RANGE: dict[str, Callable[[str], pl.Expr]] = {
    "count": lambda c: (pl.col(c) >= 0) & (pl.col(c) == pl.col(c).round(0)),
    "pct": lambda c: pl.col(c).is_between(0, 100),
    "class_1_5": lambda c: pl.col(c).is_in([1.0, 2.0, 3.0, 4.0, 5.0]),
    "nonneg": lambda c: pl.col(c) >= 0,
}


def _value_column(name: str, kind: str | None = None) -> pa.Column:
    kind = kind or kind_of(name)
    return pa.Column(pl.Float64, _check(kind, RANGE[kind]), nullable=True, required=False)


def _unique() -> pa.Check:
    return _check("unique", lambda c: pl.struct(c, "year").is_first_distinct())


def _level_matches() -> pa.Check:
    expected = (pl.when(pl.col("region_code").str.starts_with("WK")).then(pl.lit("wijk"))
                .when(pl.col("region_code").str.starts_with("GM")).then(pl.lit("gemeente")).otherwise(pl.lit("land")))
    return _check("level", lambda c: pl.col(c) == expected)


def _method_named() -> pa.Check:
    return _check("method", lambda c: pl.col(c).is_null()
                  | pl.col("youth_care_rate_method").is_in(RATE_METHODS).fill_null(False))


def panel_schema(value_columns: list[str]) -> pa.DataFrameSchema:
    """The harmonised panel: identifiers, one row per region and year, value ranges by unit."""
    values = {c: _value_column(c, "nonneg" if c in ("youth_care_rate_pct", "youth_0_22_est") else None)
              for c in value_columns if c not in ("youth_care_rate_method",)}
    rate_checks = [_check("nonneg", RANGE["nonneg"]), _method_named()]
    values["youth_care_rate_pct"] = pa.Column(pl.Float64, rate_checks, nullable=True)
    return pa.DataFrameSchema({
        "region_code": pa.Column(pl.String, [pa.Check.str_matches(REGION_CODE, error=RULES["region_code"]),
                                             _unique()]),
        "level": pa.Column(pl.String, _level_matches()),
        "region_name": pa.Column(pl.String, nullable=True),
        "gemeente_code": pa.Column(pl.String, pa.Check.str_matches(r"^GM\d{4}$", error=RULES["region_code"]),
                                   nullable=True),
        "gemeente_name": pa.Column(pl.String, nullable=True),
        "year": pa.Column(pl.Int32, pa.Check.in_range(2000, 2100, error=RULES["year"])),
        "youth_care_rate_method": pa.Column(pl.String, pa.Check.isin(RATE_METHODS, error=RULES["method"]),
                                            nullable=True),
        **values,
    }, strict=False)


def _number_checks(decimal_comma: bool, separator: str | None) -> list[pa.Check]:
    checks = [_check("number", lambda c: _marker(c) | _text(c).str.contains(DOT_NUMBER)
                     | _text(c).str.contains(COMMA_NUMBER))]
    if separator != ";":
        checks.append(_check("comma_in_comma_csv", lambda c: ~_text(c).str.contains(COMMA_NUMBER)))
    elif decimal_comma:
        checks.append(_check("dot_in_comma_file", lambda c: ~_text(c).str.contains(r"^-?\d+\.\d+$")))
    return checks


def kwb_text_schema(region: str, year: str | None, value_columns: list[str], decimal_comma: bool,
                    separator: str | None) -> pa.DataFrameSchema:
    """A user KWB file as text, under its own column names."""
    code_ok = _check("region_code", lambda c: _text(c).str.contains(USER_REGION_CODE).fill_null(False))
    columns = {region: pa.Column(pl.String, code_ok)}
    if year is not None:
        year_ok = _check("year", lambda c: _text(c).str.contains(r"^20\d\d(JJ00)?$").fill_null(False))
        columns[year] = pa.Column(pl.String, year_ok)
    checks = _number_checks(decimal_comma, separator)
    columns.update({c: pa.Column(pl.String, checks, nullable=True) for c in value_columns})
    return pa.DataFrameSchema(columns, strict=False)


def _gemeente_present(col: str) -> pl.Expr:
    gm_years = pl.struct(pl.col(col).filter(pl.col("level") == "gemeente"),
                         pl.col("year").filter(pl.col("level") == "gemeente"))
    own = pl.struct(pl.col("gemeente_code").alias(col), "year")
    return (pl.col("level") != "wijk") | own.is_in(gm_years.implode())


def kwb_value_schema(value_columns: list[str]) -> pa.DataFrameSchema:
    """A user KWB file after the CBS rules, under panel names (BU rows already dropped)."""
    return pa.DataFrameSchema({
        "region_code": pa.Column(pl.String, [_unique(), _check("gemeente_row", _gemeente_present)]),
        "year": pa.Column(pl.Int32, pa.Check.in_range(2000, 2100, error=RULES["year"])),
        **{c: _value_column(c) for c in value_columns},
    }, strict=False)


def validated(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> pa.errors.SchemaErrors | None:
    """Validate a collected frame at full depth, lazily (every failure); return the errors or None."""
    with config_context(validation_enabled=True, validation_depth="SCHEMA_AND_DATA"):
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            return exc
    return None


def problems(errors: pa.errors.SchemaErrors | None, file: str, rows: pl.Series,
             column_of: Callable[[str], str] = str) -> list[Problem]:
    """Problems (file, row, column, rule) from pandera's failure cases, without the failing values.

    `rows` maps the validated frame's row index to the file's data row number.
    """
    if errors is None:
        return []
    out = []
    cases = errors.failure_cases.select("failure_case", "column", "check", "index")
    cases = cases.unique(maintain_order=True)
    for case, column, check, index in cases.iter_rows():
        rule = RULES.get(check, check)
        if column is None:  # a schema-level failure: failure_case holds the column name, never a value
            out.append(Problem(file, None, column_of(str(case)), rule))
        else:
            out.append(Problem(file, None if index is None else int(rows[index]), column_of(column), rule))
    return sorted(out, key=lambda p: (p.row or 0, p.column or "", p.rule))
