"""financien.html: the controller's page on the money side (render only; egress writes it).

One section per gemeente in scope (at most `MAX_GEMEENTEN`; finance.csv holds them all), four questions,
each with a table and one chart: what a client costs, what the gemeente receives, spending against the
youth cluster now and in the forecast years, and where the money goes. Dutch number formats via the
shared filters; texts in Dutch and English in `_finance_texts`, the budget chart in `_finance_chart`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from markupsafe import Markup

from ethics.egress import Document
from toolkit.reports._finance_chart import budget_chart
from toolkit.reports._finance_texts import (
    ACCESS_LABELS,
    BUDGET_LABELS,
    CARE_LABELS,
    DRIVER_LABELS,
    STATUS_LABELS,
    TEXTS,
)
from toolkit.reports._render import render
from toolkit.reports.charts import ci_bars
from toolkit.reports.i18n import fmt_eur, fmt_pct

__all__ = ["MAX_GEMEENTEN", "PAGE_NAME", "render_finance_page"]

PAGE_NAME = "financien.html"
MAX_GEMEENTEN = 25
def _tx(lang: str) -> Callable[[str], Any]:
    i = 0 if lang == "nl" else 1
    return lambda key: TEXTS[key][i]


def _gemeente(money: Any, code: str, lang: str) -> dict[str, Any]:
    i = 0 if lang == "nl" else 1
    eur = lambda v: fmt_eur(v, lang)  # noqa: E731
    price = money.prices.filter(pl.col("gemeente_code") == code).to_dicts()
    nat = money.audit["prices"]["national_ratio_eur"]
    comp = money.comparison.filter(pl.col("gemeente_code") == code).sort("year").to_dicts()
    drivers = money.drivers.filter(pl.col("region_code") == code).sort("year", "circulaire", "driver")
    care = money.care_types.filter(pl.col("region_code") == code)
    access = money.access.filter(pl.col("region_code") == code).sort("year", "taakveld")
    ahead = money.ahead.filter(pl.col("region_code") == code) if money.ahead.height else money.ahead
    return {
        "code": code, "name": money.names.get(code, code),
        "price": price[0] if price and price[0]["price_eur"] else None, "national": nat,
        "type_prices": _type_price_rows(money.type_prices, code, i),
        "forecast_source": money.forecast_sources.get(code),
        "class_label": _class_label(price, i),
        "price_status": STATUS_LABELS.get(price[0]["price_status"], ("", ""))[i] if price else "",
        "price_chart": _price_chart(price[0], nat, lang) if price and price[0]["price_eur"] else Markup(""),
        "comparison": comp, "comp_chart": _comp_chart(comp, money.names.get(code, code), lang),
        "drivers": _driver_rows(drivers, i), "driver_chart": _driver_chart(drivers, i, lang),
        "care": _care_rows(care, i), "care_chart": _care_chart(care, i, lang),
        "access": [{**r, "label": ACCESS_LABELS.get(r["access"], (r["access"],) * 2)[i]} for r in access.to_dicts()],
        "ahead": _ahead_rows(ahead, i), "ahead_chart": _ahead_chart(money, code, ahead, i, lang),
        "eur": eur,
    }


def _type_price_rows(types: pl.DataFrame, code: str, i: int) -> list[dict[str, Any]]:
    nl = {r["care_type"]: r["price_eur"] for r in types.filter(pl.col("region_code") == "NL00").to_dicts()}
    return [{"label": CARE_LABELS.get(r["care_type"], (r["care_type"],) * 2)[i], "clients": r["clients"],
             "price": r["price_eur"], "nl": nl.get(r["care_type"])}
            for r in types.filter(pl.col("region_code") == code).sort("care_type").to_dicts()]


def _class_label(price: list[dict[str, Any]], i: int) -> str:
    if not price:
        return ""
    p = price[0]
    size, urban = p["size_class"].replace("tot", "-").replace("inwoners", " inw."), p["urbanity_class"]
    return {"class": f"{size}, {urban}",
            "size": f"{size}; " + ("klasse te klein, alleen grootte" if i == 0 else "class too small, size only"),
            "all": "alle gemeenten; klasse te klein" if i == 0 else "all gemeenten; class too small"}[
        p["price_class_kind"]]


def _price_chart(p: dict[str, Any], national: float, lang: str) -> Markup:
    nl = lang == "nl"
    rows = [((p["gemeente_name"] + (" (eigen cijfer)" if nl else " (own)")), p["raw_eur"] or 0.0,
             p["raw_eur"] or 0.0, p["raw_eur"] or 0.0, ""),
            ("Gebruikte prijs" if nl else "Price used", p["price_eur"], p["price_eur"], p["price_eur"], "pass"),
            ("Mediaan klasse" if nl else "Class median", p["class_median_eur"], p["band_p01_eur"],
             p["band_p99_eur"], "")]
    return ci_bars(rows, national, "Kosten per cliënt" if nl else "Cost per client",
                   ("Eigen kosten per cliënt, gebruikte prijs en klassemediaan (lijn: 1e-99e percentiel van alle "
                    "gemeenten); stippellijn: landelijke verhouding") if nl else
                   "Own cost per client, price used and class median (line: 1st-99th percentile band); dashed: "
                   "national ratio", lambda v: fmt_eur(v, lang), "Nederland" if nl else "Netherlands")


def _comp_chart(comp: list[dict[str, Any]], name: str, lang: str) -> Markup:
    nl = lang == "nl"
    rows = []
    for r in comp:
        if r.get("tekort_per_youth_eur") is None:
            continue
        rows.append((f"{name} {r['year']}", r["tekort_per_youth_eur"], r["tekort_per_youth_eur"],
                     r["tekort_per_youth_eur"], "fail" if r["tekort_per_youth_eur"] > 0 else "pass"))
        med = r["class_median_tekort_per_youth_eur"]
        rows.append((("Mediaan klasse " if nl else "Class median ") + str(r["year"]), med, med, med, ""))
    if not rows:
        return Markup("")
    return ci_bars(rows, 0.0, "Tekort per jongere" if nl else "Shortfall per youth",
                   ("Uitgaven min jeugdcluster per jongere (positief: tekort), naast de mediaan van gemeenten van "
                    "dezelfde klasse") if nl else "Spending minus youth cluster per youth (positive: shortfall), next "
                   "to the median of its class", lambda v: fmt_eur(v, lang), "0")


def _driver_rows(drivers: pl.DataFrame, i: int) -> list[dict[str, Any]]:
    return [{**r, "label": DRIVER_LABELS.get(r["driver"], (r["driver"],) * 2)[i]} for r in drivers.to_dicts()]


def _driver_chart(drivers: pl.DataFrame, i: int, lang: str) -> Markup:
    last = drivers.filter(pl.col("circulaire") == "S2024")
    rows = [(DRIVER_LABELS.get(d, (d,) * 2)[i], v, v, v, "")
            for d, v in last.select("driver", "amount_eur").iter_rows()]
    if not rows:
        return Markup("")
    nl = lang == "nl"
    return ci_bars(rows, 0.0, "Jeugdcluster 2025 naar maatstaf" if nl else "Youth cluster 2025 by driver",
                   "Bedrag per maatstaf, Septembercirculaire 2024" if nl else "Amount per driver, S2024",
                   lambda v: fmt_eur(v, lang), "0")


def _care_rows(care: pl.DataFrame, i: int) -> list[dict[str, Any]]:
    wide = care.pivot(on="year", index="care_type", values="lasten_eur") if care.height else care
    out = []
    for r in wide.to_dicts():
        a, b = r.get("2023"), r.get("2025")
        change = (b / a - 1) * 100 if a and b is not None else None
        out.append({"label": CARE_LABELS.get(r["care_type"], (r["care_type"],) * 2)[i], "y2023": a,
                    "y2024": r.get("2024"), "y2025": b, "change": change})
    return out


def _care_chart(care: pl.DataFrame, i: int, lang: str) -> Markup:
    rows = [(r["label"], r["change"], r["change"], r["change"], "fail" if r["change"] > 0 else "pass")
            for r in _care_rows(care, i) if r["change"] is not None]
    if not rows:
        return Markup("")
    nl = lang == "nl"
    return ci_bars(rows, 0.0, "Verandering 2023-2025 per zorgvorm" if nl else "Change 2023-2025 by care type",
                   "Begroting 2025 tegenover realisatie 2023, in procenten" if nl else
                   "Budget 2025 against realised 2023, percent", lambda v: fmt_pct(v, 0, lang), "0")


def _ahead_rows(ahead: pl.DataFrame, i: int) -> list[dict[str, Any]]:
    """One table per forecast scenario; per year the cost and both budget scenarios side by side."""
    if ahead.is_empty():
        return []
    keys = ["forecast_scenario", "year", "cost_eur", "cost_lower_eur", "cost_upper_eur"]
    wide = ahead.pivot(on="budget_scenario", index=keys, values=["budget_eur", "tekort_eur", "tekort_lower_eur",
                                                                  "tekort_upper_eur"]).sort("forecast_scenario", "year")
    return [{"scenario": name, "rows": [
        {**r, "budgets": [{"label": BUDGET_LABELS[b][i], "budget": r.get(f"budget_eur_{b}"),
                           "tekort": r.get(f"tekort_eur_{b}"), "lower": r.get(f"tekort_lower_eur_{b}"),
                           "upper": r.get(f"tekort_upper_eur_{b}")} for b in BUDGET_LABELS]}
        for r in part.to_dicts()]} for (name,), part in wide.group_by("forecast_scenario", maintain_order=True)]


def _ahead_chart(money: Any, code: str, ahead: pl.DataFrame, i: int, lang: str) -> Markup:
    if ahead.is_empty():
        return Markup("")
    first = ahead["forecast_scenario"][0]
    rows = ahead.filter(pl.col("forecast_scenario") == first)
    cost = rows.unique("year", keep="first").sort("year")
    forecast = [(y, c, lo, hi) for y, c, lo, hi in cost.select("year", "cost_eur", "cost_lower_eur",
                                                               "cost_upper_eur").iter_rows()]
    spend = money.comparison.filter(pl.col("gemeente_code") == code).sort("year")
    history = [(y, v) for y, v in spend.select("year", "lasten_eur").iter_rows() if v is not None]
    budgets = {BUDGET_LABELS[b][i]: [(y, v) for y, v in rows.filter(pl.col("budget_scenario") == b).sort("year")
                                     .select("year", "budget_eur").iter_rows()] for b in BUDGET_LABELS}
    nl = lang == "nl"
    return budget_chart(history, forecast, {k: v for k, v in budgets.items() if v},
                        ("Uitgaven, prognose en budget: " if nl else "Spending, forecast and budget: ") + first,
                        ("Lijn: Iv3-uitgaven 2023-2025; stippel en band: prognose met 80%-interval; gekleurde "
                         "lijnen: jeugdcluster (bekend voor 2024-2025, daarna doorgetrokken)") if nl else
                        "Line: Iv3 spending 2023-2025; dashed with band: forecast with 80% interval; coloured: "
                        "youth cluster (known for 2024-2025, carried forward after)", lambda v: fmt_eur(v, lang))


def render_finance_page(money: Any, lang: str, generated_at: str = "", version: str = "") -> Document:
    """The controller's page as an egress Document."""
    codes = sorted({c for c in money.table["region_code"].unique().to_list() if c.startswith("GM")})
    sections = [_gemeente(money, c, lang) for c in codes[:MAX_GEMEENTEN]]
    html = render("financien.html.j2", lang, tx=_tx(lang), gemeenten=sections, more=len(codes) > MAX_GEMEENTEN,
                  audit=money.audit, generated_at=generated_at, version=version)
    return Document(PAGE_NAME, html)
