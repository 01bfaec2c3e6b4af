"""Which column of a user's KWB file is which panel variable: CBS short codes or cbsodata's OData keys.

Two spellings of one KWB table are understood:
- CBS short codes, as in the kwb-YYYY.xls downloads and ../shared/data (`gwb_code_10`, `regio`, `gm_naam`,
  `a_inw`, `a_00_14`, ..., optionally the joined youth-care table's `TotaalJongerenMetJeugdzorgInNatura_1`).
- OData keys, as `cbsodata.get_data` returns them (`WijkenEnBuurten`, `Codering_3`, `AantalInwoners_5`,
  `JongerenMetJeugdzorgInNatura_98`, ...). The number after the last `_` is the column's position in
  that year's table and changes between KWB years (`JongerenMetJeugdzorgInNatura_91` in an older table),
  so OData keys are matched on their stem, the part before it. The stems come from
  `toolkit.sources.dictionary` (KWB 2024, table 85984NED; checked against the CBS metadata in
  tests/unit/sources/test_user_file.py).

The year comes from a `year`, `jaar` or `Perioden` column, else from the caller, else from one 20xx
in the file name (kwb-2023.csv).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ethics.errors import InputDataError, Problem
from toolkit.sources.dictionary import JEUGDZORG_TO_NAME, KWB_CODE_TO_NAME, ODATA_TO_NAME

__all__ = ["ColumnMap", "map_columns", "odata_stem", "year_from_name", "REQUIRED", "YOUTH_CARE",
           "ODATA_REGION", "ODATA_NAME", "ODATA_GEMEENTE_NAME", "ODATA_LEVEL"]

ODATA_REGION = "Codering_3"
ODATA_NAME = "WijkenEnBuurten"
ODATA_GEMEENTE_NAME = "Gemeentenaam_1"
ODATA_LEVEL = "SoortRegio_2"
SHORT_REGION = ("gwb_code_10", "gwb_code")
YEAR_COLUMNS = ("year", "jaar", "perioden")
REQUIRED = ("population", "pop_0_14", "pop_15_24")
YOUTH_CARE = ("youth_care_clients", "youth_care_clients_kwb", "pct_youth_care_kwb")
MSG_NO_REGION = ("header: no region code column: expected gwb_code_10 (CBS short codes) or Codering_3 "
                 "(OData keys, as cbsodata returns them)")
MSG_MISSING = "header: required column is missing ({what})"
MSG_NO_YOUTH_CARE = ("header: no youth-care column: expected a_jz_tn / JongerenMetJeugdzorgInNatura, "
                     "p_jz_tn / PercentageJongerenMetJeugdzorg or TotaalJongerenMetJeugdzorgInNatura_1")
MSG_TWICE = "header: two columns hold the same variable ({name})"


def odata_stem(key: str) -> str:
    """An OData key without its position suffix: `AantalInwoners_5` -> `AantalInwoners`.

    >>> odata_stem("JongerenMetJeugdzorgInNatura_98"), odata_stem("k_0Tot15Jaar_8")
    ('JongerenMetJeugdzorgInNatura', 'k_0Tot15Jaar')
    """
    return re.sub(r"_\d+$", "", key)


STEM_TO_NAME: dict[str, str] = {odata_stem(k): v for k, v in {**ODATA_TO_NAME, **JEUGDZORG_TO_NAME}.items()}
SHORT_TO_NAME: dict[str, str] = {**KWB_CODE_TO_NAME, **JEUGDZORG_TO_NAME}
NAME_TO_SHORT = {v: k for k, v in SHORT_TO_NAME.items()}
NAME_TO_ODATA = {v: k for k, v in {**ODATA_TO_NAME, **JEUGDZORG_TO_NAME}.items()}


@dataclass(frozen=True)
class ColumnMap:
    """Where each panel variable is in the file. `values` maps panel name -> the file's column."""

    flavour: str  # "cbs_short_codes" or "odata"
    region: str
    region_name: str | None
    gemeente_name: str | None
    year: str | None
    values: dict[str, str] = field(default_factory=dict)

    def source_of(self, name: str) -> str:
        """The file's column that holds panel variable `name` (or `name` itself)."""
        return {"region_code": self.region, "year": self.year or "year", **self.values}.get(name, name)


def _values(header: tuple[str, ...], lookup: dict[str, str],
            key: Callable[[str], str] = str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    values: dict[str, str] = {}
    twice: list[tuple[str, str]] = []
    for col in header:
        name = lookup.get(key(col))
        if name is None:
            continue
        if name in values:
            twice.append((col, name))
        values.setdefault(name, col)
    return values, twice


def _pick(header: tuple[str, ...], candidates: tuple[str, ...]) -> str | None:
    lower = {c.lower(): c for c in header}
    return next((lower[c.lower()] for c in candidates if c.lower() in lower), None)


def _detect(header: tuple[str, ...]) -> ColumnMap | None:
    year = _pick(header, YEAR_COLUMNS)
    short = _pick(header, SHORT_REGION)
    if short:
        names = _pick(header, ("regio",)), _pick(header, ("gm_naam",))
        return ColumnMap("cbs_short_codes", short, *names, year)
    odata = next((c for c in header if odata_stem(c) == odata_stem(ODATA_REGION)), None)
    if odata:
        gm = next((c for c in header if odata_stem(c) == odata_stem(ODATA_GEMEENTE_NAME)), None)
        return ColumnMap("odata", odata, ODATA_NAME if ODATA_NAME in header else None, gm, year)
    return None


def _missing(cmap: ColumnMap, file: str) -> list[Problem]:
    problems = []
    for name in REQUIRED:
        if name not in cmap.values:
            what = f"{NAME_TO_SHORT[name]} or {odata_stem(NAME_TO_ODATA[name])}_<n>"
            col = NAME_TO_SHORT[name] if cmap.flavour == "cbs_short_codes" else NAME_TO_ODATA[name]
            problems.append(Problem(file, None, col, MSG_MISSING.format(what=what)))
    if not any(name in cmap.values for name in YOUTH_CARE):
        problems.append(Problem(file, None, None, MSG_NO_YOUTH_CARE))
    return problems


def map_columns(header: tuple[str, ...], file: str) -> ColumnMap:
    """Map a header to panel variables; refuse (InputDataError) when a required column is missing."""
    cmap = _detect(header)
    if cmap is None:
        raise InputDataError(f"{file} is not a CBS KWB file.", [Problem(file, None, None, MSG_NO_REGION)])
    if cmap.flavour == "cbs_short_codes":
        values, twice = _values(header, SHORT_TO_NAME)
    else:
        values, twice = _values(header, STEM_TO_NAME, odata_stem)
    cmap = ColumnMap(cmap.flavour, cmap.region, cmap.region_name, cmap.gemeente_name, cmap.year, values)
    problems = [Problem(file, None, c, MSG_TWICE.format(name=n)) for c, n in twice] + _missing(cmap, file)
    if problems:
        raise InputDataError(f"{file} is not a usable CBS KWB file: {len(problems)} problem(s).", problems)
    return cmap


def year_from_name(file_name: str) -> int | None:
    """The one year 2000-2099 in a file name, or None (none or several).

    >>> year_from_name("kwb-2023.csv"), year_from_name("kwb_2021_2022.csv"), year_from_name("85984NED.csv")
    (2023, None, None)
    """
    years = set(re.findall(r"(?<!\d)(20\d\d)(?!\d)", file_name))
    return int(years.pop()) if len(years) == 1 else None
