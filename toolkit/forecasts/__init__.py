"""Five-year forecasts per wijk and gemeente, in clients and euros.

Modules (in data-flow order):
- `_population`: youth population projection per wijk.
- `_baseline`: last-rate baseline with intervals from national year-on-year changes.
- `_costs`: prices from configs/prices.toml.
"""

from toolkit.forecasts._baseline import FORECAST_COLUMNS, build_forecasts
from toolkit.forecasts._costs import Prices, load_prices

__all__ = ["FORECAST_COLUMNS", "Prices", "build_forecasts", "load_prices"]
