"""`wijksignaal validate PATH`: check a records or indicator file, list every problem, write nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["validate"]


def validate(path: Annotated[Path, typer.Argument(help="A records or CBS KWB indicator file.")]) -> None:
    """Check a file and list every problem with file, row, column and rule."""
    with guarded():
        from ethics.errors import ConfigError

        raise ConfigError(f"validate is not available yet for {path}.")
