"""build_forecasts(): forecast.csv, backtest.csv, per-wijk errors, growth and the audit section.

Per wijk of the scope with a rate in the latest year: rate forecast (`_rate_model`) x projected youth
population (`_population`) x the scenario's rate factor = clients; clients x price = euros (`_costs`,
`_scenario`). Intervals: conformal on the backtest errors by horizon (`_intervals`), in rate space times the
population, with the population's own uncertainty and the rounding of input counts added in quadrature.
Gemeente rows: exact sums of rounded children (`_hierarchy`), intervals from the joint gemeente error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ethics.errors import ConfigError
from ethics.policy import Policy
from toolkit.config import RunConfig
from toolkit.forecasts._backtest import Backtest, build_states, gemeente_errors, run_backtest
from toolkit.forecasts._costs import Price, load_prices, released_price
from toolkit.forecasts._hierarchy import node_base, sum_children
from toolkit.forecasts._intervals import Calibration, add_intervals, calibrate, rounding_sd, widen
from toolkit.forecasts._population import growth_log_sd, project_youth_population
from toolkit.forecasts._rate_model import fit_rate_model, forecast_log_rates
from toolkit.forecasts._scenario import Scenario, load_scenario
from toolkit.panel import Panel

__all__ = ["FORECAST_COLUMNS", "WITHHELD", "ForecastResult", "build_forecasts"]

FORECAST_COLUMNS = (
    "region_code",
    "level",
    "year",
    "horizon",
    "clients",
    "clients_lower",
    "clients_upper",
    "cost_eur",
    "cost_lower_eur",
    "cost_upper_eur",
    "status",
)
EXTRA_VALUES = (
    "clients_lower_95",
    "clients_upper_95",
    "cost_lower_95_eur",
    "cost_upper_95_eur",
    "clients_other",
    "cost_other_eur",
)
WITHHELD = (*FORECAST_COLUMNS[4:10], *EXTRA_VALUES)
EXTRA_COLUMNS = (*EXTRA_VALUES, "gemeente_code", "flag", "scenario", "price_source")
MSG_NO_POPULATION = (
    "--as-of {year}: forecasts in clients need the youth population of the latest year, "
    "which CBS KWB publishes per wijk from 2021. Use --as-of 2021 or later."
)


@dataclass(frozen=True)
class ForecastResult:
    """forecast.csv (`table`), backtest.csv (`backtest`) and what the audit and other stages need."""

    table: pl.DataFrame
    withheld: tuple[str, ...]
    backtest: pl.DataFrame
    region_errors: pl.DataFrame
    growth: pl.DataFrame
    audit: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Inputs:
    panel: Panel
    policy: Policy
    horizon: int
    scenario: Scenario
    price: Price
    indexation: float


def _status(profiles: Any) -> pl.DataFrame:
    frame = getattr(profiles, "table", profiles)
    return frame.select("region_code", pl.col("status").alias("profile_status"))


def _price_expr(inp: _Inputs) -> pl.Expr:
    years = (pl.col("year") - inp.price.price_year).cast(pl.Float64)
    return inp.price.eur_per_client_year * inp.scenario.price_factor * (1 + inp.indexation / 100) ** years


def _thousands(expr: pl.Expr) -> pl.Expr:
    """Euros rounded to whole thousands, as floats: an integer column of 9-digit euro totals would trip the
    egress BSN check (elfproef on 9-digit integers), and the sums stay exact in float64 far beyond 1e12."""
    return (expr / 1000).round(0) * 1000


def _wijk_points(inp: _Inputs, states: dict[int, pl.DataFrame], cal: Calibration | None) -> pl.DataFrame:
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
    rates = forecast_log_rates(model, state, inp.horizon).join(
        state.select("region_code", "size"), on="region_code"
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
    k = pl.col("youth_population") / 100 * rf
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


def _bounds(rows: pl.DataFrame, sd: float, price: pl.Expr, rel_price_sd: float) -> pl.DataFrame:
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


def _gemeente_rows(
    inp: _Inputs, wijk: pl.DataFrame, cal: Calibration | None
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
        .with_columns(_thousands(pl.col("clients") * _price_expr(inp)).alias("cost_eur"))
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
    bounded = _bounds(
        g.drop("clients", "cost_eur"),
        rounding_sd(inp.policy.disclosure.rounding_base),
        _price_expr(inp),
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


def _flags(panel: Panel) -> pl.DataFrame:
    hist = panel.level("wijk").filter(
        pl.col("year") <= panel.latest_year,
        pl.col("year").is_in(
            panel.frame.filter(pl.col("youth_care_rate_pct").is_not_null())["year"].unique().implode()
        ),
    )
    return hist.group_by("region_code").agg(
        pl.col("youth_care_rate_pct").null_count().alias("n_secret_years")
    )


def _wijk_table(inp: _Inputs, wijk: pl.DataFrame, profiles: Any) -> pl.DataFrame:
    """Every wijk of the scope x forecast year; values only where the status is ok."""
    latest = inp.panel.latest_year
    years = pl.DataFrame(
        {"horizon": list(range(1, inp.horizon + 1))}, schema={"horizon": pl.Int32}
    ).with_columns((pl.col("horizon") + latest).cast(pl.Int32).alias("year"))
    scope = inp.panel.scope_wijken().select("region_code", "gemeente_code").join(years, how="cross")
    out = (
        scope.join(
            wijk.drop("gemeente_code", "status", strict=False),
            on=["region_code", "year", "horizon"],
            how="left",
        )
        .join(_status(profiles), on="region_code", how="left")
        .join(_flags(inp.panel), on="region_code", how="left")
    )
    forecast = pl.col("clients").is_not_null()
    status = (
        pl.when(pl.col("profile_status").is_in(["too_small", "secret"]))
        .then(pl.col("profile_status"))
        .when(forecast)
        .then(pl.lit("ok"))
        .otherwise(pl.lit("secret"))
    )
    flag = (
        pl.when(~forecast)
        .then(pl.lit("history_secret"))
        .when(pl.col("n_secret_years") > 0)
        .then(pl.lit("history_partly_secret"))
        .otherwise(pl.lit(""))
    )
    return out.with_columns(status.alias("status"), flag.alias("flag"), pl.lit("wijk").alias("level"))


def _withhold(table: pl.DataFrame) -> pl.DataFrame:
    ok = pl.col("status") == "ok"
    return table.with_columns(pl.when(ok).then(pl.col(c)).otherwise(None).alias(c) for c in WITHHELD)


def _inputs(panel: Panel, policy: Policy, config: RunConfig, releases: Any) -> _Inputs:
    prices = load_prices()
    scenario = load_scenario(config.scenario)
    price = released_price(releases, panel.latest_year) or prices.default()
    idx = (
        prices.indexation_pct_per_year
        if scenario.indexation_pct_per_year is None
        else scenario.indexation_pct_per_year
    )
    return _Inputs(panel, policy, config.horizon_years, scenario, price, idx)


def _require_population(panel: Panel) -> None:
    latest = panel.scope_wijken().filter(pl.col("youth_0_22_est").is_not_null())
    if latest.is_empty():
        raise ConfigError(MSG_NO_POPULATION.format(year=panel.latest_year))


def _land(panel: Panel) -> str:
    land = panel.frame.filter(pl.col("level") == "land")["region_code"].unique().to_list()
    return str(land[0]) if land else "NL00"


def _growth(wijk: pl.DataFrame, horizon: int) -> pl.DataFrame:
    last = wijk.filter(pl.col("horizon") == horizon)
    return last.select(
        "region_code",
        pl.when(pl.col("status") == "ok")
        .then(((pl.col("c") / pl.col("clients0") - 1) * 100).round(1))
        .otherwise(None)
        .alias("growth_pct"),
        "status",
    )


def build_forecasts(
    panel: Panel, profiles: Any, policy: Policy, config: RunConfig, releases: Any = None
) -> ForecastResult:
    """Forecasts for the scope of `panel` (see the module docstring and ARCHITECTURE.md)."""
    from toolkit.forecasts._audit import forecast_audit

    _require_population(panel)
    inp = _inputs(panel, policy, config, releases)
    states = build_states(panel.frame, panel.latest_year, policy.excluded_features)
    bt = run_backtest(states, panel.latest_year, _land(panel))
    cal_w, cal_g = _calibrations(bt)
    points = _wijk_points(inp, states, cal_w)
    wijk = _bounds(
        points, rounding_sd(policy.disclosure.rounding_base), _price_expr(inp), inp.price.relative_sd
    )
    wijk_table = _wijk_table(inp, wijk, profiles)
    gem, nodes = _gemeente_rows(inp, wijk_table.filter(pl.col("clients").is_not_null()), cal_g)
    cols = [*FORECAST_COLUMNS, *EXTRA_COLUMNS]
    extra = [pl.lit(inp.scenario.name).alias("scenario"), pl.lit(inp.price.source).alias("price_source")]
    table = pl.concat(
        [
            wijk_table.with_columns(
                pl.lit(None, dtype=pl.Int64).alias("clients_other"),
                pl.lit(None, dtype=pl.Float64).alias("cost_other_eur"),
                *extra,
            ),
            gem.with_columns(*extra),
        ],
        how="diagonal_relaxed",
    ).select(cols)
    table = _withhold(table).sort(pl.col("level") == "gemeente", "region_code", "year")
    audit = forecast_audit(inp, bt, cal_w, cal_g, table, nodes)
    growth = _growth(wijk_table, inp.horizon)
    return ForecastResult(
        table,
        WITHHELD,
        bt.table.select(
            "model",
            "horizon",
            "mae",
            "mape",
            "coverage_80",
            "n_regions",
            "n_forecasts",
            "origins",
            "unit",
            "region_code",
        )
        if bt.table.height
        else bt.table,
        bt.region_errors,
        growth,
        audit,
    )


def _calibrations(bt: Backtest) -> tuple[Calibration | None, Calibration | None]:
    if bt.rows.is_empty():
        return None, None
    rows = bt.rows.filter(pl.col("method") == "model")
    return (
        calibrate(rows.select("horizon", "log_error", "size")),
        calibrate(gemeente_errors(rows).select("horizon", "log_error", "size")),
    )
