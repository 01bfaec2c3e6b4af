"""One card per wijk on wijkprofielen.html: history, comparison with gemeente and country, forecast.

Every year the panel holds is on the x axis (2018 up to the latest year); a year without a figure (2023,
a withheld count, the old definition) is a gap in the line, never an interpolated point.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from toolkit.reports.charts import fan_chart, line_chart, rate_bars
from toolkit.reports.i18n import fmt_eur, fmt_num, fmt_pct

__all__ = ["card", "series", "fans", "signal_lines", "by_region"]

Rows = pl.DataFrame | dict[str, list[dict[str, Any]]]  # a frame, or its rows by region (`by_region`)


def by_region(frame: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The rows of `frame` by region_code, in their order: a card looks its wijk up instead of filtering."""
    out: dict[str, list[dict[str, Any]]] = {}
    if "region_code" in frame.columns:
        for r in frame.iter_rows(named=True):
            out.setdefault(r["region_code"], []).append(r)
    return out


def _rows(source: Rows, code: str) -> list[dict[str, Any]]:
    if isinstance(source, dict):
        return source.get(code, [])
    if "region_code" not in source.columns:
        return []
    return source.filter(pl.col("region_code") == code).to_dicts()


def series(history: Rows, code: str, col: str, years: list[int]) -> list[tuple[int, float | None]]:
    """(year, value) for every year in `years`; None where the region has no value that year."""
    have = {int(r["year"]): r[col] for r in _rows(history, code)}
    return [(y, have.get(y)) for y in years]


def _where(p: float | None, lang: str, t: Any) -> str:
    """Plain words for a national percentile: higher than p% or lower than (100 - p)% of Dutch wijken."""
    if p is None:
        return ""
    if p >= 50:  # rounded down: a wijk is never "higher than 100%" of the wijken
        return t("percentile_nl", p=fmt_num(math.floor(p), 0, lang))
    return t("percentile_nl_low", p=fmt_num(math.floor(100 - p), 0, lang))


def signal_lines(signals: Rows, context: dict[str, dict[str, float]], code: str, gm: str,
                 wanted: list[str], lang: str, t: Any) -> list[dict[str, str]]:
    """The wijk's top signals: label, the wijk's value, the gemeente's and the country's, and where it ranks."""
    by_name = {r["signal"]: r for r in _rows(signals, code)}
    out = []
    for name in wanted:
        r = by_name.get(name)
        if r is None or r.get("value") is None:
            continue
        out.append({"label": r.get("label_" + lang) or name, "wijk": fmt_num(r["value"], 1, lang),
                    "gemeente": fmt_num(context.get(gm, {}).get(name), 1, lang),
                    "nl": fmt_num(context.get("land", {}).get(name), 1, lang),
                    "where": _where(r.get("national_percentile"), lang, t)})
    return out


def fans(forecast: Rows, history: Rows, code: str, name: str, years: list[int], t: Any,
         lang: str) -> dict[str, Any]:
    """Forecast rows and the two fan charts (clients with their whole history, euros) of one region."""
    rows = sorted((r for r in _rows(forecast, code) if r["status"] == "ok"), key=lambda r: r["year"])
    hist = series(history, code, "clients", years)
    clients = [(r["year"], r["clients"], r["clients_lower"], r["clients_upper"]) for r in rows]
    euros = [(r["year"], r["cost_eur"], r["cost_lower_eur"], r["cost_upper_eur"]) for r in rows]
    return {
        "rows": rows,
        "clients": fan_chart(hist, clients, f"{name}: {t('card.clients')}", t("card.band"),
                             lambda v: fmt_num(v, 0, lang)),
        "euros": fan_chart([], euros, f"{name}: {t('card.euros')}", t("card.band"), lambda v: fmt_eur(v, lang),
                           first_year=years[0] if years else None),
    }


def card(ctx: dict[str, Any], r: dict[str, Any], t: Any, lang: str) -> dict[str, Any]:
    """Everything one card shows; `ctx` carries the gemeente's frames and settings."""
    code, name, ok = r["region_code"], r["region_name"] or r["region_code"], r["status"] == "ok"
    prio = _rows(ctx["priority"], code)
    youth = r.get("youth_population")
    out = {
        "code": code, "name": name, "ok": ok, "status": r["status"], "youth": youth,
        "no_youth": youth is not None and youth == 0, "typology": r.get("typology"), "risk": r.get("risk_index"),
        "rank": t("card.rank", rank=r["risk_rank"], n=ctx["n_ranked"]) if r.get("risk_rank") else "",
        "on_list": bool(prio),
        "priority_rank": prio[0]["priority_rank"] if prio else None,
        "reasons": prio[0].get(f"reasons_{lang}", "") if prio else "",
        "signals": signal_lines(ctx["signals"], ctx["context"], code, ctx["gm"],
                                (r.get("top_signals") or "").split(";") if r.get("top_signals") else [], lang, t),
    }
    years = ctx["years"]
    gm_name = ctx["gm_name"]
    out["trend"] = line_chart(
        [(t("card.this_wijk"), series(ctx["history"], code, "rate", years)),
         (t("card.gemeente"), series(ctx["history"], ctx["gm"], "rate", years)),
         (t("card.country"), series(ctx["history"], ctx["land"], "rate", years))],
        years, f"{name}: {t('card.trend_title')}", t("card.trend_desc", gemeente=gm_name),
        lambda v: fmt_pct(v, 0, lang))
    if ok:
        out["rates"] = rate_bars(r["observed_rate"], r["expected_rate"],
                                 (t("card.observed_rate"), t("card.expected_rate")),
                                 f"{name}: {t('card.observed')}", lambda v: fmt_pct(v, 1, lang))
        out["observed"], out["expected"] = r["observed_rate"], r["expected_rate"]
        from toolkit.profiles import rate_sentences  # issue 13 hook: both expected rates, one sentence each

        out["rate_lines"] = rate_sentences(r, lang)
        out["fan"] = fans(ctx["forecast"], ctx["history"], code, name, years, t, lang)
    elif out["no_youth"]:
        out["why"] = t("card.no_youth")
    else:
        out["why"] = t("card.withheld_why", why=t(f"why.{r['status']}"))
    return out
