"""finance.csv passes egress, the audit's money section and the controller's page (real data)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from ethics import egress
from toolkit.finance import COLUMNS
from toolkit.reports.finance_page import render_finance_page


def test_finance_table_passes_every_egress_check(den_haag_money, policy):
    table = egress.Table("finance.csv", den_haag_money.table, withheld=("value", "lower", "upper"))
    checks = egress.check_table(table, policy)
    assert {c.outcome for c in checks} == {"pass"}
    assert tuple(den_haag_money.table.columns) == COLUMNS


def test_finance_table_answers_the_four_questions(den_haag_money):
    t = den_haag_money.table.filter(pl.col("region_code") == "GM0518")
    measures = set(t["measure"])
    assert {"cost_per_client_eur", "cluster_eur", "cluster_jongeren_eur", "spending_eur", "tekort_eur",
            "tekort_per_youth_eur", "tekort_per_youth_class_median_eur", "shortfall_ahead_eur",
            "spending_jeugdhulp_met_verblijf_eur", "access_wijkteams_alle_domeinen_eur"} <= measures
    assert t["source"].is_not_null().all() and (t["source"].str.len_chars() > 0).all()
    cluster = t.filter(pl.col("measure") == "cluster_eur", pl.col("variant") == "M2024")["value"][0]
    assert abs(cluster - 245.6e6) <= 0.05e6


def test_access_is_never_inside_spending(den_haag_money):
    t = den_haag_money.table.filter(pl.col("region_code") == "GM0518", pl.col("year") == 2023)
    total = t.filter(pl.col("measure") == "spending_eur")["value"][0]
    parts = t.filter(pl.col("measure").str.starts_with("spending_jeugd"))["value"].sum()
    assert total == pytest.approx(parts)


def test_audit_money_section_is_json_and_says_what_it_leaves_out(den_haag_money):
    audit = json.loads(json.dumps(den_haag_money.audit, default=str))
    assert all(c["agrees"] for c in audit["published_checks"])
    assert audit["prices"]["in_scope"]["GM0518"]["status"] == "own"
    assert any("not earmarked" in line for line in audit["leaves_out"])
    assert audit["ahead"]["rows"]


def test_page_is_dutch_with_dutch_numbers_and_one_chart_per_question(den_haag_money):
    doc = render_finance_page(den_haag_money, "nl", "2026-01-01T00:00:00+00:00", "0.0")
    assert doc.name == "financien.html"
    assert "Hoe erg wordt het?" in doc.text and "niet geoormerkt" in doc.text
    assert "€ 236,0 mln" in doc.text  # Dutch decimal comma, millions
    assert doc.text.count("<svg") == 5
    assert "<script" not in doc.text


def test_page_in_english(den_haag_money):
    assert "How bad will it get?" in render_finance_page(den_haag_money, "en").text


def test_page_says_when_the_forecast_used_another_price(den_haag_money):
    import dataclasses

    other = dataclasses.replace(den_haag_money, forecast_sources={"GM0518": "released by the privacy gate (SYNTHETIC)"})
    assert "andere prijs" in render_finance_page(other, "nl").text
    assert "andere prijs" not in render_finance_page(den_haag_money, "nl").text
