"""Assembling forecast rows: wijk points and bounds, the gemeente rows, euros (used by `_build`).

Wijk clients = latest count x relative change of the rate forecast (model + the chosen growth candidate of
`_trend`) x relative change of the projected youth population x the scenario's rate factor. Client bounds:
the conformal rate bounds x population, with the population projection's log error (`growth_log_sd`,
growing linearly with the horizon) added in quadrature, then widened for the rounding of input counts.
Euros = clients x price x scenario factor x indexation, rounded to thousands per child; euro bounds are
client bounds x price, widened for the noise of a released (DP) price. Gemeente rows: exact sums of their
rounded children (`_hierarchy`) with intervals from the joint gemeente error.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ethics.errors import ConfigError
from ethics.policy import Policy
from toolkit.forecasts._costs import Price
from toolkit.forecasts._hierarchy import node_base, sum_children
from toolkit.forecasts._intervals import Calibration, add_intervals, rounding_sd, widen
from toolkit.forecasts._population import client_scale, growth_log_sd, project_youth_population
from toolkit.forecasts._rate_model import fit_rate_model, forecast_log_rates
from toolkit.forecasts._scenario import Scenario
from toolkit.forecasts._trend import CONSTANT, Candidate, estimate_trend, offset_expr
from toolkit.panel import Panel

__all__ = ["MSG_NO_POPULATION", "Inputs", "bounds", "gemeente_rows", "price_expr", "wijk_points"]

MSG_NO_POPULATION = (
    "--as-of {year}: forecasts in clients need the youth population of the latest year, "
    "which CBS KWB publishes per wijk from 2021. Use --as-of 2021 or later."
)


@dataclass(frozen=True)
class Inputs:
    panel: Panel
    policy: Policy
    horizon: int
    scenario: Scenario
    price: Price
    indexation: float


def price_expr(inp: Inputs) -> pl.Expr:
    years = (pl.col("year") - inp.price.price_year).cast(pl.Float64)
    return inp.price.eur_expr() * inp.scenario.price_factor * (1 + inp.indexation / 100) ** years


def _thousands(expr: pl.Expr) -> pl.Expr:
    """Euros rounded to whole thousands, as floats: an integer column of 9-digit euro totals would trip the
    egress BSN check (elfproef on 9-digit integers), and the sums stay exact in float64 far beyond 1e12."""
    return (expr / 1000).round(0) * 1000


def wijk_points(
    inp: Inputs, states: dict[int, pl.DataFrame], cal: Calibration | None, growth: Candidate = CONSTANT
) -> pl.DataFrame:
    """Wijk clients (point and bounds before rounding) with the rate model plus the `growth` candidate."""
    panel, latest = inp.panel, inp.panel.latest_year
    scope = panel.scope_wijken().select(
        "region_code",
        "gemeente_code",
        pl.col("youth_0_22_est").alias("pop0"),
        pl.col("youth_care_clients").alias("clients0"),
    )
    state = states[latest].filter(pl.col("region_code").is_in(scope["region_code"].implode()))
    model = fit_rate_model(states, latest)
    if model is None:
        raise ConfigError(MSG_NO_POPULATION.format(year=latest))
    trend = estimate_trend(panel.frame, latest)
    rates = (
        forecast_log_rates(model, state, inp.horizon)
        .join(state.select("region_code", "gemeente_code", "size", pl.col("y").alias("y0")), on="region_code")
        .join(trend.tau, on="gemeente_code", how="left")
        .with_columns(pl.lit(trend.mu).alias("mu"))
        .with_columns(pl.col("y_hat") + offset_expr(growth, pl.col("mu"), pl.col("tau"), pl.col("horizon")))
        .drop("gemeente_code", "mu", "tau")
    )
    rates = (
        add_intervals(rates, cal)
        if cal
        else rates.with_columns(*(pl.col("y_hat").exp().alias(c) for c in ("lo80", "hi80", "lo95", "hi95")))
    )
    pop = project_youth_population(
        panel, scope.filter(pl.col("pop0").is_not_null()), inp.horizon
    ).with_columns((pl.col("year") - latest).cast(pl.Int32).alias("horizon"))
    rf = pl.lit(1 + inp.scenario.rate_change_pct_per_year / 100) ** pl.col("horizon")
    k = client_scale() * rf
    rows = rates.join(pop, on=["region_code", "horizon"]).join(scope, on="region_code")
    return rows.with_columns(
        (pl.col("y_hat").exp() * k).alias("c"), *_population_widened(k, growth_log_sd(panel))
    )


def _population_widened(k: pl.Expr, pop_sd: float) -> list[pl.Expr]:
    """Client bounds: rate bounds x population, with the projection's log error added in quadrature."""
    pop_term = pop_sd * pl.col("horizon").cast(pl.Float64)
    out = []
    for b, z, sign in (("lo80", 1.2816, -1), ("hi80", 1.2816, 1), ("lo95", 1.96, -1), ("hi95", 1.96, 1)):
        half = ((pl.col(b).log() - pl.col("y_hat")) ** 2 + (z * pop_term) ** 2).sqrt()
        out.append(((pl.col("y_hat") + sign * half).exp() * k).alias(f"c_{b}"))
    return out


def bounds(rows: pl.DataFrame, sd: float, price: pl.Expr, rel_price_sd: float) -> pl.DataFrame:
    """Rounded clients and euros with both intervals, widened for input and price noise."""
    out = rows.with_columns(pl.col("c").round(0).cast(pl.Int64).alias("clients"), price.alias("price"))
    for lv, tag, lo, hi in (
        (0.80, "", "clients_lower", "clients_upper"),
        (0.95, "_95", "clients_lower_95", "clients_upper_95"),
    ):
        out = out.with_columns(
            pl.min_horizontal(
                widen(pl.col("c"), pl.col(f"c_lo{lv * 100:.0f}"), sd, lv, False).floor(), pl.col("clients")
            )
            .cast(pl.Int64)
            .alias(lo),
            pl.max_horizontal(
                widen(pl.col("c"), pl.col(f"c_hi{lv * 100:.0f}"), sd, lv, True).ceil(), pl.col("clients")
            )
            .cast(pl.Int64)
            .alias(hi),
        )
        cost = pl.col("clients") * pl.col("price")
        psd = cost * rel_price_sd
        out = out.with_columns(
            _thousands(widen(cost, pl.col(lo) * pl.col("price"), psd, lv, False)).alias(
                f"cost_lower{tag}_eur"
            ),
            _thousands(widen(cost, pl.col(hi) * pl.col("price"), psd, lv, True)).alias(
                f"cost_upper{tag}_eur"
            ),
        )
    return out.with_columns(_thousands(pl.col("clients") * pl.col("price")).alias("cost_eur"))


def gemeente_rows(
    inp: Inputs, wijk: pl.DataFrame, cal: Calibration | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    panel = inp.panel
    nodes = node_base(
        panel,
        wijk.filter(pl.col("horizon") == 1)
        .select("region_code", "gemeente_code", "clients0")
        .drop_nulls("clients0"),
    )
    ratio = wijk.group_by("gemeente_code", "year", "horizon").agg(
        pl.col("c").sum().alias("wc"),
        pl.col("clients0").sum().alias("w0"),
        pl.col("size").sum().alias("size"),
    )
    node_rows = (
        nodes.join(ratio, on="gemeente_code")
        .with_columns(
            (pl.col("node0") * pl.col("wc") / pl.col("w0"))
            .fill_nan(0.0)
            .fill_null(0.0)
            .round(0)
            .cast(pl.Int64)
            .alias("clients")
        )
        .with_columns(_thousands(pl.col("clients") * price_expr(inp)).alias("cost_eur"))
    )
    sums = sum_children(
        wijk.select("gemeente_code", "year", "horizon", "status", "clients", "cost_eur"),
        node_rows.select("gemeente_code", "year", "horizon", "clients", "cost_eur"),
    )
    g = sums.join(
        node_rows.select("gemeente_code", "horizon", "size"), on=["gemeente_code", "horizon"]
    ).with_columns(pl.col("clients").cast(pl.Float64).clip(lower_bound=1e-9).log().alias("y_hat"))
    g = (
        add_intervals(g, cal)
        if cal
        else g.with_columns(*(pl.col("y_hat").exp().alias(c) for c in ("lo80", "hi80", "lo95", "hi95")))
    )
    g = g.with_columns(
        pl.col("clients").cast(pl.Float64).alias("c"),
        pl.lit("ok").alias("status"),
        *(pl.col(b).alias(f"c_{b}") for b in ("lo80", "hi80", "lo95", "hi95")),
    )
    bounded = bounds(
        g.drop("clients", "cost_eur"),
        rounding_sd(inp.policy.disclosure.rounding_base),
        price_expr(inp),
        inp.price.relative_sd,
    )
    out = bounded.drop("cost_eur", "clients").join(
        sums.select("gemeente_code", "year", "clients", "cost_eur"), on=["gemeente_code", "year"]
    )
    return out.with_columns(
        pl.col("gemeente_code").alias("region_code"),
        pl.lit("gemeente").alias("level"),
        pl.lit("").alias("flag"),
    ), nodes


def top_down(inp: Inputs, points: pl.DataFrame, growth: Candidate) -> pl.DataFrame:
    """Scale every wijk of a gemeente so the gemeente total starts from its own count (top-down).

    Target: G(h) = G0 x projected youth growth of the gemeente x the growth candidate's factor x the
    scenario's rate factor. The
    bottom-up total is sum(c) x (1 + node0 / sum(c0)) (`gemeente_rows`); each wijk's point and bounds are
    multiplied by their ratio, so the gemeente row stays the exact sum of its children.
    """
    from toolkit.forecasts._gemeente_errors import gemeente_population

    panel, latest = inp.panel, inp.panel.latest_year
    trend = estimate_trend(panel.frame, latest)
    nodes = node_base(panel, points.filter(pl.col("horizon") == 1).select("region_code", "gemeente_code",
                                                                        "clients0").drop_nulls("clients0"))
    pop = gemeente_population(panel.frame, latest, list(panel.gemeenten), inp.horizon)
    sums = points.group_by("gemeente_code", "horizon").agg(pl.col("c").sum().alias("sum_c"))
    k = (
        sums.join(nodes, on="gemeente_code").join(pop, on=["gemeente_code", "horizon"], how="left")
        .join(trend.tau, left_on="gemeente_code", right_on="gemeente_code", how="left")
        .with_columns(pl.lit(trend.mu).alias("mu"))
        .with_columns(
            (pl.col("gemeente_clients0") * pl.col("pop_ratio").fill_null(1.0)
             * offset_expr(growth, pl.col("mu"), pl.col("tau"), pl.col("horizon")).exp()
             * (1 + inp.scenario.rate_change_pct_per_year / 100) ** pl.col("horizon").cast(pl.Float64)
             / (pl.col("sum_c") * (1 + pl.col("node0") / pl.col("wijk_clients0")))).alias("k")
        )
        .select("gemeente_code", "horizon", pl.col("k").fill_nan(1.0).fill_null(1.0))
    )
    cols = ("c", "c_lo80", "c_hi80", "c_lo95", "c_hi95")
    return points.join(k, on=["gemeente_code", "horizon"], how="left").with_columns(
        pl.col(c) * pl.col("k").fill_null(1.0) for c in cols
    ).drop("k")
