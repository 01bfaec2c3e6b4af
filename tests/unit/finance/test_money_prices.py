"""Each gemeente's own cost per client from real spending; implausible or missing figures are flagged."""

from __future__ import annotations

import polars as pl
import pytest

from ethics.errors import ConfigError
from toolkit.finance import forecast_prices
from toolkit.finance.prices import (
    STATUS_IMPLAUSIBLE,
    STATUS_MISSING,
    STATUS_OWN,
    care_type_prices,
    gemeente_prices,
    national_ratio,
)
from toolkit.forecasts._costs import default_price, load_prices


@pytest.fixture(scope="module")
def prices(panel_frame):
    return gemeente_prices(panel_frame)


def test_about_340_gemeenten_have_their_own_price(prices):
    assert prices.height == 342
    assert prices.filter(pl.col("price_status") == STATUS_OWN).height >= 320
    assert prices["price_eur"].is_not_null().all() and (prices["price_eur"] > 0).all()


def test_median_within_ten_percent_of_the_national_ratio(prices, panel_frame):
    national = national_ratio(panel_frame)
    median = prices.filter(pl.col("price_status") == STATUS_OWN)["price_eur"].median()
    assert abs(median / national - 1) <= 0.10


def test_no_unflagged_price_outside_the_percentile_band(prices):
    own = prices.filter(pl.col("price_status") == STATUS_OWN)
    assert own["price_eur"].is_between(prices["band_p01_eur"][0], prices["band_p99_eur"][0]).all()
    flagged = prices.filter(pl.col("price_status") != STATUS_OWN)
    assert (flagged["price_eur"] == flagged["class_median_eur"]).all()


def test_a_gemeente_that_booked_no_youth_lasten_gets_its_class_median(prices):
    row = prices.filter(pl.col("gemeente_code") == "GM1961").row(0, named=True)  # Vijfheerenlanden: 0 in 2023
    assert row["lasten_eur"] == 0 and row["price_status"] == STATUS_MISSING
    assert "missing" in row["price_source"] and "median" in row["price_source"]


def test_an_outlier_is_shrunk_and_says_why(prices):
    row = prices.filter(pl.col("gemeente_code") == "GM0917").row(0, named=True)  # Heerlen 2023
    assert row["raw_eur"] > row["band_p99_eur"] and row["price_status"] == STATUS_IMPLAUSIBLE
    assert "outside the plausible band" in row["price_source"]


def test_den_haag_price_is_its_own_iv3_ratio(prices):
    row = prices.filter(pl.col("gemeente_code") == "GM0518").row(0, named=True)
    assert row["price_status"] == STATUS_OWN
    assert row["price_eur"] == pytest.approx(190_094_000 / row["clients"])
    assert "Iv3 2023" in row["price_source"] and "'s-Gravenhage" in row["price_source"]


def test_denominator_uses_the_cbs_years_present_and_no_later_year_for_a_backtest(panel_frame):
    early = gemeente_prices(panel_frame.filter(pl.col("year") <= 2022))
    assert set(early["clients_years"].drop_nulls()) == {"2022"}


def test_shipped_prices_file_does_not_override_the_own_prices(panel_frame):
    price = default_price(load_prices(), panel_frame)
    assert price.price_year == 2023 and len(price.by_gemeente) == 342
    frame = pl.DataFrame({"gemeente_code": ["GM0518", "GM9999"]})
    eur = frame.select(price.eur_expr())[:, 0].to_list()
    assert eur[0] == pytest.approx(forecast_prices(panel_frame)[0]["GM0518"][0])
    assert eur[1] == pytest.approx(national_ratio(panel_frame))  # a code without Iv3 data: national ratio


def test_prices_toml_override_for_all_and_for_one_gemeente(tmp_path, panel_frame):
    path = tmp_path / "prices.toml"
    src = 'source = "own administration 2023"\n'
    path.write_text(f"[prices.all_care_types]\neur_per_client_year = 10000\nprice_year = 2023\n{src}")
    assert default_price(load_prices(path), panel_frame).eur_per_client_year == 10000  # no key: overrides
    path.write_text(f"[prices.all_care_types]\noverride = false\neur_per_client_year = 10000\nprice_year = 2023\n"
                    f"{src}[gemeenten.GM0518]\neur_per_client_year = 12500\nprice_year = 2023\n{src}")
    price = default_price(load_prices(path), panel_frame)
    assert price.by_gemeente["GM0518"][0] == 12500 and "prices.toml override" in price.by_gemeente["GM0518"][1]
    assert price.by_gemeente["GM0599"][0] != 12500


def test_a_gemeente_override_without_source_is_refused(tmp_path):
    path = tmp_path / "prices.toml"
    path.write_text('[prices.all_care_types]\noverride = false\neur_per_client_year = 1\nprice_year = 2023\n'
                    'source = "x"\n[gemeenten.GM0518]\neur_per_client_year = 12500\nprice_year = 2023\nsource = ""\n')
    with pytest.raises(ConfigError, match="source"):
        load_prices(path)


def test_care_type_estimates_are_plausible_and_leave_probation_out(panel_frame):
    types = care_type_prices(panel_frame)
    nl = {r["care_type"]: r["price_eur"] for r in types.filter(pl.col("gemeente_code") == "NL00").iter_rows(named=True)}
    assert set(nl) == {"jeugdhulp_met_verblijf", "jeugdbescherming", "jeugdhulp_zonder_verblijf"}
    assert nl["jeugdhulp_met_verblijf"] > 3 * nl["jeugdhulp_zonder_verblijf"]  # residence costs far more
    assert (types["clients"] >= 20).all()


def test_the_gemeente_price_source_is_pluggable(panel_frame):
    prices = load_prices()

    def lookup(frame):
        return {"GM0518": (9999.0, "SYNTHETIC source")}, 5000.0, 2024, "SYNTHETIC national"

    price = default_price(prices, panel_frame, lookup=lookup)
    frame = pl.DataFrame({"gemeente_code": ["GM0518", "GM0363"]})
    assert frame.select(price.eur_expr())[:, 0].to_list() == [9999.0, 5000.0]
    assert frame.select(price.source_expr())[:, 0].to_list() == ["SYNTHETIC source", "SYNTHETIC national"]
    assert default_price(prices, panel_frame, lookup=lambda frame: None).source == prices.default().source
