"""Issue 12: with records the wijk page answers "which wijken grow fastest, per care type" with the interval;
without records it has no such section, and withheld wijken never appear in it with numbers."""

from __future__ import annotations

import re

import polars as pl


def _ranking_section(html: str) -> str:
    start = html.index('class="ranking-block"')
    return html[start:html.index("</section>", start)]


def test_the_wijk_page_ranks_wijken_per_care_type_with_the_interval_only_with_records(demo_out, den_haag_out):
    html = (demo_out / "wijkprofielen.html").read_text(encoding="utf-8")
    part = _ranking_section(html)
    for care in ("Alle jeugdzorg", "Jeugdhulp zonder verblijf", "Jeugdhulp met verblijf", "Jeugdbescherming"):
        assert care in part
    assert "SYNTHETISCHE" in part and "met ruis voor privacy" in part
    rows = re.findall(r"<tr><td><a href=\"#card-(WK\d+)\">.*?</tr>", part)
    blocks = part.count("<table class=\"rank\">")
    assert blocks >= 4 and 0 < len(rows) <= 5 * blocks
    # every row has a Dutch-formatted 80% interval: "-17,8% tot +1.552,3%"
    intervals = re.findall(r"[+-]?[\d.]+,\d%&nbsp;tot&nbsp;[+-]?[\d.]+,\d%", part)
    assert len(intervals) == len(rows)
    withheld = set(pl.read_csv(demo_out / "profiles.csv").filter(pl.col("status") != "ok")["region_code"])
    assert withheld and not withheld & set(rows)

    assert 'class="ranking-block"' not in (den_haag_out / "wijkprofielen.html").read_text(encoding="utf-8")
