"""Small inline SVG charts built in Python: no JavaScript, no fonts or files fetched at view time.

Every text that comes from data passes `markupsafe.escape`; each chart carries a <title> and <desc> for
screen readers (role="img"), and the pages show the same numbers in a table next to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

__all__ = ["VERDICT_COLOURS", "fan_chart", "ci_bars", "rate_bars", "line_chart", "segments"]

VERDICT_COLOURS = {"pass": "#1a7f37", "flag": "#9a6700", "fail": "#cf222e"}
INK, MUTED, BAND, LINE = "#1f2328", "#59636e", "#b6d4f2", "#0b5cad"


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    n = hashlib.sha1(f"{title}|{desc}".encode()).hexdigest()[:10]  # stable ids: same run, same page
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="c{n}t c{n}d" class="chart"><title id="c{n}t">{escape(title)}</title>'
        f'<desc id="c{n}d">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11, fill: str = MUTED) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
        f"{escape(text)}</text>"
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    mag = 10 ** len(str(int(value))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if step * mag >= value:
            return step * mag
    return 10 * mag


def _frame(box: tuple[int, int, int, int, int, int], x0: int, x1: int, y_max: float, title: str, desc: str,
           fmt: Callable[[float], str]) -> tuple[Callable[[float], float], Callable[[float], float], list[str], str]:
    """The shared frame of the year charts: x and y scales, the opening tag and three labelled grid lines.
    `box` is (width, height, left, right, top, bottom); returns (px, py, parts, closing tag)."""
    w, h, left, right, top, bottom = box

    def px(year: float) -> float:
        return left + (year - x0) / max(x1 - x0, 1) * (w - left - right)

    def py(v: float) -> float:
        return top + (1 - v / y_max) * (h - top - bottom)

    head, tail = _open(w, h, title, desc)
    parts = [head]
    for frac in (0, 0.5, 1):
        y = py(y_max * frac)
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>')
        parts.append(_text(left - 4, y + 4, fmt(y_max * frac), "end", 10))
    return px, py, parts, tail


def fan_chart(
    history: Sequence[tuple[int, float | None]],
    forecast: Sequence[tuple[int, float, float, float]],
    title: str,
    desc: str,
    fmt: Callable[[float], str],
    first_year: int | None = None,
) -> Markup:
    """History (solid line, dots) and forecast (dashed line) with its interval band; x = years."""
    w, h, left, right, top, bottom = 320, 170, 72, 22, 10, 26
    years = [y for y, _ in history] + [y for y, *_ in forecast] + ([first_year] if first_year else [])
    if not years:
        return Markup("")
    known = [v for _, v in history if v is not None] + [hi for *_, hi in forecast]
    y_max = _nice_max(max(known, default=1.0) * 1.05)
    x0, x1 = min(years), max(years)

    px, py, parts, tail = _frame((w, h, left, right, top, bottom), x0, x1, y_max, title, desc, fmt)
    step = 1 if x1 - x0 <= 6 else 2
    for year in range(x0, x1 + 1):
        if (x1 - year) % step == 0:
            parts.append(_text(px(year), h - 8, str(year), "middle", 10))
    if forecast:
        upper = " ".join(f"{px(y):.1f},{py(hi):.1f}" for y, _, _, hi in forecast)
        lower = " ".join(f"{px(y):.1f},{py(lo):.1f}" for y, _, lo, _ in reversed(forecast))
        parts.append(f'<polygon points="{upper} {lower}" fill="{BAND}" opacity="0.8"/>')
        mid = " ".join(f"{px(y):.1f},{py(m):.1f}" for y, m, _, _ in forecast)
        last = [(y, v) for y, v in history if v is not None][-1:]
        if last:
            mid = f"{px(last[0][0]):.1f},{py(last[0][1]):.1f} " + mid
        parts.append(
            f'<polyline points="{mid}" fill="none" stroke="{LINE}" stroke-width="2" stroke-dasharray="5 3"/>'
        )
    seen = [(y, v) for y, v in history if v is not None]
    for seg in segments(history):
        pts = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in seg)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{INK}" stroke-width="2"/>')
    parts += [f'<circle cx="{px(y):.1f}" cy="{py(v):.1f}" r="2.5" fill="{INK}"/>' for y, v in seen]
    return Markup("".join(parts) + tail)


def segments(points: Sequence[tuple[int, float | None]]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive years with a value: a missing value or a missing year breaks the line.

    >>> segments([(2018, 1.0), (2019, None), (2020, 2.0), (2021, 3.0), (2022, 4.0), (2024, 5.0)])
    [[(2018, 1.0)], [(2020, 2.0), (2021, 3.0), (2022, 4.0)], [(2024, 5.0)]]
    """
    out: list[list[tuple[int, float]]] = []
    prev = None
    for year, value in sorted(points, key=lambda p: p[0]):
        if value is None:
            prev = None
            continue
        if prev is None or year != prev + 1:
            out.append([])
        out[-1].append((year, value))
        prev = year
    return out


LINE_STYLES = ((INK, ""), ("#8250df", "6 3"), ("#59636e", "2 3"))


def line_chart(series: Sequence[tuple[str, Sequence[tuple[int, float | None]]]], years: Sequence[int], title: str,
               desc: str, fmt: Callable[[float], str]) -> Markup:
    """Up to three lines over `years` (wijk solid, gemeente dashed, country dotted); gaps stay gaps and
    every year of `years` gets a tick, so a missing year is visible as one."""
    w, h, left, right, top, bottom = 320, 150, 46, 20, 10, 40
    values = [v for _, pts in series for _, v in pts if v is not None]
    if not values or not years:
        return Markup("")
    y_max, x0, x1 = _nice_max(max(values) * 1.1), min(years), max(years)

    px, py, parts, tail = _frame((w, h, left, right, top, bottom), x0, x1, y_max, title, desc, fmt)
    for year in range(x0, x1 + 1):
        parts.append(_text(px(year), h - 26, str(year), "middle", 10, MUTED if year in years else "#b0b7bf"))
    for i, (label, pts) in enumerate(series[:3]):
        colour, dash = LINE_STYLES[i]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for seg in segments(pts):
            xy = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in seg)
            parts.append(f'<polyline points="{xy}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
            parts += [f'<circle cx="{px(y):.1f}" cy="{py(v):.1f}" r="2" fill="{colour}"/>' for y, v in seg]
        lx = left + i * 95
        parts.append(f'<line x1="{lx}" x2="{lx + 16}" y1="{h - 8}" y2="{h - 8}" stroke="{colour}" '
                     f'stroke-width="2"{dash_attr}/>')
        parts.append(_text(lx + 20, h - 4, label, "start", 10, INK))
    return Markup("".join(parts) + tail)


def ci_bars(
    rows: Sequence[tuple[str, float, float, float, str]],
    reference: float,
    title: str,
    desc: str,
    fmt: Callable[[float], str],
    ref_label: str,
) -> Markup:
    """One horizontal bar per group (label, value, ci_low, ci_high, verdict) with its interval and the
    level of all wijken as a dashed line; the verdict colour is repeated as a word in the table beside it."""
    w, row_h, label_w, right = 600, 26, 250, 60
    h = 30 + row_h * len(rows)
    lo = min([0.0, reference] + [r[2] for r in rows])
    hi = max([reference] + [r[3] for r in rows] + [r[1] for r in rows]) or 1.0
    span = (hi - lo) or 1.0

    def px(v: float) -> float:
        return label_w + 45 + (v - lo) / span * (w - label_w - 45 - right)  # 45: room for a negative label

    head, tail = _open(w, h, title, desc)
    parts = [head]
    for i, (label, value, c_lo, c_hi, verdict) in enumerate(rows):
        y = 8 + i * row_h
        colour = VERDICT_COLOURS.get(verdict, MUTED)
        x0, x1 = sorted((px(0.0 if lo <= 0 else lo), px(value)))
        parts.append(_text(label_w - 6, y + 14, label, "end", 11, INK))
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 10}" '
            f'fill="{colour}" opacity="0.85"/>'
        )
        parts.append(
            f'<line x1="{px(c_lo):.1f}" x2="{px(c_hi):.1f}" y1="{y + 11}" y2="{y + 11}" '
            f'stroke="{INK}" stroke-width="1.5"/>'
        )
        if value < 0:  # the label goes beyond the far end of the bar and its interval
            parts.append(_text(px(min(c_lo, value)) - 4, y + 15, fmt(value), "end", 10, INK))
        else:
            parts.append(_text(px(max(c_hi, value)) + 4, y + 15, fmt(value), "start", 10, INK))
    rx = px(reference)
    parts.append(
        f'<line x1="{rx:.1f}" x2="{rx:.1f}" y1="2" y2="{h - 18}" stroke="{INK}" stroke-dasharray="4 3"/>'
    )
    parts.append(_text(rx, h - 5, f"{ref_label}: {fmt(reference)}", "middle", 10, INK))
    return Markup("".join(parts) + tail)


def rate_bars(
    observed: float, expected: float, labels: tuple[str, str], title: str, fmt: Callable[[float], str]
) -> Markup:
    """Two short bars: observed and expected rate of a wijk."""
    w, h, label_w = 300, 52, 90
    top = _nice_max(max(observed, expected, 0.1) * 1.1)
    head, tail = _open(w, h, title, f"{labels[0]} {fmt(observed)}, {labels[1]} {fmt(expected)}")
    parts = [head]
    for i, (label, value, colour) in enumerate(((labels[0], observed, INK), (labels[1], expected, LINE))):
        y = 4 + i * 24
        width = value / top * (w - label_w - 50)
        parts.append(_text(label_w - 6, y + 13, label, "end", 11, INK))
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{max(width, 1):.1f}" height="14" fill="{colour}"/>'
        )
        parts.append(_text(label_w + width + 4, y + 13, fmt(value), "start", 11, INK))
    return Markup("".join(parts) + tail)
