"""The SYNTHETIC multi-year Wmo register: layout, SYNTHETIC label, CBS calibration per wijk under the gate's
wijk rule, adult ages, recurring clients, euros, providers, and a run of the gate on it (domain wmo)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ethics._records_schema import REQUIRED, WMO, WMO_CARE_TYPES
from ethics._synthetic_history import wijk_targets
from ethics._synthetic_wmo import (
    ADAPTATION_DAYS,
    DEMO_YEARS,
    WMO_PROVIDERS,
    age_band_rates,
    category_cost_shares,
)
from ethics.synthetic import UNLISTED_PROVIDER, generate_register, write_register
from toolkit.domains import get_domain
from toolkit.panel import build_panel

GM = "GM0085"  # Ooststellingwerf: 13 wijken, every wijk count published by CBS in 2021 and 2024
YEARS = DEMO_YEARS
LAST = date(YEARS[-1], 12, 31)
PRICE = 3620  # configs/prices.toml [prices.wmo_all_provisions]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def wmo_frame(panel_frame):
    return build_panel(get_domain("wmo").view(panel_frame), [GM]).frame


@pytest.fixture(scope="module")
def register(wmo_frame):
    return generate_register(wmo_frame, GM, years=YEARS, seed=11, domain="wmo")


@pytest.fixture(scope="module")
def written(register, tmp_path_factory):
    return write_register(register, tmp_path_factory.mktemp("wmo") / "wmo.csv")


@pytest.fixture(scope="module")
def client_years(register):
    """One row per client and year with the gate's wijk: the provision active on 31 December (latest start
    first), else the latest-starting provision of the year."""
    end = pl.col("end_date").fill_null(LAST)
    rows = register.with_columns(year=pl.int_ranges(pl.col("start_date").dt.year(), end.dt.year() + 1)).explode(
        "year").filter(pl.col("year").is_in(YEARS))
    active = end >= pl.date(pl.col("year"), 12, 31)
    return (rows.sort(active, "start_date", descending=True).group_by("client_id", "year", maintain_order=True)
            .agg(pl.col("wijk_code").first(), pl.col("birth_year").first()))


def test_the_register_has_the_wmo_layout_and_passes_validation(register, written, wmo_frame, policy):
    from ethics.records import validate_records

    assert register.columns == [*REQUIRED, "synthetic"]
    assert register.schema["birth_year"] == pl.Int64 and register.schema["cost_eur"] == pl.Float64
    assert register.schema["start_date"] == pl.Date and register.schema["end_date"] == pl.Date
    assert set(register["care_type"]) == set(WMO_CARE_TYPES)
    known = set(build_panel(wmo_frame, [GM]).wijk_keys(GM))
    assert validate_records(written, policy, known, layout=WMO) == []


def test_every_row_is_synthetic_with_fresh_ids_and_fictional_providers(register, written, wmo_frame):
    assert "SYNTHETIC" in written.name and register["synthetic"].all()
    assert register["client_id"].str.starts_with("SYN-").all()
    assert register["provider"].str.ends_with("(SYNTHETIC)").all()
    assert 0.01 < (register["provider"] == UNLISTED_PROVIDER).mean() < 0.06
    other = generate_register(wmo_frame, GM, years=[2023, 2024], domain="wmo", scale=0.2)
    assert not set(other["client_id"]) & set(register["client_id"])  # a new set of people each time


def test_clients_per_wijk_equal_the_cbs_calibrated_targets(client_years, wmo_frame):
    targets = wijk_targets(wmo_frame, GM, YEARS)
    counts = client_years.group_by("wijk_code", "year").agg(n=pl.len())
    joined = targets.join(counts, on=["wijk_code", "year"], how="left", nulls_equal=True)
    assert (joined["children"] == joined["n"].fill_null(0)).all()
    cbs = wmo_frame.filter(pl.col("level") == "wijk", pl.col("gemeente_code") == GM,
                           pl.col("year").is_in([2021, 2024]), pl.col("youth_care_clients").is_not_null())
    cbs = cbs.select("region_code", "year", "youth_care_clients")
    exact = cbs.join(joined, left_on=["region_code", "year"], right_on=["wijk_code", "year"])
    assert exact.height >= 20 and (exact["n"] == exact["youth_care_clients"]).all()  # the CBS counts themselves


def test_clients_are_adults_most_aged_65_or_more(client_years, wmo_frame):
    age = client_years["year"] - client_years["birth_year"]
    assert age.min() >= 18 and age.max() <= 104 and client_years["birth_year"].min() >= WMO.first_birth_year
    assert (age >= 65).mean() > 0.5
    rates = age_band_rates(wmo_frame)  # Wmo use per inhabitant, from the Dutch wijken
    assert rates[0] == 0 and (rates[1:] >= rates[:-1]).all() and rates[-1] > 2 * rates[2]


def test_clients_recur_over_the_years_and_some_provisions_are_ongoing(register, client_years):
    by_year = {y: set(client_years.filter(pl.col("year") == y)["client_id"]) for y in YEARS}
    for a, b in zip(YEARS, YEARS[1:], strict=False):
        assert 0.5 < len(by_year[a] & by_year[b]) / len(by_year[b]) < 0.95  # most stay, some are new
    assert (register["end_date"].dt.year().fill_null(YEARS[-1]) > register["start_date"].dt.year()).mean() > 0.2
    assert 0.1 < register["end_date"].is_null().mean() < 0.6
    moved = client_years.group_by("client_id").agg(pl.col("wijk_code").n_unique())
    assert 0 < (moved["wijk_code"] > 1).mean() < 0.2  # moving wijk happens, rarely


def test_euros_average_the_wmo_price_and_follow_the_iv3_shares(register):
    end = pl.col("end_date").fill_null(LAST)
    days = (end - pl.col("start_date")).dt.total_days() + 1
    rows = register.with_columns(year=pl.int_ranges(pl.col("start_date").dt.year(), end.dt.year() + 1)).explode(
        "year").filter(pl.col("year").is_in(YEARS))
    start = pl.max_horizontal("start_date", pl.date(pl.col("year"), 1, 1))
    stop = pl.min_horizontal(end, pl.date(pl.col("year"), 12, 31))
    rows = rows.with_columns(eur=pl.col("cost_eur") * ((stop - start).dt.total_days() + 1) / days)
    per_year = rows.group_by("year").agg(pl.col("eur").sum() / pl.col("client_id").n_unique())
    assert per_year["eur"].is_between(0.85 * PRICE, 1.15 * PRICE).all()
    shares = rows.group_by("care_type").agg(pl.col("eur").sum()).with_columns(pl.col("eur") / pl.col("eur").sum())
    got = dict(shares.iter_rows())
    for category, expected in zip(WMO_CARE_TYPES, category_cost_shares(), strict=True):
        assert got[category] == pytest.approx(expected, abs=0.03)
    adaptations = register.filter(pl.col("care_type") == "woningaanpassing")
    assert adaptations["end_date"].is_not_null().all()  # a one-off: a short trajectory
    assert ((adaptations["end_date"] - adaptations["start_date"]).dt.total_days() < ADAPTATION_DAYS).all()


def test_the_iv3_figures_in_the_config_are_the_national_row_of_the_shared_file():
    path = ROOT.parent / "shared" / "data" / "finance" / "iv3" / "iv3_2023_jaarrekening_taakveld6.csv"
    if not path.exists():
        pytest.skip("the shared Iv3 file is not here")
    import tomllib

    pinned = tomllib.loads((ROOT / "configs/domains/wmo.toml").read_text())["synthetic"]
    nl = pl.read_csv(path, separator=";").filter(pl.col("Gemeenten") == "Nederland")
    lasten = {t.split(" ")[0]: v for t, v in nl.select("Taakveld", "Lasten").iter_rows()}
    assert {k: lasten[k] for k in pinned["iv3_lasten_keur"]} == pinned["iv3_lasten_keur"]


def test_an_unknown_domain_is_refused(wmo_frame):
    from ethics.errors import ConfigError

    with pytest.raises(ConfigError, match="jeugd, wmo"):
        generate_register(wmo_frame, GM, years=[2024], domain="ggz")


def test_a_given_provider_list_is_honoured(wmo_frame):
    listed = ["Aanbieder A (SYNTHETIC)", "Aanbieder B (SYNTHETIC)", "Aanbieder C (SYNTHETIC)"]
    reg = generate_register(wmo_frame, GM, years=[2024, 2025], providers=listed, domain="wmo", scale=0.3)
    assert set(reg["provider"]) <= {*listed, UNLISTED_PROVIDER} and set(listed) <= set(reg["provider"])


def test_the_gate_releases_the_wmo_categories(written, wmo_frame, policy, tmp_path):
    from ethics.gate import release
    from ethics.ledger import Ledger

    panel = build_panel(wmo_frame, [GM])
    population = dict(panel.scope_wijken().select("region_code", "youth_0_22_est").iter_rows())
    releases = release(written, gemeente=GM, wijk_keys=panel.wijk_keys(GM), youth_population=population,
                       policy=policy, ledger=Ledger(tmp_path / "l.sqlite"), dataset_id="t", years=list(YEARS),
                       providers=[p for names in WMO_PROVIDERS.values() for p in names], synthetic=True,
                       domain="wmo")
    assert set(releases.table["care_type"]) == {*WMO_CARE_TYPES, "all"}
    assert sorted(releases.table["year"].unique()) == list(YEARS) and releases.table["synthetic"].all()


def test_the_first_year_holds_no_burst_of_one_off_adaptations(register):
    """Most clients of the first year were clients before it; their adaptations of earlier years are not in the
    register, so the first year has about as many woningaanpassingen as any later year (not three times)."""
    end = pl.col("end_date").fill_null(LAST)
    adapt = register.filter(pl.col("care_type") == "woningaanpassing")
    per_year = [adapt.filter(pl.col("start_date") <= pl.date(y, 12, 31), end >= pl.date(y, 1, 1))["client_id"]
                .n_unique() for y in YEARS]
    later = sum(per_year[1:]) / len(per_year[1:])
    assert later > 0 and per_year[0] < 1.6 * later, per_year
