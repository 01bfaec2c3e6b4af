"""The harmonised wijk-year panel of a run: all of the Netherlands (models learn nationally), a scope.

Example:
    >>> panel = build_panel(load_panel(), gemeenten=["GM0518"])
    >>> panel.latest_year, len(panel.wijk_keys("GM0518"))
    (2024, 44)
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ethics.errors import ConfigError
from toolkit.sources.embedded import load_panel

__all__ = ["Panel", "build_panel", "load_panel"]

MSG_UNKNOWN_GEMEENTE = ("Gemeente {code} is not in the CBS data of {year}. Use a code from "
                        "`wijksignaal data info --gemeenten`, for example GM0518 ('s-Gravenhage).")


MSG_AS_OF_TOO_EARLY = ("--as-of {as_of} is too early: youth population per wijk and gemeente (the KWB age bands "
                       "that clients are projected on) starts in 2021 in the embedded CBS data. Use --as-of 2021 "
                       "or later.")


@dataclass(frozen=True)
class Panel:
    """The panel frame (every region and year), the gemeenten in scope and the latest year with youth care."""

    frame: pl.DataFrame
    gemeenten: tuple[str, ...]
    latest_year: int

    def level(self, level: str, year: int | None = None) -> pl.DataFrame:
        """Rows of one level (wijk, gemeente, land), optionally of one year."""
        out = self.frame.filter(pl.col("level") == level)
        return out if year is None else out.filter(pl.col("year") == year)

    def scope_wijken(self, year: int | None = None) -> pl.DataFrame:
        """Wijk rows of the gemeenten in scope in `year` (default: the latest year)."""
        year = self.latest_year if year is None else year
        return self.level("wijk", year).filter(pl.col("gemeente_code").is_in(self.gemeenten)).sort("region_code")

    def wijk_keys(self, gemeente: str) -> list[str]:
        """The public key set: every wijk code of a gemeente in the latest year."""
        rows = self.level("wijk", self.latest_year).filter(pl.col("gemeente_code") == gemeente)
        return sorted(rows["region_code"].to_list())


def build_panel(frame: pl.DataFrame, gemeenten: list[str] | tuple[str, ...] | None = None,
                as_of: int | None = None) -> Panel:
    """Restrict to data up to `as_of` and resolve the scope (None: every gemeente of the latest year)."""
    if as_of is not None:
        frame = frame.filter(pl.col("year") <= as_of)
    with_care = frame.filter(pl.col("youth_care_rate_pct").is_not_null())
    if with_care.is_empty():
        raise ConfigError(f"No youth-care data up to --as-of {as_of}; the data start in "
                          f"{frame['year'].min()}.")
    latest = int(with_care["year"].max())  # type: ignore[arg-type]
    with_youth = frame.filter(pl.col("level") == "gemeente", pl.col("youth_0_22_est").is_not_null())
    if as_of is not None and (with_youth.is_empty() or int(with_youth["year"].min()) > latest):  # type: ignore[arg-type]
        raise ConfigError(MSG_AS_OF_TOO_EARLY.format(as_of=as_of))
    known = set(frame.filter(pl.col("level") == "gemeente", pl.col("year") == latest)["region_code"].to_list())
    if gemeenten is None:
        scope = tuple(sorted(known))
    else:
        for code in gemeenten:
            if code not in known:
                raise ConfigError(MSG_UNKNOWN_GEMEENTE.format(code=code, year=latest))
        scope = tuple(gemeenten)
    return Panel(frame=frame, gemeenten=scope, latest_year=latest)
