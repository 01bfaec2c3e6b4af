"""wijkprofielen.html for prevention teams: per gemeente two maps (risk, forecast growth) and a card per wijk.

Render only: the page is returned as text and written by ethics.egress. Withheld values are shown as
withheld, never as zero; every text from data is escaped by the template engine or `markupsafe`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from toolkit.reports._render import render
from toolkit.reports._wijkmaps import gemeente_maps
from toolkit.reports.charts import fan_chart, rate_bars
from toolkit.reports.i18n import fmt_eur, fmt_num, fmt_pct, translator

__all__ = ["WijkInputs", "render_wijkprofielen"]


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


def _where(p: float | None, lang: str, t: Any) -> str:
    """Plain words for a national percentile: higher than p% or lower than (100 - p)% of Dutch wijken."""
    if p is None:
        return ""
    if p >= 50:  # rounded down: a wijk is never "higher than 100%" of the wijken
        return t("percentile_nl", p=fmt_num(math.floor(p), 0, lang))
    return t("percentile_nl_low", p=fmt_num(math.floor(100 - p), 0, lang))


def _signals(inp: WijkInputs, code: str, wanted: list[str], lang: str, t: Any) -> list[str]:
    """The wijk's top signals (names from profiles.top_signals) as sentences: label, value, comparison."""
    if "region_code" not in inp.signals.columns:
        return []
    rows = inp.signals.filter(pl.col("region_code") == code)
    by_name = {r["signal"]: r for r in rows.iter_rows(named=True)}
    out = []
    for name in wanted:
        r = by_name.get(name)
        if r is not None and r.get("value") is not None:
            where = _where(r.get("national_percentile"), lang, t)
            out.append(f"{r.get('label_' + lang) or name}: {fmt_num(r['value'], 1, lang)}"
                       + (f" ({where})" if where else ""))
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
        from toolkit.profiles import rate_sentences  # issue 13 hook: both expected rates, one sentence each

        card["rate_lines"] = rate_sentences(r, lang)
        card["fan"] = _fans(inp, code, name, t, lang)
    else:
        card["why"] = t("card.withheld_why", why=t(f"why.{r['status']}"))
    return card


def _overview(inp: WijkInputs, prof: pl.DataFrame, growth: pl.DataFrame) -> list[dict[str, Any]]:
    """One row per wijk for the table at the top, ranked by risk; withheld wijken last."""
    chosen = inp.priority.select("region_code", "priority_rank")
    rows = (
        prof.join(growth.select("region_code", "growth_pct"), on="region_code", how="left")
        .join(chosen, on="region_code", how="left")
        .sort(pl.col("status") != "ok", "risk_rank", "region_code", nulls_last=True)
    )
    return rows.to_dicts()


def _part(inp: WijkInputs, gm: str) -> WijkInputs:
    """The inputs of one gemeente (so each card searches a few rows, not the whole country)."""
    codes = inp.profiles.filter(pl.col("gemeente_code") == gm)["region_code"].implode()

    def mine(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("region_code").is_in(codes)) if "region_code" in frame.columns else frame

    frames = ("profiles", "priority", "signals", "forecast", "growth", "history")
    return dataclasses.replace(inp, **{name: mine(getattr(inp, name)) for name in frames})


def render_wijkprofielen(inp: WijkInputs, lang: str, *, generated_at: str, version: str) -> str:
    """The whole page for every gemeente in the inputs."""
    from toolkit.progress import track
    from toolkit.sources import load_map

    t = translator(lang)
    horizon_year = inp.latest_year + int(inp.forecast["horizon"].max() or 0)
    sections = []
    for gm, gm_name in track(sorted(inp.gemeenten.items()), "wijk pages per gemeente"):
        part = _part(inp, gm)
        prof = part.profiles.sort("region_code")
        n_ranked = int(prof["risk_rank"].drop_nulls().len())
        sections.append({"code": gm, "name": gm_name,
                         "maps": gemeente_maps(load_map([gm]), prof, part.growth, gm, horizon_year, t, lang),
                         "overview": _overview(part, prof, part.growth),
                         "n_withheld": int((prof["status"] != "ok").sum()),
                         "n_priority": part.priority.height,
                         "cards": [_card(part, r, n_ranked, t, lang) for r in prof.iter_rows(named=True)]})
    return render(
        "wijkprofielen.html.j2",
        lang,
        gemeenten=sections,
        generated_at=generated_at,
        version=version,
        horizon_year=horizon_year,
    )
