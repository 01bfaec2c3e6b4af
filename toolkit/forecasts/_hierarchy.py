"""The wijk -> gemeente hierarchy as data, the "not in a wijk" node, and coherent gemeente totals.

The summing structure comes from the CBS code list of the latest year: every wijk row names its gemeente.
CBS wijk figures need not add up to the gemeente (youths without a known address count only in the
gemeente, and a wijk whose count is secret has no figure), so each gemeente gets one explicit extra child,
`<GMcode>:not_in_wijk`, whose value in the latest year is the gemeente's count minus the sum of the counts
of its wijken that have one (never below 0). Its forecast moves with the gemeente's own wijken:
node[h] = node[latest] x (sum of wijk forecasts at h) / (sum of their counts in the latest year).

Coherence: clients are rounded to whole clients per child (wijk or node) and euros to thousands per child
first; a gemeente's point forecast is then the exact sum of its children. In forecast.csv a gemeente row
also holds `clients_other` / `cost_other_eur`: its withheld wijken (too_small, secret) plus the node, so
that gemeente = sum of its published wijk rows + other, exactly. Intervals are not summed: the gemeente
interval comes from the joint error of the gemeente total (see `_intervals` and `_build`).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from toolkit.panel import Panel

__all__ = ["NODE_SUFFIX", "coherence_residuals", "node_base", "sum_children", "summing_structure"]

NODE_SUFFIX = ":not_in_wijk"


def summing_structure(panel: Panel) -> pl.DataFrame:
    """Rows (gemeente_code, child, kind) for the gemeenten in scope: their wijken and their node."""
    wijk = panel.scope_wijken().select(
        "gemeente_code", pl.col("region_code").alias("child"), pl.lit("wijk").alias("kind")
    )
    node = pl.DataFrame({"gemeente_code": list(panel.gemeenten)}).with_columns(
        (pl.col("gemeente_code") + NODE_SUFFIX).alias("child"), pl.lit("not_in_wijk").alias("kind")
    )
    return pl.concat([wijk, node]).sort("gemeente_code", "kind", "child")


def node_base(panel: Panel, forecast_wijken: pl.DataFrame) -> pl.DataFrame:
    """Per gemeente in scope: its latest count, the sum of its forecast wijken's counts and the node.

    `forecast_wijken` has region_code, gemeente_code and `clients0` (latest count) of the wijken that are
    forecast separately; the other wijken of the gemeente (no count) fall into the node.
    """
    gem = (
        panel.level("gemeente", panel.latest_year)
        .filter(pl.col("region_code").is_in(panel.gemeenten))
        .select(
            pl.col("region_code").alias("gemeente_code"),
            pl.col("youth_care_clients").alias("gemeente_clients0"),
        )
    )
    sums = forecast_wijken.group_by("gemeente_code").agg(pl.col("clients0").sum().alias("wijk_clients0"))
    scope = pl.DataFrame({"gemeente_code": list(panel.gemeenten)})
    return (
        scope.join(gem, on="gemeente_code", how="left")
        .join(sums, on="gemeente_code", how="left")
        .with_columns(pl.col("wijk_clients0").fill_null(0.0))
        .with_columns((pl.col("gemeente_clients0") - pl.col("wijk_clients0")).alias("residual0"))
        .with_columns(pl.col("residual0").clip(lower_bound=0.0).fill_null(0.0).alias("node0"))
    )


def sum_children(children: pl.DataFrame, nodes: pl.DataFrame) -> pl.DataFrame:
    """Gemeente point rows: exact sums of rounded children (wijken + node) per gemeente, year, horizon.

    `children` has gemeente_code, year, horizon, status, clients (int), cost_eur (int); `nodes` has
    gemeente_code, year, horizon, clients, cost_eur (int) of the node.
    """
    wijk = children.group_by("gemeente_code", "year", "horizon").agg(
        pl.col("clients").sum().alias("w_clients"),
        pl.col("cost_eur").sum().alias("w_cost"),
        pl.col("clients").filter(pl.col("status") != "ok").sum().alias("hidden_clients"),
        pl.col("cost_eur").filter(pl.col("status") != "ok").sum().alias("hidden_cost"),
    )
    out = nodes.join(wijk, on=["gemeente_code", "year", "horizon"], how="left").fill_null(0)
    return out.select(
        "gemeente_code",
        "year",
        "horizon",
        (pl.col("w_clients") + pl.col("clients")).alias("clients"),
        (pl.col("w_cost") + pl.col("cost_eur")).alias("cost_eur"),
        (pl.col("hidden_clients") + pl.col("clients")).alias("clients_other"),
        (pl.col("hidden_cost") + pl.col("cost_eur")).alias("cost_other_eur"),
    )


def coherence_residuals(table: pl.DataFrame, nodes: pl.DataFrame) -> dict[str, Any]:
    """Residual per level: gemeente - (published wijken + other) in forecast.csv, and the data's node."""
    wijk = (
        table.filter(pl.col("level") == "wijk", pl.col("status") == "ok")
        .group_by("gemeente_code", "year")
        .agg(pl.col("clients").sum().alias("w"), pl.col("cost_eur").sum().alias("wc"))
    )
    gem = (
        table.filter(pl.col("level") == "gemeente")
        .join(wijk, left_on=["region_code", "year"], right_on=["gemeente_code", "year"], how="left")
        .fill_null(0)
    )
    res = gem.select(
        (pl.col("clients") - pl.col("w") - pl.col("clients_other")).abs().max().alias("c"),
        (pl.col("cost_eur") - pl.col("wc") - pl.col("cost_other_eur")).abs().max().alias("e"),
    )
    return {
        "gemeente_minus_sum_of_children_clients_max_abs": int(res["c"][0] or 0),
        "gemeente_minus_sum_of_children_eur_max_abs": int(res["e"][0] or 0),
        "intervals": "not summed: gemeente intervals come from the joint error of the gemeente total",
        "not_in_wijk_node_latest_year": [
            {
                "gemeente_code": r["gemeente_code"],
                "gemeente_clients": r["gemeente_clients0"],
                "sum_of_forecast_wijken": r["wijk_clients0"],
                "residual": r["residual0"],
                "share_pct": round(100 * r["node0"] / r["gemeente_clients0"], 2)
                if r["gemeente_clients0"]
                else None,
            }
            for r in nodes.iter_rows(named=True)
        ],
    }
