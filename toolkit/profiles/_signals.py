"""Signals per wijk: the latest known value of each catalogue signal and its gemeente and national percentile.

Latest known value: for each wijk of the latest year and each signal, the value of the latest year up to the
latest year that has one (same wijk code). CBS published KWB 2022 without income, benefits and education,
so those come from 2021 (or 2018-2020 when 2021 is missing); `years_used` counts this per signal for the
audit. Wijk codes of 2018-2020 follow that year's boundaries; a code that was redrawn keeps its old values.

Percentiles are midpoint ranks in 0..100 among the wijken with a value: nationally among all Dutch wijken
of the reference year (see `_profile`: normally the latest year), and within the wijk's own gemeente.

Example:
    >>> from toolkit.panel import build_panel, load_panel
    >>> values = latest_signals(build_panel(load_panel(), ["GM0518"]))
    >>> values.filter(pl.col("region_code") == "WK051802")["pct_social_rental"].item() is not None
    True
"""

from __future__ import annotations

import numpy as np
import polars as pl

from toolkit.panel import Panel
from toolkit.profiles._catalogue import SIGNALS

__all__ = ["SIGNAL_COLUMNS", "latest_signals", "years_used", "percentile_against", "percentiles",
           "need_percentile", "signal_frame"]

SIGNAL_COLUMNS = ("region_code", "gemeente_code", "signal", "group", "value", "gemeente_percentile",
                  "national_percentile", "direction", "label_nl", "label_en")
_YEAR = "__year"


def latest_signals(panel: Panel, year: int | None = None) -> pl.DataFrame:
    """Every wijk of `year` (default: the latest year) with the latest known value of each signal up to
    `year` (and, in `<signal>__year`, the year it is from); a signal whose columns the panel lacks is empty."""
    year = panel.latest_year if year is None else year
    columns = set(panel.frame.columns)
    per_year = panel.level("wijk").filter(pl.col("year") <= year).select(
        "region_code", "year", *[s.expr() if set(s.sources) <= columns else pl.lit(None, pl.Float64).alias(s.name)
                                 for s in SIGNALS])
    latest = per_year.sort("year").group_by("region_code").agg(
        *[pl.col(s.name).drop_nulls().last() for s in SIGNALS],
        *[pl.col("year").filter(pl.col(s.name).is_not_null()).last().alias(s.name + _YEAR) for s in SIGNALS])
    wijken = panel.level("wijk", year).select("region_code", "gemeente_code")
    return wijken.join(latest, on="region_code", how="left").sort("region_code")


def years_used(values: pl.DataFrame) -> dict[str, dict[str, int]]:
    """Per signal: how many wijken take their value from which year ("missing": none known)."""
    out = {}
    for s in SIGNALS:
        counts = values[s.name + _YEAR].cast(pl.String).fill_null("missing").value_counts()
        out[s.name] = {str(r[s.name + _YEAR]): int(r["count"]) for r in counts.sort(s.name + _YEAR).iter_rows(
            named=True)}
    return out


def percentile_against(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Midpoint percentile (0..100) of each value within `reference` (NaN stays NaN).

    >>> percentile_against(np.array([1.0, 2.0, np.nan]), np.array([1.0, 2.0, 3.0, 4.0])).tolist()
    [12.5, 37.5, nan]
    """
    ref = np.sort(reference[np.isfinite(reference)])
    out = np.full(len(values), np.nan)
    if len(ref) == 0:
        return out
    known = np.isfinite(values)
    less = np.searchsorted(ref, values[known], side="left")
    upto = np.searchsorted(ref, values[known], side="right")
    out[known] = (less + (upto - less) / 2) / len(ref) * 100
    return out


def _column(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame[name].cast(pl.Float64).fill_null(float("nan")).to_numpy()


def percentiles(values: pl.DataFrame, reference: pl.DataFrame | None = None) -> pl.DataFrame:
    """National (`<signal>__nat`, within `reference`, default `values`) and gemeente (`<signal>__gem`, among
    the wijken of the same gemeente in `values`) percentiles of every signal per wijk."""
    reference = values if reference is None else reference
    nat = [pl.Series(s.name + "__nat",
                     percentile_against(_column(values, s.name), _column(reference, s.name))).fill_nan(None)
           for s in SIGNALS]
    gem = [((pl.col(s.name).rank("average") - 0.5) / pl.col(s.name).count() * 100).over("gemeente_code")
           .alias(s.name + "__gem") for s in SIGNALS]
    order = [s.name + "__nat" for s in SIGNALS] + [s.name + "__gem" for s in SIGNALS]
    return values.select("region_code", "gemeente_code", *gem).with_columns(nat).select(
        "region_code", "gemeente_code", *order)


def need_percentile(pct: pl.DataFrame) -> pl.DataFrame:
    """National percentiles oriented so that high means more need (signals with a direction only)."""
    cols = [(pl.col(s.name + "__nat") if s.direction > 0 else 100 - pl.col(s.name + "__nat")).alias(s.name)
            for s in SIGNALS if s.direction]
    return pct.select("region_code", *cols)


def signal_frame(values: pl.DataFrame, pct: pl.DataFrame, codes: list[str]) -> pl.DataFrame:
    """The long signal table of the wijken `codes` (see SIGNAL_COLUMNS), for the wijk report cards."""
    rows = values.filter(pl.col("region_code").is_in(codes)).join(
        pct.drop("gemeente_code"), on="region_code", how="left")
    parts = [rows.select(
        "region_code", "gemeente_code", pl.lit(s.name).alias("signal"), pl.lit(s.group).alias("group"),
        pl.col(s.name).round(2).alias("value"),
        pl.col(s.name + "__gem").round(1).alias("gemeente_percentile"),
        pl.col(s.name + "__nat").round(1).alias("national_percentile"),
        pl.lit(s.direction, dtype=pl.Int64).alias("direction"), pl.lit(s.label_nl).alias("label_nl"),
        pl.lit(s.label_en).alias("label_en")) for s in SIGNALS]
    schema = {c: (pl.Float64 if c.endswith(("percentile", "value")) else pl.String) for c in SIGNAL_COLUMNS}
    out = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    order = {s.name: i for i, s in enumerate(SIGNALS)}
    return out.sort("region_code", pl.col("signal").replace_strict(order)).select(SIGNAL_COLUMNS)
