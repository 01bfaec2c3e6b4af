"""Gemeente-level forecasts of the backtest: client totals where CBS counts exist, rate totals before.

The controllers' number is the gemeente total. For an origin t with gemeente counts (2021 onwards) the
backtest forecasts it exactly as `_assemble` publishes it: every wijk with a count and a youth population
gets clients = rate forecast x projected youths (`_population`, from the panel up to t only), and the
gemeente total is their sum plus the "not in a wijk" node scaled with them:
`G(h) = C(h) + node0 x C(h) / C0`, `C` the wijk sum, `node0 = max(G0 - C0, 0)`. For the earlier origins
(no gemeente counts, no youth populations) the gemeente error is that of its size-weighted wijk rates, for
targets of the same definition only. Both give a joint log error per gemeente, which carries the
gemeente-wide shifts that open data cannot predict: gemeente intervals are calibrated on these errors,
never on sums of independent wijk errors.
"""

from __future__ import annotations

import polars as pl

from toolkit.forecasts._population import client_scale, project_youth_population
from toolkit.forecasts._trend import CANDIDATES
from toolkit.panel import Panel

__all__ = ["PRED_COLUMNS", "client_forecasts", "rate_errors"]

PRED_COLUMNS = tuple(f"y_{c.name}" for c in CANDIDATES)
TOP_DOWN = "top_down"  # prefix of the gemeente options that start from the gemeente's own count


def gemeente_population(past: pl.DataFrame, origin: int, gemeenten: list[str], horizon: int) -> pl.DataFrame:
    """Projected youth population per gemeente and horizon, relative to the origin (`pop_ratio`)."""
    gem = past.filter(pl.col("level") == "gemeente", pl.col("year") == origin, pl.col("youth_0_22_est") > 0,
                      pl.col("region_code").is_in(gemeenten)).select(
        "region_code", pl.col("region_code").alias("gemeente_code"), pl.col("youth_0_22_est").alias("pop0"))
    panel = Panel(frame=past, gemeenten=tuple(gemeenten), latest_year=origin)
    proj = project_youth_population(panel, gem, horizon)
    return proj.join(gem, on="region_code").select(
        pl.col("region_code").alias("gemeente_code"), (pl.col("year") - origin).cast(pl.Int32).alias("horizon"),
        (pl.col("youth_population") / pl.col("pop0")).alias("pop_ratio"))


def _counts(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    return frame.filter(
        pl.col("level") == "gemeente", pl.col("year") == year, pl.col("youth_care_clients").is_not_null()
    ).select(pl.col("region_code").alias("gemeente_code"), pl.col("youth_care_clients").alias("g"))


def client_forecasts(frame: pl.DataFrame, rows: pl.DataFrame, origin: int) -> pl.DataFrame:
    """Gemeente totals per candidate and horizon for `origin` (empty without gemeente counts at origin).

    `rows`: the model's wijk rows of this origin with region_code, gemeente_code, horizon and the
    candidates' log-rate forecasts (`PRED_COLUMNS`). Returns gemeente_code, origin, horizon, target_year,
    g0 (count at origin), g_prev/gap_prev (previous count, for drift), the totals `G_<candidate>`, size.
    """
    g0 = _counts(frame, origin)
    past = frame.filter(pl.col("year") <= origin)
    wijk = past.filter(
        pl.col("level") == "wijk", pl.col("year") == origin, pl.col("youth_care_clients").is_not_null(),
        pl.col("youth_0_22_est") > 0,
    ).select("region_code", "gemeente_code", pl.col("youth_0_22_est").alias("pop0"),
             pl.col("youth_care_clients").alias("c0"), pl.col("youth_care_clients").alias("clients0"))
    if g0.is_empty() or wijk.is_empty():
        return pl.DataFrame()
    horizon = int(rows["horizon"].max())  # type: ignore[arg-type]
    panel = Panel(frame=past, gemeenten=tuple(g0["gemeente_code"].to_list()), latest_year=origin)
    pop = project_youth_population(panel, wijk, horizon).with_columns(
        (pl.col("year") - origin).cast(pl.Int32).alias("horizon")
    )
    w = rows.join(pop.select("region_code", "horizon", "youth_population"), on=["region_code", "horizon"])
    w = w.join(wijk.select("region_code", "c0", "clients0", "pop0"), on="region_code").with_columns(
        client_scale().alias("scale"))
    sums = w.group_by("gemeente_code", "horizon").agg(
        *((pl.col(p).exp() * pl.col("scale")).sum().alias(p) for p in PRED_COLUMNS),
        *((pl.col(p) - pl.col("y_hat")).first().alias(p.replace("y_", "off_", 1)) for p in PRED_COLUMNS),
        pl.col("c0").sum().alias("c0"),
        pl.col("youth_population").sum().alias("size"),
    )
    prev_year = max((y for y in past.filter(pl.col("level") == "gemeente", pl.col("youth_care_clients") > 0,
                                            pl.col("year") < origin)["year"].unique().to_list()), default=None)
    prev = _counts(frame, prev_year).rename({"g": "g_prev"}) if prev_year and origin - prev_year <= 2 else None
    out = sums.join(g0, on="gemeente_code").filter(pl.col("c0") > 0).with_columns(
        (pl.col("g") - pl.col("c0")).clip(lower_bound=0.0).alias("node0")
    ).with_columns(
        (pl.col(p) * (1 + pl.col("node0") / pl.col("c0"))).alias(p.replace("y_", "G_", 1)) for p in PRED_COLUMNS
    )
    out = out.join(prev, on="gemeente_code", how="left") if prev is not None else out.with_columns(
        pl.lit(None, dtype=pl.Float64).alias("g_prev"))
    pop_g = gemeente_population(past, origin, g0["gemeente_code"].to_list(), horizon)
    out = out.join(pop_g, on=["gemeente_code", "horizon"], how="left").with_columns(
        (pl.col("g") * pl.col("pop_ratio").fill_null(1.0) * pl.col(p.replace("y_", "off_", 1)).exp()).alias(
            p.replace("y_", f"G_{TOP_DOWN}_", 1)) for p in PRED_COLUMNS)
    return out.select(
        "gemeente_code", pl.lit(origin).alias("origin"), "horizon",
        (pl.col("horizon") + origin).alias("target_year"), pl.col("g").alias("g0"), "g_prev",
        pl.lit(origin - (prev_year or origin)).alias("gap_prev"), "size",
        *(pl.col(p.replace("y_", "G_", 1)) for p in PRED_COLUMNS),
        *(pl.col(p.replace("y_", f"G_{TOP_DOWN}_", 1)) for p in PRED_COLUMNS),
    )


def rate_errors(rows: pl.DataFrame) -> pl.DataFrame:
    """Joint log error of each gemeente's size-weighted wijk rates, per candidate (same definition only).

    `rows`: model wijk rows with origin, horizon, target_year, gemeente_code, size, y_true, the candidates'
    `PRED_COLUMNS` and `same_definition`.
    """
    w = pl.col("size")
    return (
        rows.filter(pl.col("same_definition"))
        .group_by("origin", "horizon", "target_year", "gemeente_code")
        .agg(
            *(((pl.col("y_true").exp() * w).sum() / (pl.col(p).exp() * w).sum()).log().alias(p.replace("y_", "e_", 1))
              for p in PRED_COLUMNS),
            *((((pl.col("y_true").exp() * w).sum() / (pl.col("y0").exp() * w).sum()).log()
               - (pl.col(p) - pl.col("y_hat")).first()).alias(p.replace("y_", f"e_{TOP_DOWN}_", 1))
              for p in PRED_COLUMNS),
            w.sum().alias("size"),
            pl.len().alias("n_wijken"),
        )
        .filter(pl.col("n_wijken") >= 2)
        .drop("n_wijken")
        .with_columns(pl.lit("rates").alias("kind"))
    )
