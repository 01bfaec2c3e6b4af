"""A run with both domains and SYNTHETIC registers (`--domain jeugd --domain wmo --demo-records`): each domain's
register goes through the gate in its own layout and budget, and no words or measures of one domain leak into
the other's files."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from ethics._records_schema import CARE_TYPES, WMO_CARE_TYPES
from toolkit.cli import app

runner = CliRunner()
YOUTH_WORDS = ("jongeren", "jeugdhulp", "jeugdwet", "jeugdbescherming", "youths", "youth care", "kinderen")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("both")
    out, ledger = tmp / "out", tmp / "ledger.sqlite"
    result = runner.invoke(app, ["run", "--quiet", "--domain", "jeugd", "--domain", "wmo", "--demo-records",
                                 "--gemeente", "GM0518", "--ledger", str(ledger), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, ledger


@pytest.mark.slow
def test_each_domain_releases_its_own_care_types_from_its_own_register(both):
    out, _ = both
    youth, wmo = pl.read_csv(out / "releases.csv"), pl.read_csv(out / "wmo_releases.csv")
    assert set(youth["care_type"]) == {"all", *CARE_TYPES}
    assert set(wmo["care_type"]) == {"all", *WMO_CARE_TYPES}
    assert wmo["synthetic"].all()
    forecast = pl.read_csv(out / "wmo_forecast.csv", infer_schema_length=None)
    register_rows = forecast.filter(pl.col("care_type").is_not_null())
    assert set(register_rows["care_type"]) == {"all", *WMO_CARE_TYPES}
    assert register_rows["year"].min() == wmo["year"].max() + 1  # from the year after the register's last
    profiles = pl.read_csv(out / "wmo_profiles.csv")
    assert {f"care_mix_{t}" for t in WMO_CARE_TYPES} <= set(profiles.columns)
    assert not any(c.startswith("care_mix_jeugd") for c in profiles.columns)
    assert not any(t in pl.read_csv(out / "profiles.csv").columns for t in (f"care_mix_{w}" for w in WMO_CARE_TYPES))


@pytest.mark.slow
def test_one_audit_with_a_budget_per_domain(both):
    out, ledger = both
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    youth, wmo = audit["privacy"], audit["domains"]["wmo"]["privacy"]
    assert "domain" not in youth and wmo["domain"] == "wmo"
    assert youth["unit"].startswith("one child") and wmo["unit"].startswith("one client")
    assert [s["domain"] for s in wmo["ledger"]["after"]] == ["wmo"] * len(wmo["reference_years"])
    assert all(s["spent_before"] == "0" for s in wmo["ledger"]["before"])  # youth care's spend is not Wmo's
    fields = {f["key"]: f["value"] for f in audit["domains"]["wmo"]["register"]["fields"]}
    assert "Eigen Wmo-registratie" in fields["gegevens"] and "geen persoonsgegevens" not in fields["gegevens"]
    assert "{" not in fields["gegevens"] + fields["technische_werking"]
    result = runner.invoke(app, ["ledger", "show", "--ledger", str(ledger)])
    domains = {line.split()[0] for line in result.output.splitlines()[1:] if line.strip()}
    assert domains == {"jeugd", "wmo"}


@pytest.mark.slow
def test_no_youth_care_words_in_the_wmo_files_and_no_wmo_in_the_youth_care_files(both):
    out, _ = both
    for name in ("wmo_profiles.csv", "wmo_forecast.csv", "wmo_releases.csv", "wmo_fairness.csv",
                 "wmo_wijkprofielen.html"):
        text = (out / name).read_text(encoding="utf-8").lower()
        assert not [w for w in YOUTH_WORDS if w in text], name
    report = (out / "wmo_audit_report.html").read_text(encoding="utf-8").lower()
    for title in ("jeugdzorg; wijken en buurten", "indicatoren jeugdzorg"):  # CBS table titles in the provenance
        report = report.replace(title, "")
    assert not [w for w in (*YOUTH_WORDS, "jeugdzorg", " kind ") if w in report]
    assert "hulp bij het huishouden" in (out / "wmo_wijkprofielen.html").read_text(encoding="utf-8").lower()
    for name in ("profiles.csv", "forecast.csv", "releases.csv", "wijkprofielen.html"):
        text = (out / name).read_text(encoding="utf-8").lower()
        assert "wmo" not in text and "hulp_bij_het_huishouden" not in text, name
