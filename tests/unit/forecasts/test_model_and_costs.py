"""The rate model's scikit-learn contract, its fit on the real panel, and prices with their sources."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ethics.errors import ConfigError
from toolkit.forecasts._backtest import build_states
from toolkit.forecasts._costs import MEASURE_CLIENTS, MEASURE_COST_PER_CLIENT, load_prices, released_price
from toolkit.forecasts._rate_model import FEATURES, RateModel, fit_rate_model, training_pairs


def test_rate_model_follows_the_sklearn_contract():
    model = RateModel(alpha=3.0)
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((1, len(FEATURES))))
    assert clone(model).get_params() == {"alpha": 3.0}
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    fitted = model.fit(x, x @ np.array([0.5, -0.2, 0.1]))
    assert fitted is model and np.allclose(model.coef_, [0.5, -0.2, 0.1], atol=0.05)


def test_training_pairs_stop_at_the_origin_and_mark_the_definition_change(panel_frame):
    states = build_states(panel_frame, 2022, frozenset())
    pairs = training_pairs(states, 2021)
    assert pairs["target_year"].max() == 2021
    crossing = pairs.filter(pl.col("mt") != pl.col("m"))
    assert set(crossing["target_year"].unique()) == {2021}  # only the 2020 -> 2021 bridge
    assert fit_rate_model(states, 2018) is None  # no pair before the first year


def test_model_shrinks_noisy_rates_toward_the_gemeente(panel_frame):
    states = build_states(panel_frame, 2022, frozenset())
    coef = dict(zip(FEATURES, fit_rate_model(states, 2022).coef_, strict=True))
    assert coef["to_gemeente"] + coef["to_structural"] > 0
    assert coef["definition_change"] > 0  # the bridged 2021 rates sit above the 2020 KWB percentages


def test_configured_price_names_source_and_year():
    price = load_prices().default()
    assert price.price_year == 2021 and "83454NED" in price.source
    assert price.eur_per_client_year == pytest.approx(41_276_000 / 2955, rel=0.001)


def test_price_without_source_is_refused(tmp_path):
    path = tmp_path / "prices.toml"
    path.write_text('[prices.all_care_types]\neur_per_client_year = 10000\nprice_year = 2023\nsource = ""\n')
    with pytest.raises(ConfigError, match="source"):
        load_prices(path)


class _Releases:
    """SYNTHETIC released cells as the privacy gate would publish them."""

    def __init__(self, table: pl.DataFrame) -> None:
        self.table = table


def test_released_cost_per_client_replaces_the_configured_price():
    table = pl.DataFrame(
        {
            "region_code": ["GM0518"] * 4,
            "year": [2023] * 4,
            "care_type": ["jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf"] * 2,
            "measure": [MEASURE_COST_PER_CLIENT] * 2 + [MEASURE_CLIENTS] * 2,
            "value": [10_000.0, 60_000.0, 90.0, 10.0],
            "status": ["ok"] * 4,
            "epsilon": ["1"] * 4,
            "accuracy_95": [500.0, 3_000.0, 5.0, 5.0],
        }
    )
    price = released_price(_Releases(table), 2022)
    assert price.eur_per_client_year == pytest.approx(15_000.0)
    assert price.price_year == 2023 and "privacy gate" in price.source and price.relative_sd > 0
    assert released_price(None, 2022) is None


def test_the_gates_all_care_types_cell_is_used_as_it_is_released():
    # SYNTHETIC cells in the gate's naming: care_type "all" is the released cost per client of all types.
    table = pl.DataFrame({
        "region_code": ["GM0518"] * 2, "year": [2022] * 2, "care_type": ["all", "jeugdbescherming"],
        "measure": [MEASURE_COST_PER_CLIENT] * 2, "value": [13_700.0, 9_300.0], "status": ["ok"] * 2,
        "epsilon": ["1/2"] * 2, "accuracy_95": [900.0, 6_500.0]})
    assert released_price(_Releases(table), 2022).eur_per_client_year == pytest.approx(13_700.0)
