"""--domain wmo: the domain switch, the Wmo forecast (years, ordered non-negative intervals), too_small, and
the message for a gemeente without published Wmo figures."""

from __future__ import annotations

import json
from types import SimpleNamespace

import polars as pl
import pytest
from typer.testing import CliRunner

from ethics.errors import ConfigError
from ethics.policy import load_policy
from toolkit.cli import app
from toolkit.domains import get_domain, require_published
from toolkit.forecasts._ageing import build_ageing_forecasts
from toolkit.forecasts._build import EXTRA_COLUMNS, FORECAST_COLUMNS
from toolkit.panel import build_panel
from toolkit.profiles._profile import PROFILE_COLUMNS
from toolkit.sources.embedded import load_panel

runner = CliRunner()
WMO = get_domain("wmo")
YOUTH_WORDS = ("youth", "jeugd", "jongeren")


@pytest.fixture(scope="module")
def wmo_panel():
    return build_panel(WMO.view(load_panel()), ["GM0518"])


def _profiles(panel):
    """The profile statuses the forecast stage reads (too_small below 100 inhabitants, secret without a rate)."""
    rows = panel.scope_wijken().select(
        "region_code",
        pl.when(pl.col("youth_0_22_est").fill_null(0) < 100).then(pl.lit("too_small"))
        .when(pl.col("youth_care_rate_pct").is_null()).then(pl.lit("secret")).otherwise(pl.lit("ok"))
        .alias("status"))
    return SimpleNamespace(table=rows)


def test_unknown_domain_names_the_choices():
    with pytest.raises(ConfigError, match="jeugd, wmo"):
        get_domain("ggz")


def test_jeugd_view_is_the_panel_itself_and_wmo_fills_the_slots_with_wmo_measures():
    frame = load_panel()
    assert get_domain("jeugd").view(frame) is frame
    view = WMO.view(frame).filter(pl.col("region_code") == "GM0518", pl.col("year") == 2024)
    assert view["youth_care_clients"][0] == view["wmo_clients"][0]
    assert view["youth_care_rate_pct"][0] == pytest.approx(view["wmo_clients_per_1000"][0] / 10)
    assert view["youth_0_22_est"][0] == view["population"][0]


def test_jeugd_keeps_its_contract_and_words_and_wmo_has_its_own():
    jeugd, frame = get_domain("jeugd"), pl.DataFrame({"youth_population": [5], "observed_rate": [1.5]})
    assert jeugd.output_rates(frame) is frame and jeugd.page_texts() == {}
    assert jeugd.reword("jeugdzorg 1,2 procentpunt") == "jeugdzorg 1,2 procentpunt"
    assert jeugd.reword_audit({"a": "Jeugdwet"}, "X") == {"a": "Jeugdwet"}
    wmo = WMO.output_rates(frame)
    assert wmo.columns == ["population", "observed_rate"] and wmo["observed_rate"][0] == 15.0  # per 1,000
    every = pl.DataFrame({c: [1.5] for c in ("youth_population", "observed_rate", "expected_rate", "excess_rate",
                                             "expected_rate_gemeente", "excess_rate_gemeente", "gemeente_level")})
    assert WMO.output_rates(every).row(0) == (1.5, *(15.0,) * 6)  # every rate column in one unit (per 1,000)
    assert not any(w in WMO.reword("jeugdzorg 1,2 procentpunt; Jeugdwet").lower() for w in YOUTH_WORDS)
    pages = " ".join(nl + en for nl, en in WMO.page_texts().values()).lower()
    assert "wmo" in pages and not any(w in pages for w in ("youths", "jongeren", "jeugdzorg"))


def test_every_page_text_in_youth_care_words_has_a_wmo_wording():
    from toolkit.reports.i18n import texts

    default, wmo = texts(), WMO.page_texts()
    assert set(wmo) <= set(default)  # no stale keys
    youth = {k for k, pair in default.items() if any(w in " ".join(pair).lower() for w in YOUTH_WORDS)}
    assert youth <= set(wmo), sorted(youth - set(wmo))


def test_gemeente_without_published_wmo_figures_gets_the_reason_and_what_to_supply():
    frame = WMO.view(load_panel())
    with pytest.raises(ConfigError) as err:
        require_published(WMO, frame, ("GM0252",), 2024)  # Heumen: no Wmo figures in KWB 2024
    message = str(err.value)
    assert "GM0252" in message and "consented" in message and "own Wmo register" in message
    require_published(WMO, frame, ("GM0518",), 2024)  # Den Haag published: no error


def test_wmo_forecast_years_intervals_and_too_small(wmo_panel):
    result = build_ageing_forecasts(wmo_panel, _profiles(wmo_panel), load_policy(None), WMO, 5)
    table = result.table
    assert table.columns == [*FORECAST_COLUMNS, *EXTRA_COLUMNS]
    assert sorted(table["year"].unique().to_list()) == [2025, 2026, 2027, 2028, 2029]
    ok = table.filter(pl.col("status") == "ok")
    assert ok.height > 100  # 40+ Den Haag wijken x 5 years and the gemeente
    for lo, mid, hi in (("clients_lower_95", "clients_lower", "clients"), ("clients", "clients_upper",
                                                                           "clients_upper_95")):
        assert (ok[lo] <= ok[mid]).all() and (ok[mid] <= ok[hi]).all()
    assert (ok["clients_lower_95"] >= 0).all() and (ok["cost_lower_95_eur"] >= 0).all()
    small = table.filter(pl.col("region_code") == "WK051801")  # Oostduinen: under 100 inhabitants
    assert small.height == 5 and set(small["status"]) == {"too_small"} and small["clients"].null_count() == 5
    gem = table.filter(pl.col("level") == "gemeente").sort("year")
    assert gem.height == 5 and gem["clients"].is_not_null().all()
    assert result.audit["backtest"]["mape_pct"]["gemeente"].keys() == {"model", "demographic", "last_value"}


@pytest.mark.parametrize("args,needle", [
    (["--domain", "jeugd", "--domain", "wmo", "--records", __file__, "--years", "2024"], "one care domain"),
    (["--domain", "wmo", "--as-of", "2021"], "not yet supported"),
    (["--domain", "wmo", "--gemeente", "GM0252"], "consented"),
    (["--domain", "ggz"], "Unknown --domain"),
])
def test_unsupported_or_unpublished_domain_runs_are_usage_errors_without_output(tmp_path, args, needle):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert not out.exists()


@pytest.mark.slow
def test_one_run_with_both_domains_keeps_each_domain_in_its_own_words(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--domain", "jeugd", "--domain", "wmo", "--gemeente", "GM0518",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out / "profiles.csv").columns == list(PROFILE_COLUMNS)  # jeugd contract unchanged
    profiles = pl.read_csv(out / "wmo_profiles.csv")
    assert profiles.columns == [("population" if c == "youth_population" else c) for c in PROFILE_COLUMNS]
    assert pl.read_csv(out / "wmo_forecast.csv").columns == [*FORECAST_COLUMNS, *EXTRA_COLUMNS]
    for name in ("wmo_profiles.csv", "wmo_forecast.csv", "wmo_backtest.csv", "wmo_fairness.csv"):
        text = (out / name).read_text(encoding="utf-8").lower()
        assert not any(w in text for w in YOUTH_WORDS), name
    ok = profiles.filter(pl.col("status") == "ok")
    assert ok["observed_rate"].min() > 10  # per 1,000 inhabitants (Den Haag 2024: 64), not a percentage
    audit = json.loads((out / "audit.json").read_text())  # one audit for both domains
    wmo = audit["domains"]["wmo"]
    assert wmo["forecast"]["domain"] == "wmo" and wmo["register"]["fields"][0]["value"].startswith("Wijksignaal Wmo")
    assert audit["register"]["fields"][0]["value"].startswith("Wijksignaal jeugdzorg")
    assert "selection_rate_population" in wmo["fairness"]["overall"]  # weighted by inhabitants, named so
    reasons = " ".join(r["nl"] for r in wmo["verdict"]["reasons"])  # the 2021 -> 2024 check is a backtest
    assert "kleinere fout" in reasons and "geen terugtoets" not in reasons
    assert "selection_rate_youth" in audit["fairness"]["overall"]
    wmo_fields = {f["key"]: f["value"] for f in wmo["register"]["fields"]}
    assert wmo_fields["gegevens"].endswith("In deze run zijn geen persoonsgegevens gebruikt.")
    assert {c["table"] for c in audit["egress"]} >= {"profiles.csv", "wmo_profiles.csv"}
    for name in ("wmo_wijkprofielen.html", "wmo_audit_report.html"):  # CBS table titles in provenance may say Jeugdzorg
        text = (out / name).read_text(encoding="utf-8").lower()
        assert "wmo" in text
        assert not any(w in text for w in ("jongeren", "jeugdhulp", "jeugdwet", "youths", "youth care")), name
    assert "wmo" not in (out / "wijkprofielen.html").read_text(encoding="utf-8").lower()
    assert not (out / "wmo_audit.json").exists()


@pytest.mark.parametrize("year", [2021, 2024])
def test_wmo_use_per_age_band_never_falls_with_age_and_is_highest_over_65(year):
    """The ageing forecast's need index: a wijk that ages can only need more Wmo support, never less."""
    import numpy as np

    from toolkit.forecasts._ageing import band_rates

    rates = band_rates(load_panel(), WMO, year, load_policy().disclosure.min_youth_population)
    assert (np.diff(rates) >= 0).all() and rates[0] == 0
    assert rates[-1] > 3 * rates[-2] > 0  # 65+ well above the working ages (per inhabitant)
