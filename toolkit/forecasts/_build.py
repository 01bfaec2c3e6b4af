"""build_forecasts(): forecast.csv, backtest.csv, per-wijk errors, growth and the audit section.

Per wijk of the scope with a rate in the latest year: its latest count moved by the rate forecast
(`_rate_model` plus the growth option the backtest chose, `_choice` / `_trend`) and the projected youth
population (`_population`) x the scenario's rate factor = clients; clients x price = euros (`_costs`,
`_scenario`). Two growth assumptions are built: the leading one (the backtest's choice, or the one the
scenario file names) for every wijk and gemeente, and the other kind ("tarieven constant" beside "trend zet
door") for the gemeente rows, so a controller sees both in euros (`scenario`, `growth` columns).
Intervals: conformal on the chosen option's backtest errors by horizon (`_intervals`), in rate space times
the population, with the population's own uncertainty and the rounding of input counts added in quadrature.
Gemeente rows: exact sums of rounded children (`_hierarchy`), intervals from the joint gemeente error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ethics.errors import ConfigError
from ethics.policy import Policy
from toolkit.config import RunConfig
from toolkit.forecasts._assemble import (
    MSG_NO_POPULATION,
    Inputs,
    bounds,
    gemeente_rows,
    price_expr,
    top_down,
    wijk_points,
)
from toolkit.forecasts._backtest import Backtest, build_states, gemeente_errors, run_backtest
from toolkit.forecasts._choice import Choice, option, wijk_error
from toolkit.forecasts._costs import Price, default_price, load_prices, released_price
from toolkit.forecasts._growth_audit import growth_audit
from toolkit.forecasts._intervals import Calibration, calibrate, rounding_sd
from toolkit.forecasts._scenario import load_scenario
from toolkit.forecasts._trend import CANDIDATES, CONSTANT, estimate_trend
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
FLAG_NEW_CODE = "no_history_under_current_code: forecast starts from the wijk's latest level"
FLAG_SECRET_PAST = "history_secret_before_latest_year: forecast starts from the wijk's latest level"
EXTRA_COLUMNS = (*EXTRA_VALUES, "gemeente_code", "flag", "scenario", "growth", "price_source")


@dataclass(frozen=True)
class ForecastResult:
    """forecast.csv (`table`), backtest.csv (`backtest`) and what the audit and other stages need."""

    table: pl.DataFrame
    withheld: tuple[str, ...]
    backtest: pl.DataFrame
    region_errors: pl.DataFrame
    growth: pl.DataFrame
    audit: dict[str, Any] = field(default_factory=dict)

    @property
    def primary(self) -> pl.DataFrame:
        """The rows of the growth assumption the backtest chose (every wijk and gemeente row once)."""
        chosen = self.audit.get("growth", {}).get("chosen")
        return self.table if chosen is None else self.table.filter(pl.col("growth") == chosen)


def _status(profiles: Any) -> pl.DataFrame:
    frame = getattr(profiles, "table", profiles)
    return frame.select("region_code", pl.col("status").alias("profile_status"))


def _flags(panel: Panel) -> pl.DataFrame:
    """Per wijk: years with a secret rate, any rate before the latest year, any row (its code) before it."""
    years = panel.frame.filter(pl.col("youth_care_rate_pct").is_not_null())["year"].unique().implode()
    hist = panel.level("wijk").filter(pl.col("year") <= panel.latest_year, pl.col("year").is_in(years))
    return hist.group_by("region_code").agg(
        pl.col("youth_care_rate_pct").null_count().alias("n_secret_years"),
        (pl.col("youth_care_rate_pct").is_not_null() & (pl.col("year") < panel.latest_year)).any().alias("has_past"),
        (pl.col("year") < panel.latest_year).any().alias("code_existed"),
    )


def _wijk_table(inp: Inputs, wijk: pl.DataFrame, profiles: Any) -> pl.DataFrame:
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
        .when(~pl.col("code_existed").fill_null(False))
        .then(pl.lit(FLAG_NEW_CODE))
        .when(~pl.col("has_past").fill_null(False))
        .then(pl.lit(FLAG_SECRET_PAST))
        .when(pl.col("n_secret_years") > 0)
        .then(pl.lit("history_partly_secret"))
        .otherwise(pl.lit(""))
    )
    return out.with_columns(status.alias("status"), flag.alias("flag"), pl.lit("wijk").alias("level"))


def _withhold(table: pl.DataFrame) -> pl.DataFrame:
    ok = pl.col("status") == "ok"
    return table.with_columns(pl.when(ok).then(pl.col(c)).otherwise(None).alias(c) for c in WITHHELD)


def _inputs(panel: Panel, policy: Policy, config: RunConfig, releases: Any, price: Price | None = None) -> Inputs:
    """The forecast's inputs; `price` (another domain's public price) replaces youth care's default price."""
    prices = load_prices()
    scenario = load_scenario(config.scenario)
    price = price or released_price(releases, panel.latest_year) or default_price(prices, panel.frame)
    idx = (
        prices.indexation_pct_per_year
        if scenario.indexation_pct_per_year is None
        else scenario.indexation_pct_per_year
    )
    return Inputs(panel, policy, config.horizon_years, scenario, price, idx)


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


GROWTH_LABELS = {"rates_constant": "tarieven constant"}
TREND_LABEL = "trend zet door"


def scenario_label(scenario_name: str, choice: Choice) -> str:
    """The forecast.csv `scenario` value: the scenario file's name and the growth assumption."""
    return f"{scenario_name}; {GROWTH_LABELS.get(choice.growth.name, TREND_LABEL)}"


def _best_trend(bt: Backtest, top_down: bool) -> Choice:
    scores = {k: v for k, v in bt.scores.get("gemeente", {}).items() if option(k).growth is not CONSTANT}
    return option(min(scores, key=scores.__getitem__)) if scores else Choice(CANDIDATES[2], top_down)


def _growth_pair(bt: Backtest, setting: str) -> tuple[Choice, Choice]:
    """(leading, beside it): the backtest's choice unless the scenario names one, and the other kind."""
    chosen = bt.choice["gemeente"]
    constant, trend = Choice(CONSTANT, chosen.top_down), (
        chosen if chosen.growth is not CONSTANT else _best_trend(bt, chosen.top_down)
    )
    if setting == "rates_constant" or (setting == "auto" and chosen.growth is CONSTANT):
        return (chosen if chosen.growth is CONSTANT else constant), trend
    return trend, constant


def _scenario_table(inp: Inputs, states: dict[int, pl.DataFrame], cals: tuple, profiles: Any,
                    choice: Choice) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Wijk and gemeente rows of one growth assumption: (table, wijk_table, nodes)."""
    cal_w, cal_g = cals
    growth = choice.growth
    points = wijk_points(inp, states, cal_w, growth)
    if choice.top_down:
        points = top_down(inp, points, growth)
    wijk = bounds(
        points, rounding_sd(inp.policy.disclosure.rounding_base), price_expr(inp), inp.price.relative_sd
    )
    wijk_table = _wijk_table(inp, wijk, profiles)
    gem, nodes = gemeente_rows(inp, wijk_table.filter(pl.col("clients").is_not_null()), cal_g)
    extra = [pl.lit(scenario_label(inp.scenario.name, choice)).alias("scenario"),
             inp.price.source_expr().alias("price_source"), pl.lit(choice.name).alias("growth")]
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
    ).select([*FORECAST_COLUMNS, *EXTRA_COLUMNS])
    return _withhold(table), wijk_table, nodes


def build_forecasts(
    panel: Panel, profiles: Any, policy: Policy, config: RunConfig, releases: Any = None
) -> ForecastResult:
    """Forecasts for the scope of `panel` (see the module docstring and ARCHITECTURE.md)."""
    from toolkit.forecasts._audit import forecast_audit

    _require_population(panel)
    inp = _inputs(panel, policy, config, releases)
    states = build_states(panel.frame, panel.latest_year, policy.excluded_features)
    bt = run_backtest(states, panel.latest_year, _land(panel), frame=panel.frame)
    chosen, other = _growth_pair(bt, inp.scenario.growth)
    cals = _calibrations(bt, chosen)
    table, wijk_table, nodes = _scenario_table(inp, states, cals, profiles, chosen)
    alt, _, _ = _scenario_table(inp, states, cals, profiles, other)
    alt = alt.filter(pl.col("level") == "gemeente").with_columns(
        pl.lit(None, dtype=pl.Int64).alias("clients_other"), pl.lit(None, dtype=pl.Float64).alias("cost_other_eur")
    )
    table = pl.concat([table, alt]).sort(pl.col("level") == "gemeente", "region_code", pl.col("growth") != chosen.name,
                                         "year")
    audit = forecast_audit(inp, bt, cals[0], cals[1], table.filter(pl.col("growth") == chosen.name), nodes)
    audit["growth"] = growth_audit(bt, chosen, other, estimate_trend(panel.frame, panel.latest_year))
    audit["scenarios_in_forecast_csv"] = {
        "chosen": scenario_label(inp.scenario.name, chosen),
        "beside_it_at_gemeente_level": scenario_label(inp.scenario.name, other),
        "note": "wijk rows carry the chosen assumption only; gemeente rows carry both (column `growth`)",
    }
    if releases is not None:  # forecasts per care type from the register (toolkit/forecasts/_records_forecast.py)
        from toolkit.forecasts._records_forecast import with_records

        table, audit["records"] = with_records(table, releases, inp, profiles)
    return ForecastResult(table, WITHHELD, bt.table, bt.region_errors, _growth(wijk_table, inp.horizon), audit)


def _calibrations(bt: Backtest, chosen: Choice) -> tuple[Calibration | None, Calibration | None]:
    """Wijk and gemeente calibrations on the backtest errors of the chosen option (one definition)."""
    if bt.rows.is_empty():
        return None, None
    rows = bt.rows.filter(pl.col("method") == "model", pl.col("same_definition"))
    return (
        calibrate(rows.select("horizon", wijk_error(chosen.name).alias("log_error"), "size")),
        calibrate(gemeente_errors(bt, chosen.name).select("horizon", "log_error", "size")),
    )
