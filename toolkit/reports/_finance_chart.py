"""The one chart of financien.html that charts.py lacks: spending, forecast band and budget lines."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from toolkit.reports.charts import INK, LINE, _frame, _nice_max, _text

__all__ = ["budget_chart"]


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
    px, py, parts, tail = _frame((w, h, left, right, top, bottom), x0, x1, y_max, title, desc, fmt)
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
