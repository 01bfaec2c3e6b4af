"""wijkprofielen.html for prevention teams: per gemeente two maps (risk, forecast growth) and a card per wijk.

Render only: the page is returned as text and written by ethics.egress. Withheld values are shown as
withheld, never as zero; every text from data is escaped by the template engine or `markupsafe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from toolkit.reports._render import render
from toolkit.reports.charts import fan_chart, rate_bars
from toolkit.reports.i18n import fmt_eur, fmt_num, fmt_pct, translator
from toolkit.reports.maps import GROWTH_PALETTE, RISK_PALETTE, Shade, choropleth, classify

__all__ = ["WijkInputs", "render_wijkprofielen", "RISK_BREAKS", "GROWTH_BREAKS"]

RISK_BREAKS = (20.0, 40.0, 60.0, 80.0)
GROWTH_BREAKS = (-10.0, -2.0, 2.0, 10.0)


@dataclass(frozen=True)
class WijkInputs:
    """What the page shows. Frames have the column contracts of profiles.csv, forecast.csv and the
    ProfileResult / ForecastResult parts named in the field comments."""

    profiles: pl.DataFrame  # profiles.csv
    priority: pl.DataFrame  # gemeente_code, region_code, priority_rank, reasons_nl, reasons_en
    signals: pl.DataFrame  # region_code, signal, value, *_percentile, direction, label_nl, label_en
    forecast: pl.DataFrame  # forecast.csv
    growth: pl.DataFrame  # region_code, growth_pct, status
    history: pl.DataFrame  # region_code, year, clients (observed, CBS)
    gemeenten: dict[str, str]  # gemeente code -> name
    latest_year: int


def _legend(
    t: Any, lang: str, breaks: tuple[float, ...], palette: tuple[str, ...], unit: str
) -> list[dict[str, Any]]:
    edges = ["", *(fmt_num(b, 0, lang) for b in breaks), ""]
    items = []
    for i, colour in enumerate(palette):
        lo, hi = edges[i], edges[i + 1]
        label = (
            f"< {hi}{unit}" if not lo else f"\u2265 {lo}{unit}" if not hi else f"{lo} {t('to')} {hi}{unit}"
        )
        items.append({"fill": colour, "label": label, "hatched": False})
    items.append({"fill": "", "label": t("withheld"), "hatched": True})
    items.append({"fill": "#e6e6e6", "label": t("map.nodata"), "hatched": False})
    return items


def _shades(
    rows: pl.DataFrame, col: str, breaks: tuple[float, ...], palette: tuple[str, ...], t: Any, fmt: Any
) -> dict[str, Shade]:
    out = {}
    for r in rows.iter_rows(named=True):
        value = r.get(col)
        if r.get("status") != "ok" or value is None:
            out[r["region_code"]] = Shade(
                "url(#hatch)",
                f"{t('withheld')} ({t('status.' + str(r.get('status')))})"
                if r.get("status") in ("secret", "too_small")
                else t("withheld"),
            )
        else:
            out[r["region_code"]] = Shade(classify(value, breaks, palette), fmt(value))
    return out


def _maps(geo: dict[str, Any], inp: WijkInputs, gm: str, t: Any, lang: str) -> list[dict[str, Any]]:
    prof = inp.profiles.filter(pl.col("gemeente_code") == gm)
    growth = inp.growth.filter(pl.col("region_code").is_in(prof["region_code"].implode()))
    water = {
        f["properties"]["wijkcode"]: Shade("#cfe8f7", t("map.water"))
        for f in geo["features"]
        if f["properties"]["wijkcode"].endswith("99")
    }
    risk = {
        **water,
        **_shades(prof, "risk_index", RISK_BREAKS, RISK_PALETTE, t, lambda v: fmt_num(v, 0, lang)),
    }
    grow = {
        **water,
        **_shades(
            growth,
            "growth_pct",
            GROWTH_BREAKS,
            GROWTH_PALETTE,
            t,
            lambda v: ("+" if v > 0 else "") + fmt_pct(v, 1, lang),
        ),
    }
    nodata = Shade("#e6e6e6", t("map.nodata"))
    year = inp.latest_year + int(inp.forecast["horizon"].max() or 0)
    specs = [
        ("risk", t("map.risk"), risk, RISK_BREAKS, RISK_PALETTE, ""),
        ("growth", t("map.growth", year=year), grow, GROWTH_BREAKS, GROWTH_PALETTE, "%"),
    ]
    return [
        {
            "id": f"map-{kind}-{gm}",
            "title": title,
            "legend": _legend(t, lang, breaks, pal, unit),
            "svg": choropleth(geo, shades, f"map-{kind}-{gm}", title, t("map.hint"), nodata),
        }
        for kind, title, shades, breaks, pal, unit in specs
    ]


def _signals(inp: WijkInputs, code: str, wanted: list[str], lang: str, t: Any) -> list[str]:
    rows = inp.signals.filter(pl.col("region_code") == code) if "region_code" in inp.signals.columns else None
    if rows is None or rows.is_empty():
        return []
    by_name = {r["signal"]: r for r in rows.iter_rows(named=True)}
    out = []
    for name in wanted or list(by_name)[:3]:
        r = by_name.get(name)
        if r is None:
            continue
        p = r.get("national_percentile")
        where = (
            ""
            if p is None
            else " - "
            + t("percentile_nl", p=fmt_num(p if (r.get("direction") or 1) > 0 else 100 - p, 0, lang))
        )
        out.append(f"{r.get('label_' + lang) or name}: {fmt_num(r.get('value'), 1, lang)}{where}")
    return out


def _fans(inp: WijkInputs, code: str, name: str, t: Any, lang: str) -> dict[str, Any]:
    fc = inp.forecast.filter(
        pl.col("region_code") == code, pl.col("level") == "wijk", pl.col("status") == "ok"
    ).sort("year")
    hist = inp.history.filter(pl.col("region_code") == code).sort("year")
    history = [(int(r["year"]), r["clients"]) for r in hist.iter_rows(named=True)]
    rows = fc.to_dicts()
    clients = [(r["year"], r["clients"], r["clients_lower"], r["clients_upper"]) for r in rows]
    euros = [(r["year"], r["cost_eur"], r["cost_lower_eur"], r["cost_upper_eur"]) for r in rows]
    desc = t("card.band")
    return {
        "rows": rows,
        "clients": fan_chart(
            history, clients, f"{name}: {t('card.clients')}", desc, lambda v: fmt_num(v, 0, lang)
        ),
        "euros": fan_chart(
            [],
            euros,
            f"{name}: {t('card.euros')}",
            desc,
            lambda v: fmt_eur(v, lang),
            first_year=history[0][0] if history else None,
        ),
    }


def _card(inp: WijkInputs, r: dict[str, Any], n: int, t: Any, lang: str) -> dict[str, Any]:
    code, name, ok = r["region_code"], r["region_name"] or r["region_code"], r["status"] == "ok"
    prio = inp.priority.filter(pl.col("region_code") == code)
    card = {
        "code": code,
        "name": name,
        "ok": ok,
        "status": r["status"],
        "youth": r.get("youth_population"),
        "typology": r.get("typology"),
        "risk": r.get("risk_index"),
        "rank": t("card.rank", rank=r["risk_rank"], n=n) if r.get("risk_rank") else "",
        "on_list": not prio.is_empty(),
        "priority_rank": prio["priority_rank"][0] if not prio.is_empty() else None,
        "reasons": (
            prio[f"reasons_{lang}"][0] if not prio.is_empty() and f"reasons_{lang}" in prio.columns else ""
        ),
        "signals": _signals(
            inp, code, (r.get("top_signals") or "").split(";") if r.get("top_signals") else [], lang, t
        ),
    }
    if ok:
        card["rates"] = rate_bars(
            r["observed_rate"],
            r["expected_rate"],
            (t("card.observed_rate"), t("card.expected_rate")),
            f"{name}: {t('card.observed')}",
            lambda v: fmt_pct(v, 1, lang),
        )
        card["observed"], card["expected"] = r["observed_rate"], r["expected_rate"]
        card["fan"] = _fans(inp, code, name, t, lang)
    else:
        card["why"] = t("card.withheld_why", why=t(f"why.{r['status']}"))
    return card


def render_wijkprofielen(inp: WijkInputs, lang: str, *, generated_at: str, version: str) -> str:
    """The whole page for every gemeente in the inputs."""
    from toolkit.sources import load_map

    t = translator(lang)
    sections = []
    for gm, gm_name in sorted(inp.gemeenten.items()):
        prof = inp.profiles.filter(pl.col("gemeente_code") == gm).sort("region_code")
        n_ranked = int(prof["risk_rank"].drop_nulls().len())
        sections.append(
            {
                "code": gm,
                "name": gm_name,
                "maps": _maps(load_map([gm]), inp, gm, t, lang),
                "n_withheld": int((prof["status"] != "ok").sum()),
                "n_priority": inp.priority.filter(pl.col("gemeente_code") == gm).height,
                "cards": [_card(inp, r, n_ranked, t, lang) for r in prof.iter_rows(named=True)],
            }
        )
    return render(
        "wijkprofielen.html.j2",
        lang,
        gemeenten=sections,
        generated_at=generated_at,
        version=version,
        horizon_year=inp.latest_year + int(inp.forecast["horizon"].max() or 0),
    )
