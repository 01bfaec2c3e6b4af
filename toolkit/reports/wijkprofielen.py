"""wijkprofielen.html for prevention teams: per gemeente two maps (risk, forecast growth) and a card per wijk.

Render only: the page is returned as text and written by ethics.egress. Withheld values are shown as
withheld, never as zero; every text from data is escaped by the template engine or `markupsafe`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from toolkit.reports._render import render
from toolkit.reports._wijkcards import by_region, card, fans
from toolkit.reports._wijkmaps import gemeente_maps
from toolkit.reports.i18n import translator
from toolkit.reports.verdict import MAX_DATA_AGE, data_age_years

__all__ = ["MIN_WIJKEN_FOR_LIST", "WijkInputs", "render_wijkprofielen", "significant_growth"]

MIN_WIJKEN_FOR_LIST = 5  # a ranking of fewer published wijken says little: no priority list on the page


@dataclass(frozen=True)
class WijkInputs:
    """What the page shows. Frames have the column contracts of profiles.csv, forecast.csv and the
    ProfileResult / ForecastResult parts named in the field comments."""

    profiles: pl.DataFrame  # profiles.csv
    priority: pl.DataFrame  # gemeente_code, region_code, priority_rank, reasons_nl, reasons_en
    signals: pl.DataFrame  # region_code, signal, value, *_percentile, direction, label_nl, label_en
    forecast: pl.DataFrame  # forecast.csv
    growth: pl.DataFrame  # region_code, growth_pct, status
    history: pl.DataFrame  # region_code, year, clients, rate (observed, CBS; wijk, gemeente and land rows)
    gemeenten: dict[str, str]  # gemeente code -> name
    latest_year: int
    context: pl.DataFrame = field(default_factory=pl.DataFrame)  # region_code, level, signal, value
    synthetic: bool = False  # the run used the SYNTHETIC demo register
    ranking: dict[str, Any] = field(default_factory=dict)  # audit forecast.records.ranking_by_growth ({} without)


def significant_growth(forecast: pl.DataFrame, growth: pl.DataFrame) -> pl.DataFrame:
    """growth with `certain`: True where the forecast interval at the last horizon excludes no change (the
    band lies wholly above or below the starting number), False where it includes it ("onzeker")."""
    if growth.is_empty() or "growth_pct" not in growth.columns or forecast.is_empty():
        return growth.with_columns(pl.lit(None, pl.Boolean).alias("certain"))
    last = forecast.filter(pl.col("level") == "wijk", pl.col("horizon") == forecast["horizon"].max())
    last = last.select("region_code", "clients", "clients_lower", "clients_upper").unique("region_code")
    base = pl.col("clients") / (1 + pl.col("growth_pct") / 100)
    certain = (pl.col("clients_lower") > base) | (pl.col("clients_upper") < base)
    return growth.join(last, on="region_code", how="left").with_columns(
        pl.when(pl.col("growth_pct").is_not_null() & pl.col("clients").is_not_null())
        .then(certain).otherwise(None).alias("certain")).select(*growth.columns, "certain")


def _main_scenario(forecast: pl.DataFrame) -> pl.DataFrame:
    """The forecast of the first (default) scenario; all scenarios stay in forecast.csv and the tables."""
    if "scenario" not in forecast.columns or forecast.is_empty():
        return forecast
    return forecast.filter(pl.col("scenario") == forecast["scenario"][0])


def _overview(priority: pl.DataFrame, prof: pl.DataFrame, growth: pl.DataFrame) -> list[dict[str, Any]]:
    """One row per wijk for the table at the top, ranked by risk; withheld wijken last."""
    rows = (
        prof.join(growth.select("region_code", "growth_pct", "certain"), on="region_code", how="left")
        .join(priority.select("region_code", "priority_rank"), on="region_code", how="left")
        .sort(pl.col("status") != "ok", "risk_rank", "region_code", nulls_last=True)
    )
    return rows.to_dicts()


def _part(inp: WijkInputs, gm: str) -> WijkInputs:
    """The inputs of one gemeente (so each card searches a few rows, not the whole country)."""
    codes = inp.profiles.filter(pl.col("gemeente_code") == gm)["region_code"].to_list()
    land = inp.history.filter(pl.col("level") == "land")["region_code"].unique().to_list() if "level" in \
        inp.history.columns else []

    def mine(frame: pl.DataFrame, extra: list[str]) -> pl.DataFrame:
        if "region_code" not in frame.columns:
            return frame
        return frame.filter(pl.col("region_code").is_in([*codes, *extra]))

    frames = {"profiles": [], "priority": [], "signals": [], "forecast": [gm], "growth": [], "history": [gm, *land]}
    return dataclasses.replace(inp, **{name: mine(getattr(inp, name), extra) for name, extra in frames.items()})


def _context(inp: WijkInputs) -> dict[str, dict[str, float]]:
    """gemeente code (or 'land') -> signal -> value."""
    out: dict[str, dict[str, float]] = {}
    if inp.context.is_empty():
        return out
    for r in inp.context.iter_rows(named=True):
        key = "land" if r["level"] == "land" else r["region_code"]
        out.setdefault(key, {})[r["signal"]] = r["value"]
    return out


RANKING_TOP = 5  # wijken per care type in the ranking by the register's forecast growth
RANKED_CARE = ("all", "jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf", "jeugdbescherming", "jeugdreclassering")


def _ranking(inp: WijkInputs, prof: pl.DataFrame) -> list[dict[str, Any]]:
    """Per care type the gemeente's fastest-growing wijken by the register's forecast (80% interval); only
    published wijken with numbers (a withheld or too-small wijk never appears). Empty without records."""
    by_care = (inp.ranking or {}).get("by_care_type") or {}
    ok = prof.filter(pl.col("status") == "ok")
    names = dict(zip(ok["region_code"].to_list(), ok["region_name"].to_list(), strict=True))
    out = []
    for care in [*RANKED_CARE, *(c for c in by_care if c not in RANKED_CARE)]:  # another domain: its own types
        rows = [r for r in by_care.get(care) or [] if r.get("region_code") in names
                and None not in (r.get("growth_pct"), r.get("growth_lower_pct"), r.get("growth_upper_pct"),
                                 r.get("clients_latest"), r.get("clients_last_year"))]
        if rows:
            top = [{**r, "name": names[r["region_code"]] or r["region_code"],
                    "growth_clients": r["clients_last_year"] - r["clients_latest"]} for r in rows[:RANKING_TOP]]
            out.append({"care": care, "rows": top, "n": len(rows)})
    return out


def _scenarios(forecast: pl.DataFrame, gm: str) -> list[dict[str, Any]]:
    """The gemeente total per scenario (only when the forecast holds more than one scenario)."""
    if "scenario" not in forecast.columns:
        return []
    rows = forecast.filter(pl.col("level") == "gemeente", pl.col("region_code") == gm, pl.col("status") == "ok")
    names = rows["scenario"].unique(maintain_order=True).to_list()
    if len(names) < 2:
        return []
    return [{"name": n, "rows": rows.filter(pl.col("scenario") == n).sort("year").to_dicts()} for n in names]


def _section(inp: WijkInputs, gm: str, gm_name: str, years: list[int], horizon_year: int, t: Any,
             lang: str, all_forecast: pl.DataFrame, context: dict[str, dict[str, float]]) -> dict[str, Any]:
    from toolkit.sources import load_map

    part = _part(inp, gm)
    prof = part.profiles.sort("region_code")
    n_ranked = int(prof["risk_rank"].drop_nulls().len())
    priority = part.priority if n_ranked >= MIN_WIJKEN_FOR_LIST else part.priority.clear()
    growth = significant_growth(part.forecast.filter(pl.col("level") == "wijk"), part.growth)
    land = part.history.filter(pl.col("level") == "land")["region_code"] if "level" in part.history.columns \
        else pl.Series([], dtype=pl.String)
    ctx = {"priority": by_region(priority), "signals": by_region(part.signals), "context": context, "gm": gm,
           "gm_name": gm_name, "n_ranked": n_ranked, "history": by_region(part.history),
           "forecast": by_region(part.forecast.filter(pl.col("level") == "wijk")),
           "years": years, "land": land[0] if len(land) else "NL00"}
    total = part.forecast.filter(pl.col("level") == "gemeente", pl.col("region_code") == gm)
    return {"code": gm, "name": gm_name,
            "maps": gemeente_maps(load_map([gm]), prof, growth, gm, horizon_year, t, lang),
            "overview": _overview(priority, prof, growth),
            "n_withheld": int((prof["status"] != "ok").sum()), "n_ranked": n_ranked,
            "n_priority": priority.height, "list_withheld": n_ranked < MIN_WIJKEN_FOR_LIST,
            "total": fans(total, part.history, gm, gm_name, years, t, lang),
            "scenarios": _scenarios(all_forecast, gm), "ranking": _ranking(inp, prof),
            "cards": [card(ctx, r, t, lang) for r in prof.iter_rows(named=True)]}


def render_wijkprofielen(inp: WijkInputs, lang: str, *, generated_at: str, version: str) -> str:
    """The whole page for every gemeente in the inputs."""
    t = translator(lang)
    all_forecast = inp.forecast
    inp = dataclasses.replace(inp, forecast=_main_scenario(inp.forecast))
    horizon_year = inp.latest_year + int(inp.forecast["horizon"].max() or 0)
    known = sorted({int(y) for y in inp.history["year"].to_list()}) if inp.history.height else [inp.latest_year]
    years = list(range(min(known), inp.latest_year + 1))
    scenario = inp.forecast["scenario"][0] if "scenario" in inp.forecast.columns and inp.forecast.height else ""
    age = data_age_years(inp.latest_year, generated_at)
    from toolkit.progress import track

    context = _context(inp)  # gemeente and country values of every signal, once for the whole page
    sections = [_section(inp, gm, name, years, horizon_year, t, lang, all_forecast, context)
                for gm, name in track(sorted(inp.gemeenten.items()), "wijk pages per gemeente")]
    return render("wijkprofielen.html.j2", lang, gemeenten=sections, generated_at=generated_at, version=version,
                  horizon_year=horizon_year, years=years, latest_year=inp.latest_year, scenario=scenario,
                  data_age=age if age is not None and age > MAX_DATA_AGE else None, synthetic=inp.synthetic,
                  min_list=MIN_WIJKEN_FOR_LIST, ranking_year=(inp.ranking or {}).get("to_year"))
