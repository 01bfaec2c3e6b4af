"""The pandera (polars) schemas of care records (one layout per domain) and their errors without values.

A register of each domain has the same columns (ARCHITECTURE.md); the layout fixes what differs:
- jeugd: youth-care records; care_type is one of the four youth-care types; birth years from 1980.
- wmo: Wmo records (one row per provision: a maatwerkvoorziening); care_type holds the provision category of
  the CBS/GMSD Wmo statistics (hulp_bij_het_huishouden, ondersteuning_thuis, hulpmiddelen_en_diensten,
  verblijf_en_opvang, woningaanpassing, vervoersdiensten); birth years from 1900 (most clients are over 65).

pandera's own messages quote failure values (`failure_case`); for personal records only the row, the column
and the rule may be shown, so `problems_from` keeps those three and drops everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from ethics.errors import Problem

__all__ = ["CARE_TYPES", "WMO_CARE_TYPES", "REQUIRED", "OPTIONAL", "RULES", "RecordLayout", "JEUGD", "WMO",
           "layout_of", "build_schema", "problems_from"]

CARE_TYPES = ("jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf", "jeugdbescherming", "jeugdreclassering")
# CBS/GMSD Wmo statistics (Monitor Sociaal Domein Wmo): maatwerkvoorzieningen by kind (toolkit/domains.py).
WMO_CARE_TYPES = ("hulp_bij_het_huishouden", "ondersteuning_thuis", "hulpmiddelen_en_diensten",
                  "verblijf_en_opvang", "woningaanpassing", "vervoersdiensten")
REQUIRED = (
    "client_id",
    "birth_year",
    "wijk_code",
    "care_type",
    "provider",
    "start_date",
    "end_date",
    "cost_eur",
)
OPTIONAL = ("referrer", "synthetic")
FIRST_BIRTH_YEAR = 1980
# Plausible values: NaN, inf and absurd amounts or dates are input errors (exit 3), not bugs further on.
MAX_COST_EUR = 100_000_000  # per row; also refuses NaN and inf (they are never <= a number)
FIRST_DATE, LAST_DATE = date(FIRST_BIRTH_YEAR, 1, 1), date(2099, 12, 31)
WIJK_CODE = r"^WK\d{4}[0-9A-Z]{2}$"



@dataclass(frozen=True)
class RecordLayout:
    """What a domain's register holds: its care types (the gate's keys), first plausible birth year and words."""

    domain: str
    care_types: tuple[str, ...]
    first_birth_year: int
    title: str  # the schema's name, e.g. "youth-care records"
    person: str  # one privacy unit in words ("child", "client")
    people: str  # ... and several ("children", "clients")
    kinds: str  # its care types in words ("care types", "Wmo provision categories")
    base: str  # whom the policy's minimum population counts ("youths", "inhabitants")

    def rules(self) -> dict[str, str]:
        """Rule text per check name, in this layout's care types and birth years."""
        return {**RULES, "care_type_known": f"must be one of {', '.join(self.care_types)}",
                "birth_year_range": f"must be a birth year from {self.first_birth_year} up to this year"}


JEUGD = RecordLayout("jeugd", CARE_TYPES, FIRST_BIRTH_YEAR, "youth-care records", "child", "children",
                     "care types", "youths")
WMO = RecordLayout("wmo", WMO_CARE_TYPES, 1900, "Wmo records", "client", "clients", "Wmo provision categories",
                   "inhabitants")
LAYOUTS = {lay.domain: lay for lay in (JEUGD, WMO)}


def layout_of(domain: str) -> RecordLayout:
    """The record layout of a care domain (jeugd, wmo)."""
    return LAYOUTS[domain]


#: Rule text per pandera check name: what the value must be, never what it was.
RULES = {
    "client_id_length": "must be a pseudonym of 1 to 64 characters",
    "birth_year_range": f"must be a birth year from {FIRST_BIRTH_YEAR} up to this year",
    "wijk_code_format": "must be a CBS wijk code such as WK051801 (empty = no known address)",
    "wijk_code_known": "is not a wijk of the gemeente in scope (codes of the latest CBS year)",
    "care_type_known": f"must be one of {', '.join(CARE_TYPES)}",
    "cost_non_negative": "must not be negative",
    "cost_plausible": f"must be a finite number of euros up to {MAX_COST_EUR:,} (not NaN or infinite)",
    "date_plausible": f"must be a date from {FIRST_DATE} to {LAST_DATE} (an ongoing trajectory has an empty "
                      "end_date, not 9999-12-31)",
    "end_after_start": "end_date is before start_date",
    "not_nullable": "must not be empty",
}
_DATAFRAME_CHECK_COLUMNS = {"end_after_start": "end_date"}


def build_schema(known_wijken: set[str] | None, categorical: bool = False, layout: RecordLayout = JEUGD) -> Any:
    """The records schema of `layout`; `known_wijken` (when given) adds the check that wijk codes belong to the scope.
    `categorical`: wijk_code, care_type and provider are Categorical columns (the reader's fast path); the
    same rules apply to their values."""
    import pandera.polars as pa

    text = pl.Categorical if categorical else pl.String

    def as_text(d: Any) -> pl.Expr:
        return pl.col(d.key).cast(pl.String)

    wijk_checks = [
        pa.Check(lambda d: d.lazyframe.select(as_text(d).str.contains(WIJK_CODE)), name="wijk_code_format")
        if categorical
        else pa.Check.str_matches(WIJK_CODE, error="wijk_code_format")
    ]
    if known_wijken is not None:
        known = sorted(known_wijken)
        wijk_checks.append(
            pa.Check(lambda d: d.lazyframe.select(as_text(d).is_in(known)), name="wijk_code_known")
            if categorical
            else pa.Check.isin(known, error="wijk_code_known")
        )
    types = list(layout.care_types)
    care_check = (
        pa.Check(lambda d: d.lazyframe.select(as_text(d).is_in(types)), name="care_type_known")
        if categorical
        else pa.Check.isin(types, error="care_type_known")
    )
    end_after_start = pa.Check(
        lambda d: d.lazyframe.select(
            pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("start_date"))
        ),
        name="end_after_start",
    )
    return pa.DataFrameSchema(
        {
            "client_id": pa.Column(pl.String, pa.Check.str_length(1, 64, error="client_id_length")),
            "birth_year": pa.Column(
                pl.Int64, pa.Check.in_range(layout.first_birth_year, date.today().year, error="birth_year_range")
            ),
            "wijk_code": pa.Column(text, wijk_checks, nullable=True),
            "care_type": pa.Column(text, care_check),
            "provider": pa.Column(text, nullable=True),
            "start_date": pa.Column(pl.Date, _plausible_date()),
            "end_date": pa.Column(pl.Date, _plausible_date(), nullable=True),
            "cost_eur": pa.Column(pl.Float64, [pa.Check.ge(0, error="cost_non_negative"),
                                               pa.Check.le(MAX_COST_EUR, error="cost_plausible")], nullable=True),
        },
        checks=[end_after_start],
        strict=False,
        name=layout.title,
    )


def _plausible_date() -> Any:
    import pandera.polars as pa

    return pa.Check.in_range(FIRST_DATE, LAST_DATE, error="date_plausible")


def problems_from(failure_cases: pl.DataFrame, file: str, limit: int, layout: RecordLayout = JEUGD) -> list[Problem]:
    """Row (1-based), column and rule of each failure; the failure values are dropped unread."""
    rules = layout.rules()
    cases = failure_cases.select("column", "check", "index").unique().sort("index", "column", nulls_last=True)
    out = []
    for column, check, index in cases.head(limit).iter_rows():
        name = str(check)
        rule = rules.get(name) or (
            "must not be empty" if "not_nullable" in name else f"breaks the check {name}"
        )
        col = column if column in REQUIRED else _DATAFRAME_CHECK_COLUMNS.get(name)
        out.append(Problem(file, None if index is None else int(index) + 1, col, rule))
    return out
