"""The two maps of a gemeente on wijkprofielen.html: risk index and forecast growth, with their legends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from toolkit.reports.i18n import fmt_num, fmt_pct
from toolkit.reports.maps import (
    GROWTH_PALETTE,
    NODATA_FILL,
    RISK_PALETTE,
    UNSURE_FILL,
    WATER_FILL,
    Shade,
    choropleth,
    classify,
)

__all__ = ["RISK_BREAKS", "GROWTH_BREAKS", "gemeente_maps"]

RISK_BREAKS = (20.0, 40.0, 60.0, 80.0)
GROWTH_BREAKS = (-10.0, -2.0, 2.0, 10.0)


def _legend(
    t: Any, lang: str, breaks: tuple[float, ...], palette: tuple[str, ...], unit: str, unsure: bool = False
) -> list[dict[str, Any]]:
    edges = ["", *(fmt_num(b, 0, lang) for b in breaks), ""]
    items = []
    for i, colour in enumerate(palette):
        lo, hi = edges[i], edges[i + 1]
        label = (
            f"< {hi}{unit}" if not lo else f"\u2265 {lo}{unit}" if not hi else f"{lo} {t('to')} {hi}{unit}"
        )
        items.append({"fill": colour, "label": label, "hatched": False})
    if unsure:
        items.append({"fill": "", "label": t("map.uncertain"), "hatched": False, "unsure": True})
    return [
        *items,
        {"fill": "", "label": t("withheld"), "hatched": True},
        {"fill": NODATA_FILL, "label": t("map.nodata"), "hatched": False},
        {"fill": WATER_FILL, "label": t("map.water"), "hatched": False},
    ]


def _shades(
    rows: pl.DataFrame,
    col: str,
    breaks: tuple[float, ...],
    palette: tuple[str, ...],
    t: Any,
    fmt: Callable[[float], str],
) -> dict[str, Shade]:
    out = {}
    for r in rows.iter_rows(named=True):
        value, status = r.get(col), r.get("status")
        if status != "ok" or value is None:
            label = t("status." + status) if status in ("secret", "too_small") else t("withheld")
            out[r["region_code"]] = Shade("url(#hatch)", label)
        elif r.get("certain") is False:
            out[r["region_code"]] = Shade(UNSURE_FILL, f"{fmt(value)}, {t('map.uncertain')}")
        else:
            out[r["region_code"]] = Shade(classify(value, breaks, palette), fmt(value))
    return out


def gemeente_maps(
    geo: dict[str, Any],
    profiles: pl.DataFrame,
    growth: pl.DataFrame,
    gm: str,
    horizon_year: int,
    t: Any,
    lang: str,
) -> list[dict[str, Any]]:
    """Both maps of gemeente `gm`: id, title, legend items and the SVG."""
    water = {
        f["properties"]["wijkcode"]: Shade(WATER_FILL, t("map.water"))
        for f in geo["features"]
        if f["properties"]["wijkcode"].endswith("99")
    }
    risk = _shades(profiles, "risk_index", RISK_BREAKS, RISK_PALETTE, t, lambda v: fmt_num(v, 0, lang))
    grow = _shades(
        growth,
        "growth_pct",
        GROWTH_BREAKS,
        GROWTH_PALETTE,
        t,
        lambda v: ("+" if v > 0 else "") + fmt_pct(v, 1, lang),
    )
    specs = [
        ("risk", t("map.risk"), risk, RISK_BREAKS, RISK_PALETTE, ""),
        ("growth", t("map.growth", year=horizon_year), grow, GROWTH_BREAKS, GROWTH_PALETTE, "%"),
    ]
    nodata = Shade(NODATA_FILL, t("map.nodata"))
    return [
        {
            "id": f"map-{kind}-{gm}",
            "title": title,
            "legend": _legend(t, lang, breaks, pal, unit, unsure=kind == "growth"),
            "svg": choropleth(geo, {**water, **shades}, f"map-{kind}-{gm}", title, t("map.hint"), nodata),
        }
        for kind, title, shades, breaks, pal, unit in specs
    ]
