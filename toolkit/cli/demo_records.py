"""`wijksignaal demo-records`: write a clearly labelled SYNTHETIC register (youth care or Wmo)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["demo_records", "MSG_WRITTEN", "MSG_WRITTEN_WMO"]

MSG_WRITTEN = (
    "SYNTHETIC register (no real child; calibrated to CBS figures of {gemeente}, years {year}): "
    "{rows} trajectories of {children} synthetic children -> {path}"
)
MSG_WRITTEN_WMO = (
    "SYNTHETIC Wmo register (no real person; calibrated to CBS Wmo figures of {gemeente}, years {year}): "
    "{rows} provisions of {children} synthetic clients -> {path}"
)


def demo_records(
    gemeente: Annotated[str, typer.Option(help="CBS gemeente code.")] = "GM0518",
    out: Annotated[
        Path,
        typer.Option(
            help="Output file (.csv or .parquet); the name gets -SYNTHETIC unless it says synthetic."
        ),
    ] = Path("demo-records-SYNTHETIC.csv"),
    years: Annotated[str | None, typer.Option("--years", help="Years of the register, e.g. 2018-2025 (the "
                                              "default): children who age, move, start, stop and return; one "
                                              "year gives a one-year register.")] = None,
    domain: Annotated[str, typer.Option("--domain", help="jeugd (youth-care trajectories, the default) or wmo "
                                        "(Wmo provisions, calibrated to the CBS Wmo counts of 2021 and 2024).")]
    = "jeugd",
) -> None:
    """Write a synthetic register calibrated to the gemeente's real CBS figures (for demos and tests)."""
    with guarded():
        from ethics._synthetic_history import DEMO_YEARS
        from ethics.synthetic import generate_register, write_register
        from toolkit.domains import get_domain, require_published
        from toolkit.panel import build_panel
        from toolkit.releases import parse_years
        from toolkit.sources import load_panel

        dom = get_domain(domain.strip().lower())
        years = years or DEMO_YEARS
        span = parse_years(years)
        code = gemeente.strip().upper()
        frame = dom.view(load_panel())
        panel = build_panel(frame, [code])
        if not dom.is_default:
            require_published(dom, frame, panel.gemeenten, panel.latest_year)
        register = generate_register(panel.frame, code, year=span[-1], years=span, domain=dom.name)
        path = write_register(register, out)
        typer.echo(
            (MSG_WRITTEN if dom.is_default else MSG_WRITTEN_WMO).format(
                gemeente=code,
                year=years,
                rows=register.height,
                children=register["client_id"].n_unique(),
                path=path,
            )
        )
