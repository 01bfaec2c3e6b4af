"""Choropleth maps of a gemeente's wijken as inline SVG, projected in Python from the embedded 2024 map.

The GeoJSON is in WGS84 lon/lat; an equirectangular projection scaled by cos(latitude) is true enough at
the size of a gemeente. Every wijk is a link to its card (keyboard focusable, with a <title>), carries
`data-wijk` with its code, and is drawn even without a value: withheld wijken get a hatched fill and the
word "withheld" in their title, never the colour of zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

__all__ = ["Shade", "choropleth", "classify", "RISK_PALETTE", "GROWTH_PALETTE", "NODATA_FILL", "WATER_FILL",
           "UNSURE_FILL"]

# Colour-blind safe sequential (risk) and diverging (growth) palettes; text never sits on them.
RISK_PALETTE = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")
GROWTH_PALETTE = ("#5e3c99", "#b2abd2", "#f7f7f7", "#fdb863", "#e66101")  # purple = decline, orange = growth
WITHHELD_FILL, NODATA_FILL, WATER_FILL = "url(#hatch)", "#bdbdbd", "#d4ecfa"
WIDTH = 640


@dataclass(frozen=True)
class Shade:
    """What one wijk shows: its fill and the sentence in its <title>."""

    fill: str
    label: str


def classify(value: float, breaks: Sequence[float], palette: Sequence[str]) -> str:
    """The palette colour of the class `value` falls in (len(palette) == len(breaks) + 1).

    >>> classify(55, (20, 40, 60, 80), RISK_PALETTE) == RISK_PALETTE[2]
    True
    """
    for brk, colour in zip(breaks, palette, strict=False):
        if value < brk:
            return colour
    return palette[len(breaks)]


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def _projector(features: list[dict[str, Any]]) -> tuple[Callable[[float, float], tuple[float, float]], float]:
    pts = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((south + north) / 2))
    scale = (WIDTH - 8) / max((east - west) * kx, 1e-9)
    height = (north - south) * scale + 8

    def project(lon: float, lat: float) -> tuple[float, float]:
        return 4 + (lon - west) * kx * scale, 4 + (north - lat) * scale

    return project, height


def _path(geometry: dict[str, Any], project: Callable[[float, float], tuple[float, float]]) -> str:
    out = []
    for ring in _rings(geometry):
        xy = [project(lon, lat) for lon, lat, *_ in ring]
        out.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
    return "".join(out)


_DEFS = (
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f2f2f2"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#8c959f" stroke-width="2"/></pattern>'
    '<pattern id="unsure" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">'
    '<rect width="8" height="8" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="8" stroke="#d0a36b" '
    'stroke-width="1.2"/></pattern></defs>'
)
UNSURE_FILL = "url(#unsure)"


def choropleth(
    geojson: dict[str, Any], shades: dict[str, Shade], map_id: str, title: str, desc: str, fallback: Shade
) -> Markup:
    """One SVG with a focusable, titled path per wijk feature; `fallback` for wijken without a shade."""
    features = [f for f in geojson["features"] if _rings(f["geometry"])]
    if not features:
        return Markup("")
    project, height = _projector(features)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'class="map" id="{escape(map_id)}" data-map="{escape(map_id)}" role="group" '
        f'aria-labelledby="{escape(map_id)}-t"><title id="{escape(map_id)}-t">{escape(title)}</title>'
        f"<desc>{escape(desc)}</desc>"
        + _DEFS.replace("hatch", f"hatch-{map_id}").replace('id="unsure', f'id="unsure-{map_id}')
    ]
    for f in sorted(features, key=lambda f: f["properties"]["wijkcode"]):
        code, name = f["properties"]["wijkcode"], f["properties"].get("wijknaam") or ""
        shade = shades.get(code, fallback)
        fill = shade.fill.replace("#hatch", f"#hatch-{map_id}").replace("#unsure", f"#unsure-{map_id}")
        label = f"{name} ({code}): {shade.label}"
        parts.append(
            f'<a href="#card-{escape(code)}" aria-label="{escape(label)}">'
            f'<path d="{_path(f["geometry"], project)}" data-wijk="{escape(code)}" fill="{fill}" '
            f'stroke="#57606a" stroke-width="0.8" fill-rule="evenodd"><title>{escape(label)}</title>'
            "</path></a>"
        )
    return Markup("".join(parts) + "</svg>")
