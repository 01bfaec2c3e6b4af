"""Issue 14: pages people can act on: one verdict and a sign-off, plain Dutch, DEMO banner, honest cards,
A4 print rules and the Algoritmeregister export in the standard's own format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

# English words that must never appear in the visible text of a Dutch page (whole words, case-insensitive)
ENGLISH = ("the", "and", "with", "which", "salvaged", "flagged", "withheld", "records", "forecast", "limitations",
           "unchanged", "rounded", "released", "policy", "definition", "counts", "true", "false", "proxies",
           "provisional", "derived", "scheme", "origin", "between", "measure", "budget spent")


def _visible_text(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"<(title|desc)[^>]*>.*?</\1>", " ", html, flags=re.S)  # svg titles are checked apart
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"[\w-]+\.(?:csv|json|html|parquet|toml|xls)\b", " ", text)  # file names are names


def _pages(out: Path) -> dict[str, str]:
    return {n: (out / n).read_text(encoding="utf-8") for n in ("audit_report.html", "wijkprofielen.html")}


def test_audit_json_carries_one_verdict_with_reasons_conditions_and_sign_off(demo_out):
    verdict = json.loads((demo_out / "audit.json").read_text(encoding="utf-8"))["verdict"]
    assert verdict["decision"] == "not_fit"  # a SYNTHETIC register describes no real child
    assert verdict["label"]["nl"] == "Niet geschikt voor gebruik"
    assert any("SYNTHETISCH" in r["nl"] for r in verdict["reasons"])
    assert verdict["sign_off"]["fields"] == ["role", "name", "date", "decision", "remarks"]


def test_the_audit_page_opens_with_the_verdict_and_a_sign_off_form(den_haag_out, den_haag_audit):
    html = _pages(den_haag_out)["audit_report.html"]
    main = html[html.index('<main id="main">'):]
    assert main.index('id="verdict"') < main.index('id="signoff"') < main.index('id="summary"')
    assert den_haag_audit["verdict"]["label"]["nl"] in main[:main.index('id="signoff"')]
    form = re.search(r'<table class="signoff">.*?</table>', html, re.S).group(0)
    for label in ("Rol", "Naam", "Datum", "Besluit", "Opmerkingen"):
        assert f">{label}<" in form


@pytest.mark.parametrize(("audit", "decision"), [
    ({"privacy": {"synthetic": True}}, "not_fit"),
    ({"forecast": {"backtest": {"mae_ratio_model_to_last_value_h1": 1.2}}}, "not_fit"),
    ({"forecast": {"backtest": {"mae_ratio_model_to_last_value_h1": 0.8}}, "fairness": {"counts": {"pass": 3}}},
     "fit"),
    ({"forecast": {"backtest": {"mae_ratio_model_to_last_value_h1": 0.8}},
      "fairness": {"counts": {"fail": 1}, "limits": {"on_fail": "flag"}}}, "conditional"),
])
def test_the_verdict_follows_the_checks(audit, decision):
    from toolkit.reports.verdict import build_verdict

    assert build_verdict({"generated_at": "2025-01-01", "data": {"latest_year": 2024}, **audit})["decision"] == decision


def test_old_data_become_a_condition():
    from toolkit.reports.verdict import build_verdict

    audit = {"generated_at": "2026-12-01", "data": {"latest_year": 2022},
             "forecast": {"backtest": {"mae_ratio_model_to_last_value_h1": 0.8}}}
    verdict = build_verdict(audit)
    assert verdict["decision"] == "conditional" and any("2022" in c["nl"] for c in verdict["conditions"])


def test_summary_follows_the_policy_in_force(den_haag_audit):
    from toolkit.reports.audit_report import summary

    fair = {**den_haag_audit["fairness"], "verdict": "fail", "counts": {"pass": 1, "flag": 0, "fail": 1},
            "limits": {**den_haag_audit["fairness"]["limits"], "on_fail": "flag"}}
    row = next(r for r in summary({**den_haag_audit, "fairness": fair}, "nl") if r["area"] == "fairness")
    assert row["verdict"] == "flag" and "on_fail" not in row["text"] and "doorgaan" in row["text"]
    blocked = {**fair, "limits": {**fair["limits"], "on_fail": "block"}}
    row = next(r for r in summary({**den_haag_audit, "fairness": blocked}, "nl") if r["area"] == "fairness")
    assert row["verdict"] == "fail"


def test_dutch_pages_have_no_english_words(demo_out):
    for name, html in _pages(demo_out).items():
        text = _visible_text(html)
        found = sorted({w for w in ENGLISH if re.search(rf"(?<![\w-]){w}(?![\w-])", text, re.I)})
        assert found == [], f"{name}: {found}"


def test_english_pages_are_english(den_haag_out):
    from toolkit.reports.audit_report import summary

    rows = summary(json.loads((den_haag_out / "audit.json").read_text(encoding="utf-8")), "en")
    assert "checks run" in next(r["text"] for r in rows if r["area"] == "egress")


def test_privacy_section_says_in_plain_dutch_what_epsilon_guarantees(demo_out):
    html = _pages(demo_out)["audit_report.html"]
    section = re.search(r'<section id="privacy".*?</section>', html, re.S).group(0)
    assert "hoogstens e^1 = 2,7 keer zo groot" in section
    assert "differentiële privacy" in section and "mln" in section
    assert "records_used" not in section and "relative_sd" not in section
    assert not re.search(r"\d\.\d{4,}", section)  # no raw floats such as 0.03344309160256144


def test_diacritics_are_right(demo_out):
    text = "".join(_pages(demo_out).values())
    assert "differentiële" in text and "geïnformeerd" in text and "geëvalueerd" in text
    assert not re.search(r"differentiele|geinformeerd|geevalueerd", text)


def test_no_machine_path_on_any_page(demo_out):
    repo = str(Path(__file__).resolve().parents[3])
    for name, html in _pages(demo_out).items():
        assert repo not in html and str(demo_out.parent) not in html, name
        assert not re.search(r"(?<![\w.])/(?:home|tmp|work|usr|root|Users)/", html), name


def test_the_register_is_an_input_with_its_checksum():
    from toolkit.reports._audit_views import input_rows
    from toolkit.reports.i18n import translator

    audit = {"inputs": [{"kind": "municipal youth-care records (personal data)", "path": "/secret/dir/reg.csv",
                         "sha256": "a" * 64}]}
    rows = input_rows(audit, translator("nl"))
    assert rows == [{"kind": "Eigen registratie jeugdzorg (persoonsgegevens)", "file": "reg.csv",
                     "sha256": "a" * 64, "licence": ""}]


def test_demo_banner_on_both_pages_only_with_synthetic_records(demo_out, den_haag_out):
    for html in _pages(demo_out).values():
        assert html.count('class="demo-banner"') == 1 and "SYNTHETISCHE" in html
    for html in _pages(den_haag_out).values():
        assert 'class="demo-banner"' not in html
    assert "@media print" in html and ".demo-banner { border: 2px solid #000" in html


def test_fairness_fits_one_screen_with_findings_and_folded_details(demo_out):
    section = re.search(r'<section id="fairness".*?</section>', _pages(demo_out)["audit_report.html"], re.S)
    before = section.group(0).split('<details class="fair-detail">')[0]
    assert '<table class="matrix">' in before and "<svg" not in before
    assert 1 <= before.count("<li>") <= 3  # the findings, in words
    html = _pages(demo_out)["audit_report.html"]
    assert "details.fair-detail::details-content { content-visibility: visible" in html  # details print


def test_no_word_is_broken_mid_word_and_print_is_a4(demo_out):
    for html in _pages(demo_out).values():
        assert "overflow-wrap: anywhere" not in html and "word-break: break-word" not in html
        assert "@page { size: A4" in html and "td.num, .nowrap { white-space: nowrap; }" in html
        assert "break-after: avoid" in html
    wijk = _pages(demo_out)["wijkprofielen.html"]
    assert "<details" not in wijk and '<table class="figures">' in wijk  # forecast tables print


def test_cards_show_every_panel_year_and_compare_with_gemeente_and_country(demo_out):
    html = _pages(demo_out)["wijkprofielen.html"]
    card = re.search(r'<article class="card[^"]*" id="card-WK051802".*?</article>', html, re.S).group(0)
    assert ">2018<" in card and ">2022<" in card
    assert ">gemeente<" in card and ">Nederland<" in card
    assert "Hele gemeente: jongeren met jeugdzorg en kosten" in html
    assert "Dat is geen nul" not in re.sub(r"afgeschermd", "", html) or "Jongeren 0-22 jaar (schatting): 0<" not in html


def test_growth_is_coloured_only_where_the_band_excludes_no_change():
    from toolkit.reports.wijkprofielen import significant_growth

    forecast = pl.DataFrame({"region_code": ["A", "B"], "level": ["wijk", "wijk"], "horizon": [5, 5],
                             "clients": [120.0, 105.0], "clients_lower": [110.0, 90.0],
                             "clients_upper": [130.0, 120.0]})
    growth = pl.DataFrame({"region_code": ["A", "B"], "growth_pct": [20.0, 5.0], "status": ["ok", "ok"]})
    out = significant_growth(forecast, growth)
    assert dict(zip(out["region_code"], out["certain"], strict=True)) == {"A": True, "B": False}


def _inputs(n_ok: int, latest: int = 2024):
    from toolkit.reports.wijkprofielen import WijkInputs

    codes = [f"WK0999{i:02d}" for i in range(1, n_ok + 1)]
    profiles = pl.DataFrame({"region_code": codes, "region_name": [f"SYNTHETIC {c}" for c in codes],
                             "gemeente_code": "GM0999", "year": latest, "youth_population": 500.0,
                             "observed_rate": 10.0, "expected_rate": 9.0, "risk_index": 50.0,
                             "risk_rank": list(range(1, n_ok + 1)), "typology": "x", "top_signals": "",
                             "status": "ok"})
    priority = pl.DataFrame({"gemeente_code": ["GM0999"], "region_code": [codes[0]], "priority_rank": [1],
                             "reasons_nl": ["r"], "reasons_en": ["r"]})
    forecast = pl.DataFrame(schema={"region_code": pl.String, "level": pl.String, "year": pl.Int64,
                                    "horizon": pl.Int64, "clients": pl.Float64, "clients_lower": pl.Float64,
                                    "clients_upper": pl.Float64, "cost_eur": pl.Float64,
                                    "cost_lower_eur": pl.Float64, "cost_upper_eur": pl.Float64,
                                    "status": pl.String})
    history = pl.DataFrame({"region_code": codes[:1] * 2, "level": "wijk", "year": [2018, latest],
                            "clients": [None, 50.0], "rate": [8.0, 10.0]})
    return WijkInputs(profiles=profiles, priority=priority, signals=pl.DataFrame(), forecast=forecast,
                      growth=pl.DataFrame({"region_code": codes, "growth_pct": None, "status": "ok"},
                                          schema_overrides={"growth_pct": pl.Float64}),
                      history=history, gemeenten={"GM0999": "SYNTHETIC"}, latest_year=latest)


def test_no_priority_list_with_too_few_published_wijken_and_the_page_says_why(monkeypatch):
    from toolkit.reports import wijkprofielen

    monkeypatch.setattr("toolkit.sources.load_map", lambda codes: {"features": []})
    few = wijkprofielen.render_wijkprofielen(_inputs(3), "nl", generated_at="2025-01-01", version="t")
    assert "Geen prioriteitenlijst voor deze gemeente: er zijn maar 3" in few and "plaats 1<" not in few
    enough = wijkprofielen.render_wijkprofielen(_inputs(6), "nl", generated_at="2025-01-01", version="t")
    assert "Geen prioriteitenlijst" not in enough and "plaats 1<" in enough


def test_a_data_age_notice_when_the_data_are_more_than_a_year_old(monkeypatch):
    from toolkit.reports import wijkprofielen

    monkeypatch.setattr("toolkit.sources.load_map", lambda codes: {"features": []})
    old = wijkprofielen.render_wijkprofielen(_inputs(6, 2022), "nl", generated_at="2025-06-01", version="t")
    fresh = wijkprofielen.render_wijkprofielen(_inputs(6, 2024), "nl", generated_at="2025-06-01", version="t")
    assert "oude gegevens" in old and "3 jaar voor deze run" in old and "oude gegevens" not in fresh


def test_algoritmeregister_json_follows_the_publication_standard(den_haag_out):
    from toolkit.reports.register_export import CATEGORIES, MAX_LENGTH, REQUIRED

    entry = json.loads((den_haag_out / "algoritmeregister.json").read_text(encoding="utf-8"))
    standard = {*MAX_LENGTH, "category", "status", "publication_category", "lawful_basis_grouping",
                "impacttoetsen_grouping", "source_data_grouping", "lang", "standard_version"}
    assert set(entry) == standard and set(REQUIRED) <= set(entry)
    assert entry["standard_version"] == "1.0.0" and entry["lang"] == "nld"
    assert all(len(entry[k]) <= n for k, n in MAX_LENGTH.items())
    assert entry["status"] in {"In ontwikkeling", "In gebruik", "Buiten gebruik"}
    assert entry["publication_category"] in {"Hoog-risico AI-systeem", "Impactvolle algoritmes",
                                             "Overige algoritmes"}
    assert entry["category"] and set(entry["category"]) <= set(CATEGORIES)
    assert entry["name"].startswith("Wijksignaal") and entry["organization"] == "Gemeente 's-Gravenhage"
    assert entry["contact_email"] == ""  # only the gemeente knows it: empty, listed on the audit page
    assert "0.97" not in entry["risks"] and "%" in entry["risks"]


def test_every_scenario_of_the_gemeente_total_is_on_the_page(monkeypatch):
    from toolkit.reports import wijkprofielen

    monkeypatch.setattr("toolkit.sources.load_map", lambda codes: {"features": []})
    inputs = _inputs(6)
    rows = [{"region_code": "GM0999", "level": "gemeente", "year": 2024 + h, "horizon": h, "clients": c + h,
             "clients_lower": c - 5.0, "clients_upper": c + 20.0, "cost_eur": 1e6, "cost_lower_eur": 9e5,
             "cost_upper_eur": 2e6, "status": "ok", "scenario": name}
            for name, c in (("rates constant", 100.0), ("trend continues", 140.0)) for h in (1, 2)]
    forecast = pl.DataFrame(rows, schema={**inputs.forecast.schema, "scenario": pl.String})
    html = wijkprofielen.render_wijkprofielen(
        wijkprofielen.WijkInputs(**{**inputs.__dict__, "forecast": forecast}), "nl",
        generated_at="2025-01-01", version="t")
    assert "Scenario&#39;s voor de hele gemeente" in html
    assert ">rates constant<" in html and ">trend continues<" in html and ">142<" in html
