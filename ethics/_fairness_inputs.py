"""What the fairness audit compares: kinds of wijken (from open data) and one value per wijk per metric.

Groupings (terciles among the wijken a metric covers: all Dutch wijken for the national models, the wijken in
scope for the priority list and the releases):
- income_tercile: tercile of the average income per inhabitant (latest known year), low / middle / high.
- migration_tercile: tercile of the share of inhabitants with a non-western migration background
  (pop_nonwestern_migration / population). Audit only: never a model feature.
- urbanity_class: CBS urbanity class 1 (very strongly urban) .. 5 (not urban).
- size_class: inhabitants, 0-2499 / 2500-9999 / 10000-19999 / 20000+.

Every metric input is a frame (region_code, y_true, y_pred, weight) with one row per wijk, so a bootstrap
resamples wijken, never cells or years of one wijk.
"""

from __future__ import annotations

import polars as pl

__all__ = ["GROUPINGS", "GROUP_ORDER", "MOST_NEED", "SIZE_BREAKS", "METRIC_KIND", "grouping_values",
           "assign_groups", "forecast_inputs", "model_inputs", "selection_inputs", "burden_inputs"]

GROUPINGS = ("income_tercile", "migration_tercile", "urbanity_class", "size_class")
SIZE_BREAKS = (2500, 10000, 20000)
TERCILES = ("low", "middle", "high")
GROUP_ORDER: dict[str, tuple[str, ...]] = {
    "income_tercile": TERCILES, "migration_tercile": TERCILES,
    "urbanity_class": ("1", "2", "3", "4", "5"),
    "size_class": ("0-2499", "2500-9999", "10000-19999", "20000+"),
}
# For need groupings: (the group with the most need, the group with the least need).
MOST_NEED: dict[str, tuple[str, str]] = {"income_tercile": ("low", "high")}
# error: lower is better (ratio to overall); bias: signed gap; selection: ratio in either direction.
METRIC_KIND = {"forecast_mae": "error", "forecast_bias": "bias", "model_mae": "error", "model_bias": "bias",
               "selection_rate": "selection", "selection_rate_youth": "selection",
               "selection_given_need": "selection",
               "withheld_share": "error", "accuracy_95": "error"}
INCOME = "income_avg_per_inhabitant_x1000eur"


def _terciles(values: pl.Series) -> tuple[float, float]:
    known = values.drop_nulls().drop_nans()
    if known.is_empty():
        return float("nan"), float("nan")
    return float(known.quantile(1 / 3, "linear")), float(known.quantile(2 / 3, "linear"))  # type: ignore[arg-type]


def _cut(expr: pl.Expr, breaks: tuple[float, ...], labels: tuple[str, ...]) -> pl.Expr:
    out = pl.when(expr.is_null() | expr.is_nan()).then(None)
    for brk, label in zip(breaks, labels, strict=False):
        out = out.when(expr < brk).then(pl.lit(label))
    return out.otherwise(pl.lit(labels[-1]))


def grouping_values(wijk: pl.DataFrame, year: int) -> pl.DataFrame:
    """The open values behind the groupings for every wijk of `year`.

    `wijk` holds wijk rows of several years with region_code, year, population, pop_nonwestern_migration,
    urbanity_class and the income column; income is taken from the latest year up to `year` that has it.
    """
    income = (wijk.filter(pl.col("year") <= year, pl.col(INCOME).is_not_null()).sort("year")
              .group_by("region_code").agg(pl.col(INCOME).last().alias("income")))
    return wijk.filter(pl.col("year") == year).join(income, on="region_code", how="left").select(
        "region_code", pl.col("income").cast(pl.Float64),
        pl.when(pl.col("population") > 0).then(pl.col("pop_nonwestern_migration") / pl.col("population"))
        .cast(pl.Float64).alias("migration_share"),
        pl.col("urbanity_class").cast(pl.Int64).cast(pl.String).alias("urbanity_class"),
        pl.col("population").cast(pl.Float64))


def assign_groups(values: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, object]]:
    """Groups of the wijken in `values` (unknown -> null) and the cut points used.

    Terciles are taken among these wijken (with inhabitants), so a metric over one gemeente compares the
    gemeente's own thirds, a metric over all Dutch wijken the national thirds.
    """
    populated = values.filter(pl.col("population") > 0)
    inc_cuts, mig_cuts = _terciles(populated["income"]), _terciles(populated["migration_share"])
    groups = values.select(
        "region_code",
        _cut(pl.col("income"), inc_cuts, TERCILES).alias("income_tercile"),
        _cut(pl.col("migration_share"), mig_cuts, TERCILES).alias("migration_tercile"),
        "urbanity_class",
        _cut(pl.col("population"), tuple(map(float, SIZE_BREAKS)), GROUP_ORDER["size_class"])
        .alias("size_class"))
    cuts = {"income_tercile": [round(c, 2) for c in inc_cuts],
            "migration_tercile": [round(c, 4) for c in mig_cuts],
            "size_class": list(SIZE_BREAKS), "n_regions": values.height,
            "unknown": {g: int(groups[g].null_count()) for g in GROUPINGS}}
    return groups, cuts


def _frame(region: pl.Expr, y_true: pl.Expr, y_pred: pl.Expr, weight: pl.Expr) -> list[pl.Expr]:
    return [region.alias("region_code"), y_true.cast(pl.Float64).alias("y_true"),
            y_pred.cast(pl.Float64).alias("y_pred"), weight.cast(pl.Float64).alias("weight")]


def forecast_inputs(region_errors: pl.DataFrame, model: str | None = None) -> dict[str, pl.DataFrame]:
    """Backtest errors of one model per wijk, averaged over horizons: mean |error| and mean signed error."""
    errs = region_errors.filter(pl.col("error").is_not_null())
    if model is not None:
        errs = errs.filter(pl.col("model") == model)
    per = errs.group_by("region_code").agg(pl.col("abs_error").mean(), pl.col("error").mean())
    zero, one = pl.lit(0.0), pl.lit(1.0)
    return {"forecast_mae": per.select(_frame(pl.col("region_code"), zero, pl.col("abs_error"), one)),
            "forecast_bias": per.select(_frame(pl.col("region_code"), zero, pl.col("error"), one))}


def model_inputs(model_errors: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Expected-rate model errors (out of fold) per wijk: |expected - observed| and expected - observed."""
    rows = model_errors.drop_nulls(["observed_rate", "expected_rate_oof"])
    frame = rows.select(_frame(pl.col("region_code"), pl.col("observed_rate"), pl.col("expected_rate_oof"),
                               pl.lit(1.0)))
    return {"model_mae": frame, "model_bias": frame}


def selection_inputs(candidates: pl.DataFrame, priority: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Selection into the priority list among `candidates` (region_code, youth_population)."""
    chosen = priority.select("region_code").unique().with_columns(pl.lit(1.0).alias("selected"))
    rows = candidates.join(chosen, on="region_code", how="left").with_columns(
        pl.col("selected").fill_null(0.0))
    plain = rows.select(_frame(pl.col("region_code"), pl.lit(1.0), pl.col("selected"), pl.lit(1.0)))
    youth = rows.filter(pl.col("youth_population") > 0).select(
        _frame(pl.col("region_code"), pl.lit(1.0), pl.col("selected"), pl.col("youth_population")))
    return {"selection_rate": plain, "selection_rate_youth": youth}


def burden_inputs(releases: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Burden of protection per wijk: share of withheld cells, mean accuracy_95 of the released ones.

    Only the wijk cells of the `clients` measure (every care type) count: accuracy_95 is in the unit of its
    measure, so children, trajectories and euros must not be averaged together.
    """
    cells = releases.filter(pl.col("region_code").str.starts_with("WK"), pl.col("measure") == "clients")
    if cells.is_empty():
        return {}
    per = cells.group_by("region_code").agg(
        (pl.col("status") != "ok").mean().alias("withheld"), pl.len().alias("cells"))
    ok = (cells.filter(pl.col("status") == "ok", pl.col("accuracy_95").is_not_null()).group_by("region_code")
          .agg(pl.col("accuracy_95").mean().alias("acc"), pl.len().alias("released")))
    zero, region = pl.lit(0.0), pl.col("region_code")
    return {"withheld_share": per.select(_frame(region, zero, pl.col("withheld"), pl.col("cells"))),
            "accuracy_95": ok.select(_frame(region, zero, pl.col("acc"), pl.col("released")))}
