"""financien.html: the controller's page on the money side (render only; egress writes it).

One section per gemeente in scope (at most `MAX_GEMEENTEN`; finance.csv holds them all), four questions,
each with a table and one chart: what a client costs, what the gemeente receives, spending against the
youth cluster now and in the forecast years, and where the money goes. Dutch number formats via the
shared filters; texts in Dutch and English below (`TEXTS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from markupsafe import Markup

from ethics.egress import Document
from toolkit.reports._render import render
from toolkit.reports.charts import INK, LINE, _nice_max, _open, _text, ci_bars
from toolkit.reports.i18n import fmt_eur, fmt_pct

__all__ = ["MAX_GEMEENTEN", "PAGE_NAME", "TEXTS", "render_finance_page", "budget_chart"]

PAGE_NAME = "financien.html"
MAX_GEMEENTEN = 25
CARE_LABELS = {
    "jeugdhulp_zonder_verblijf": ("Jeugdhulp zonder verblijf", "Youth care without residence"),
    "jeugdhulp_met_verblijf": ("Jeugdhulp met verblijf", "Youth care with residence"),
    "jeugdhulp_pgb": ("Pgb jeugd (apart vanaf 2025)", "Personal budgets (separate from 2025)"),
    "jeugdbescherming": ("Jeugdbescherming", "Youth protection"),
    "jeugdreclassering": ("Jeugdreclassering", "Youth probation"),
}
ACCESS_LABELS = {
    "wijkteams_alle_domeinen": ("Wijkteams, alle domeinen (6.2)", "Neighbourhood teams, all domains (6.2)"),
    "toegang_jeugd": ("Toegang jeugd (6.22)", "Access youth (6.22)"),
    "beleid_jeugd": ("Coördinatie en beleid jeugd (6.92)", "Coordination and policy youth (6.92)"),
}
DRIVER_LABELS = {
    "jongeren": ("Jongeren (jong)", "Youths (jong)"),
    "lage_inkomens": ("Huishoudens met laag inkomen (lidr_w_nw)", "Low-income households (lidr_w_nw)"),
    "centrumfunctie": ("Regionale centrumfunctie (cf.regionaal)", "Regional centre function (cf.regionaal)"),
    "adressendichtheid": ("Omgevingsadressendichtheid (oadw)", "Address density (oadw)"),
}
BUDGET_LABELS = {"budget_flat": ("budget reëel gelijk", "budget flat in real terms"),
                 "budget_indexed": ("budget geïndexeerd", "budget indexed")}
STATUS_LABELS = {
    "own": ("eigen cijfer", "own figure"),
    "class_median_implausible": ("klassemediaan (eigen cijfer onwaarschijnlijk)", "class median (own implausible)"),
    "class_median_missing": ("klassemediaan (eigen cijfer ontbreekt)", "class median (own missing)"),
}
TEXTS = {
    "title": ("Financiën jeugdhulp", "Youth-care finances"),
    "intro": ("Wat de gemeente uitgeeft aan jeugdhulp (CBS Iv3), wat zij ervoor ontvangt (cluster Individuele "
              "voorzieningen Jeugd van het Gemeentefonds) en het tekort dat de prognose laat zien.",
              "What the gemeente spends on youth care (CBS Iv3), what it receives for it (Gemeentefonds cluster "
              "Individuele voorzieningen Jeugd) and the shortfall the forecast shows."),
    "q1": ("1. Wat kost een jongere met jeugdhulp?", "1. What does a youth in care cost?"),
    "q2": ("2. Hoeveel ontvangt de gemeente?", "2. What does the gemeente receive?"),
    "q3": ("3. Uitgaven tegenover het budget", "3. Spending against the budget"),
    "q3b": ("4. Hoe erg wordt het? Tekort in de prognosejaren", "4. How bad will it get? Shortfall ahead"),
    "q4": ("5. Waar gaat het geld heen?", "5. Where does the money go?"),
    "leaves_out": ("Wat deze vergelijking niet zegt", "What this comparison cannot say"),
    "caveats": (
        ("Het Gemeentefonds is niet geoormerkt: het jeugdcluster is een maat voor de behoefte, geen geld dat "
         "voor jeugdhulp apart staat. Een gemeente betaalt jeugdhulp uit het hele fonds en eigen inkomsten.",
         "Wijkteams en toegang (Iv3 6.2, voor alle domeinen; vanaf 2025 6.22 Toegang jeugd) en beleid (6.92) "
         "staan apart geboekt en zitten niet in de uitgaven hieronder; ze staan apart vermeld.",
         "2024 en 2025 zijn begrotingen van de gemeente zelf, geen realisaties; 2023 is gerealiseerd. Het "
         "jeugdcluster van 2023 zit niet in de gegevens, dus 2023 heeft geen budget om mee te vergelijken.",
         "De prognose rekent met de kosten per cliënt van 2023 in prijzen van 2023 (geen indexatie tenzij "
         "ingesteld); het cluster is in euro's van het eigen jaar. Zonder indexatie is het tekort daardoor "
         "te laag ingeschat."),
        ("The Gemeentefonds is not earmarked: the youth cluster measures need, it is not money set aside for "
         "youth care. A gemeente pays for youth care from the whole fund and its own income.",
         "Youth teams and access (Iv3 6.2, all domains; from 2025 6.22 Access youth) and policy (6.92) are "
         "booked apart and are not in the spending below; they are shown separately.",
         "2024 and 2025 are the gemeente's own budgets, not realisations; 2023 is realised. The 2023 youth "
         "cluster is not in the data, so 2023 has no budget to compare with.",
         "The forecast uses the 2023 cost per client in 2023 prices (no indexation unless configured); the "
         "cluster is in euros of its own year. Without indexation the shortfall is therefore understated."),
    ),
    "source": ("Bron: CBS (Iv3), BZK (Gemeentefonds); CBS (jongeren met jeugdhulp).",
               "Source: CBS (Iv3), BZK (Gemeentefonds); CBS (youths with youth care)."),
    "more": ("Meer gemeenten dan op deze pagina passen: finance.csv bevat ze allemaal.",
             "More gemeenten than fit on this page: finance.csv holds them all."),
}


def _tx(lang: str) -> Callable[[str], Any]:
    i = 0 if lang == "nl" else 1
    return lambda key: TEXTS[key][i]


def budget_chart(history: list[tuple[int, float]], forecast: list[tuple[int, float, float, float]],
                 budgets: dict[str, list[tuple[int, float]]], title: str, desc: str,
                 fmt: Callable[[float], str]) -> Markup:
    """Spending (solid), forecast euros (dashed, 80% band) and the budget lines (one per scenario)."""
    w, h, left, right, top, bottom = 600, 220, 80, 130, 10, 26
    points = [v for _, v in history] + [hi for *_, hi in forecast] + [v for b in budgets.values() for _, v in b]
    years = [y for y, _ in history] + [y for y, *_ in forecast] + [y for b in budgets.values() for y, _ in b]
    if not years:
        return Markup("")
    y_max, x0, x1 = _nice_max(max(points) * 1.05), min(years), max(years)

    def px(year: float) -> float:
        return left + (year - x0) / max(x1 - x0, 1) * (w - left - right)

    def py(v: float) -> float:
        return top + (1 - v / y_max) * (h - top - bottom)

    head, tail = _open(w, h, title, desc)
    parts = [head]
    for frac in (0, 0.5, 1):
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{py(y_max * frac):.1f}" y2="{py(y_max * frac):.1f}" '
                     'stroke="#d0d7de"/>')
        parts.append(_text(left - 4, py(y_max * frac) + 4, fmt(y_max * frac), "end", 10))
    parts += [_text(px(y), h - 8, str(y), "middle", 10) for y in range(x0, x1 + 1)]
    if forecast:
        band = " ".join(f"{px(y):.1f},{py(hi):.1f}" for y, _, _, hi in forecast) + " " + " ".join(
            f"{px(y):.1f},{py(lo):.1f}" for y, _, lo, _ in reversed(forecast))
        parts.append(f'<polygon points="{band}" fill="#b6d4f2" opacity="0.8"/>')
        mid = " ".join(f"{px(y):.1f},{py(m):.1f}" for y, m, _, _ in forecast)
        parts.append(f'<polyline points="{mid}" fill="none" stroke="{LINE}" stroke-width="2" stroke-dasharray="5 3"/>')
    label_y: list[float] = []
    for (name, line), colour in zip(budgets.items(), ("#cf222e", "#9a6700"), strict=False):
        pts = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in line)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        y_label = py(line[-1][1]) + 4
        while any(abs(y_label - other) < 12 for other in label_y):  # keep the labels of close lines apart
            y_label += 12
        label_y.append(y_label)
        parts.append(_text(px(line[-1][0]) + 4, y_label, name, "start", 10, colour))
    if history:
        pts = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in history)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{INK}" stroke-width="2"/>')
        parts += [f'<circle cx="{px(y):.1f}" cy="{py(v):.1f}" r="2.5" fill="{INK}"/>' for y, v in history]
    return Markup("".join(parts) + tail)


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
                        "Uitgaven, prognose en budget" if nl else "Spending, forecast and budget",
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
