"""`wijksignaal demo-records`: write a clearly labelled SYNTHETIC youth-care register."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["demo_records", "MSG_WRITTEN"]

MSG_WRITTEN = (
    "SYNTHETIC register (no real child; calibrated to CBS figures of {gemeente}, years {year}): "
    "{rows} trajectories of {children} synthetic children -> {path}"
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
) -> None:
    """Write a synthetic register calibrated to the gemeente's real CBS figures (for demos and tests)."""
    with guarded():
        from ethics._synthetic_history import DEMO_YEARS
        from ethics.synthetic import generate_register, write_register
        from toolkit.panel import build_panel
        from toolkit.releases import parse_years
        from toolkit.sources import load_panel

        years = years or DEMO_YEARS
        span = parse_years(years)
        code = gemeente.strip().upper()
        panel = build_panel(load_panel(), [code])
        frame = generate_register(panel.frame, code, year=span[-1], years=span)
        path = write_register(frame, out)
        typer.echo(
            MSG_WRITTEN.format(
                gemeente=code,
                year=years,
                rows=frame.height,
                children=frame["client_id"].n_unique(),
                path=path,
            )
        )
