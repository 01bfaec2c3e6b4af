"""Five-year forecasts per wijk and gemeente, in clients and euros, with intervals and a backtest.

Modules (in data-flow order):
- `_features`: what is known about every Dutch wijk at a forecast origin (no data after it).
- `_rate_model`: the pooled youth-care rate model (ridge, shrinkage of small wijken, definition bridge).
- `_trend`: national and gemeente trend of the rate (one definition per step, 2-year steps over 2023), damped.
- `_baseline`: last value, drift and gemeente trend, the rules the model must beat.
- `_gemeente_errors`: gemeente totals of the backtest (clients where CBS counts exist) and their joint errors.
- `_backtest`: rolling-origin backtest on the real panel, the growth choice per level, nested intervals.
- `_scores`: backtest.csv per level, model, origin and horizon (MAE, MAPE, bias, total bias, coverage).
- `_intervals`: conformal 80% / 95% intervals by horizon, widened for input noise.
- `_population`: youth population projection per wijk and gemeente.
- `_costs`: prices with their sources (configs/prices.toml) or the gate's released cost per client.
- `_scenario`: `--scenario FILE` shifts of prices, indexation and rates.
- `_hierarchy`: wijk -> gemeente summing structure with a "not in a wijk" node; coherent totals.
- `_assemble`: wijk and gemeente rows, bounds and euros.
- `_build`: `build_forecasts()` -> `ForecastResult` (both growth assumptions); `_audit` and `_growth_audit`:
  the audit.json "forecast" section.
"""

from toolkit.forecasts._build import FORECAST_COLUMNS, WITHHELD, ForecastResult, build_forecasts
from toolkit.forecasts._costs import Price, Prices, load_prices
from toolkit.forecasts._scenario import Scenario, load_scenario

__all__ = [
    "FORECAST_COLUMNS",
    "WITHHELD",
    "ForecastResult",
    "Price",
    "Prices",
    "Scenario",
    "build_forecasts",
    "load_prices",
    "load_scenario",
]
