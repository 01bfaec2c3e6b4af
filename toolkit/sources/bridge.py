"""The one youth-care rate series across years, and the bridge where its definition changes.

`youth_care_rate_pct` is the percentage of youths under 23 with youth care in natura (KWB definition).

- Where CBS publishes the KWB percentage (`pct_youth_care_kwb`; 2018-2020 in the salvaged file, 2024 in KWB
  2024, and any newer KWB file that carries it), that value is used: `youth_care_rate_method = "kwb_pct"`.
- For 2021-2022 the early KWB releases lack the percentage; CBS's youth-care table gives the count of youths
  with youth care instead. The bridge divides that count by an estimate of the youths under 23, because KWB
  only has the age bands 0-14 and 15-24: `youth_0_22_est = pop_0_14 + 0.8 * pop_15_24` (ages 15..22 are 8 of
  the 10 years of the band, assuming an even spread within it): `youth_care_rate_method = "count_bridge"`.

Both inputs are CBS-rounded (counts to 5), so the bridged rate of a small wijk is coarse. How well the two
definitions line up is measured twice and printed by `wijksignaal data info`: `bridge_diagnostic` (2021
bridged vs 2020 KWB percentage, same wijk, one year apart) and `bridge_check` (2024, which has both the count
and CBS's percentage for the same wijk and year: the direct test). `bridge_check` also re-estimates the share
`w` of the 15-24 band that is under 23 from 2024 (`youth under 23 = count / pct`); it comes out at 0.80-0.81
(median over gemeenten), so the 0.8 of an even spread is kept.
The NL00 row of 2024 is a sum of gemeente counts without a CBS percentage, so its rate is bridged.

Example:
    >>> frame = pl.DataFrame({"year": [2020, 2021], "pct_youth_care_kwb": [10.0, None],
    ...     "youth_care_clients": [None, 50.0], "pop_0_14": [300.0, 300.0], "pop_15_24": [250.0, 250.0]})
    >>> add_youth_care_rate(frame).select("youth_care_rate_pct", "youth_care_rate_method").rows()
    [(10.0, 'kwb_pct'), (10.0, 'count_bridge')]
"""

from __future__ import annotations

import polars as pl

__all__ = ["SHARE_15_22_OF_15_24", "youth_0_22_expr", "add_youth_care_rate", "bridge_diagnostic", "bridge_check"]

SHARE_15_22_OF_15_24 = 0.8


def youth_0_22_expr() -> pl.Expr:
    """Estimated youths aged 0-22 from the KWB age bands (the bridge's denominator)."""
    return pl.col("pop_0_14") + SHARE_15_22_OF_15_24 * pl.col("pop_15_24")


def add_youth_care_rate(panel: pl.DataFrame) -> pl.DataFrame:
    """Add `youth_0_22_est`, `youth_care_rate_pct` and `youth_care_rate_method` (see module docstring)."""
    est = youth_0_22_expr()
    has_kwb = pl.col("pct_youth_care_kwb").is_not_null()
    has_count = pl.col("youth_care_clients").is_not_null() & (est > 0)
    rate = (pl.when(has_kwb).then(pl.col("pct_youth_care_kwb"))
            .when(has_count).then(pl.col("youth_care_clients") / est * 100).otherwise(None))
    method = (pl.when(has_kwb).then(pl.lit("kwb_pct"))
              .when(has_count).then(pl.lit("count_bridge")).otherwise(None))
    return panel.with_columns(est.alias("youth_0_22_est"), rate.alias("youth_care_rate_pct"),
                              method.alias("youth_care_rate_method"))


def bridge_diagnostic(panel: pl.DataFrame, before: int = 2020, after: int = 2021) -> dict[str, float]:
    """Ratio of the bridged rate (`after`) to the KWB percentage (`before`) over wijken that have both.

    A median near 1 means the definitions line up; the spread includes one year of real change and CBS
    rounding. Returns n, median and the 10th and 90th percentiles.
    """
    wijk = panel.filter(pl.col("level") == "wijk")
    old = wijk.filter(pl.col("year") == before, pl.col("youth_care_rate_method") == "kwb_pct")
    new = wijk.filter(pl.col("year") == after, pl.col("youth_care_rate_method") == "count_bridge",
                      pl.col("youth_0_22_est") >= 200)
    both = old.select("region_code", pl.col("youth_care_rate_pct").alias("old")).join(
        new.select("region_code", pl.col("youth_care_rate_pct").alias("new")), on="region_code"
    ).filter(pl.col("old") > 0)
    ratio = both["new"] / both["old"]
    return {"n_wijken": float(len(both)), "median_ratio": float(ratio.median() or float("nan")),
            "p10_ratio": float(ratio.quantile(0.1) or float("nan")),
            "p90_ratio": float(ratio.quantile(0.9) or float("nan"))}


def _quantiles(ratio: pl.Series, n: int) -> dict[str, float]:
    nan = float("nan")
    return {"n": float(n), "median_ratio": float(ratio.median() or nan) if n else nan,  # type: ignore[arg-type]
            "p10_ratio": float(ratio.quantile(0.1) or nan) if n else nan,
            "p90_ratio": float(ratio.quantile(0.9) or nan) if n else nan}


def bridge_check(panel: pl.DataFrame, year: int = 2024, min_youth: float = 200) -> dict[str, dict[str, float]]:
    """The count bridge against CBS's own percentage in a year that has both (2024), same region and year.

    Per level (wijk, gemeente): the ratio bridged rate / CBS percentage over regions with a positive
    percentage, a count and at least `min_youth` estimated youths (n, median, p10, p90). `w` holds the
    share of the 15-24 band that the percentage implies (`(count * 100 / pct - pop_0_14) / pop_15_24`),
    median and p10/p90 over gemeenten: the re-estimate of `SHARE_15_22_OF_15_24`.
    """
    rows = panel.filter(pl.col("year") == year, pl.col("pct_youth_care_kwb") > 0,
                        pl.col("youth_care_clients") > 0, pl.col("pop_15_24") > 0)
    rows = rows.with_columns(youth_0_22_expr().alias("_est"))
    out: dict[str, dict[str, float]] = {}
    for level in ("wijk", "gemeente"):
        lv = rows.filter(pl.col("level") == level, pl.col("_est") >= min_youth)
        ratio = lv["youth_care_clients"] / lv["_est"] * 100 / lv["pct_youth_care_kwb"]
        out[level] = _quantiles(ratio, lv.height)
    gm = rows.filter(pl.col("level") == "gemeente")
    w = (gm["youth_care_clients"] * 100 / gm["pct_youth_care_kwb"] - gm["pop_0_14"]) / gm["pop_15_24"]
    out["w"] = {"n": float(gm.height), "median": float(w.median() or float("nan")),  # type: ignore[arg-type]
                "p10": float(w.quantile(0.1) or float("nan")), "p90": float(w.quantile(0.9) or float("nan"))}
    return out
