"""`wijksignaal demo-records`: write a clearly labelled SYNTHETIC youth-care register."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["demo_records"]


def demo_records(
    gemeente: Annotated[str, typer.Option(help="CBS gemeente code.")] = "GM0518",
    out: Annotated[Path, typer.Option(help="Output CSV file.")] = Path("demo-records-SYNTHETIC.csv"),
) -> None:
    """Write a synthetic register calibrated to the gemeente's real CBS figures (for demos and tests)."""
    with guarded():
        from ethics.errors import ConfigError

        raise ConfigError(f"demo-records is not available yet ({gemeente} -> {out}).")
