"""The two HTML pages: escaped data, withheld never shown as zero, self-contained, accessible, nl and en."""

from __future__ import annotations

import re

import polars as pl
import pytest

from toolkit.reports.maps import RISK_PALETTE, Shade, choropleth

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def wijk_html(den_haag_out) -> str:
    return (den_haag_out / "wijkprofielen.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def audit_html(den_haag_out) -> str:
    return (den_haag_out / "audit_report.html").read_text(encoding="utf-8")


def _render_with_name(den_haag_out, name: str, lang: str = "nl") -> str:
    """Re-render the page from the run's own tables with one wijk renamed (SYNTHETIC name)."""
    from toolkit.reports.wijkprofielen import WijkInputs, render_wijkprofielen

    profiles = pl.read_csv(den_haag_out / "profiles.csv").with_columns(
        pl.when(pl.col("region_code") == "WK051802").then(pl.lit(name)).otherwise(pl.col("region_name"))
        .alias("region_name"))
    forecast = pl.read_csv(den_haag_out / "forecast.csv")
    growth = forecast.filter(pl.col("horizon") == 5, pl.col("level") == "wijk").select(
        "region_code", pl.lit(1.0).alias("growth_pct"), "status")
    priority = pl.DataFrame({"gemeente_code": ["GM0518"], "region_code": ["WK051802"], "priority_rank": [1],
                             "reasons_nl": [HOSTILE], "reasons_en": [HOSTILE]})
    inputs = WijkInputs(profiles=profiles, priority=priority, signals=pl.DataFrame(), forecast=forecast,
                        growth=growth, history=pl.DataFrame(schema={"region_code": pl.String,
                                                                    "year": pl.Int64, "clients": pl.Float64}),
                        gemeenten={"GM0518": HOSTILE}, latest_year=2022)
    return render_wijkprofielen(inputs, lang, generated_at=HOSTILE, version="test")


def test_a_wijk_name_with_markup_is_shown_as_text(den_haag_out):
    html = _render_with_name(den_haag_out, HOSTILE)
    assert "<script" not in html
    assert html.count(ESCAPED) >= 5  # card heading, chart titles, reasons, gemeente name, footer


def test_a_map_feature_name_with_markup_is_escaped():
    square = {"type": "Polygon", "coordinates": [[[4.0, 52.0], [4.1, 52.0], [4.1, 52.1], [4.0, 52.0]]]}
    geo = {"features": [{"properties": {"wijkcode": "WK099901", "wijknaam": HOSTILE}, "geometry": square}]}
    shades = {"WK099901": Shade("#fff", '"><b>x</b>')}
    svg = str(choropleth(geo, shades, "m", HOSTILE, "d", Shade("#eee", "-")))
    assert "<script" not in svg and "<b>" not in svg and ESCAPED in svg


def test_the_map_draws_every_wijk_of_the_gemeente_on_both_maps(wijk_html):
    from toolkit.sources import load_map

    codes = {f["properties"]["wijkcode"] for f in load_map(["GM0518"])["features"]}
    for kind in ("risk", "growth"):
        svg = re.search(rf'<svg[^>]*data-map="map-{kind}-GM0518".*?</svg>', wijk_html, re.S).group(0)
        assert set(re.findall(r'data-wijk="(WK\d{6})"', svg)) == codes
        assert svg.count("data-wijk=") == len(codes)


def test_map_regions_are_keyboard_links_to_their_cards(wijk_html, den_haag_out):
    profiles = pl.read_csv(den_haag_out / "profiles.csv")
    for code in profiles["region_code"]:
        assert f'id="card-{code}"' in wijk_html
        link = rf'<a href="#card-{code}" aria-label="[^"]+"><path[^>]*data-wijk="{code}"'
        assert re.search(link, wijk_html)
    assert "<title>" in wijk_html


def test_withheld_wijken_are_shown_as_withheld_never_as_zero(wijk_html, den_haag_out):
    profiles = pl.read_csv(den_haag_out / "profiles.csv")
    withheld = profiles.filter(pl.col("status") != "ok")["region_code"].to_list()
    assert withheld, "Den Haag has wijken with too few youths"
    for code in withheld:
        card = re.search(rf'<article[^>]*id="card-{code}".*?</article>', wijk_html, re.S).group(0)
        assert "afgeschermd" in card and "<svg" not in card
        path = re.search(rf'<path[^>]*data-wijk="{code}"[^>]*>', wijk_html).group(0)
        assert "url(#hatch-map-risk-GM0518)" in path and not any(c in path for c in RISK_PALETTE)


@pytest.mark.parametrize("page", ["wijkprofielen.html", "audit_report.html"])
def test_pages_are_self_contained(den_haag_out, page):
    html = (den_haag_out / page).read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r'\ssrc=', html)
    allowed = {f"#{p}-map-{k}-GM0518" for k in ("risk", "growth") for p in ("hatch", "unsure")}
    assert set(re.findall(r'url\(([^)]*)\)', html)) <= allowed
    external = set(re.findall(r'(?:href|xmlns)="(https?://[^"]+)"', html))
    assert external <= {"http://www.w3.org/2000/svg"}
    assert "default-src 'none'" in html  # the page itself forbids any network fetch
    assert "@media print" in html


def test_both_pages_in_english_with_lang_en(tmp_path):
    from ethics.policy import load_policy
    from toolkit.config import load_run_config
    from toolkit.pipeline import run

    run(load_run_config(lang="en"), load_policy(), tmp_path / "en")
    wijk = (tmp_path / "en" / "wijkprofielen.html").read_text(encoding="utf-8")
    audit = (tmp_path / "en" / "audit_report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in wijk and "Wijk profiles" in wijk and "withheld" in wijk
    assert '<html lang="en">' in audit and "Draft Algoritmeregister entry" in audit
    assert "Samenvatting" not in audit


def test_audit_report_has_every_section_the_crosswalk_points_to(audit_html, den_haag_audit):
    assert '<html lang="nl">' in audit_html
    for c in den_haag_audit["iama_dpia_crosswalk"]:
        for section in c["answered_by"]:
            assert f'id="{section}"' in audit_html
    for f in den_haag_audit["register"]["fields"]:
        assert f["label"] in audit_html


def test_audit_report_puts_the_verdicts_first(audit_html):
    summary = audit_html.index('id="summary"')
    assert summary < audit_html.index('id="inventory"') < audit_html.index('id="fairness"')
    assert audit_html.count('class="badge') >= 7


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_colours_meet_wcag_aa_contrast(audit_html):
    """White badge text on the verdict colours, muted text and links on white: at least 4.5:1."""
    css = dict(re.findall(r"--([a-z]+): (#[0-9a-f]{6})", audit_html))
    for name in ("pass", "flag", "fail"):
        assert _contrast(css[name], "#ffffff") >= 4.5, name
    for name in ("ink", "muted", "link"):
        assert _contrast(css[name], "#ffffff") >= 4.5, name
    assert _contrast("#57606a", "#ffffff") >= 4.5  # the 'info' badge


def test_a_wijk_off_the_list_says_why(wijk_html, den_haag_out):
    profiles = pl.read_csv(den_haag_out / "profiles.csv")
    ok = profiles.filter(pl.col("status") == "ok")["region_code"].to_list()
    on_list = set(re.findall(r'<article class="card onlist" id="card-(WK\d{6})"', wijk_html))
    off = [c for c in ok if c not in on_list]
    assert on_list and off
    card = re.search(rf'<article[^>]*id="card-{off[0]}".*?</article>', wijk_html, re.S).group(0)
    assert "Niet op de prioriteitenlijst" in card and "hoogste risico-index" in card
    first = re.search(rf'<article[^>]*id="card-{sorted(on_list)[0]}".*?</article>', wijk_html, re.S).group(0)
    assert "Op de prioriteitenlijst (plaats" in first
