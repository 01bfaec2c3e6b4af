"""`wijksignaal ledger show|verify`: the persistent privacy-budget ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli._common import guarded

__all__ = ["app"]

app = typer.Typer(help="The privacy-budget ledger.", no_args_is_help=True)
LedgerOpt = Annotated[Path | None, typer.Option("--ledger", help="Ledger file (default: user data dir).")]


@app.command("show")
def show(ledger: LedgerOpt = None) -> None:
    """Spend and remainder per dataset and reference year."""
    with guarded():
        from ethics.errors import ConfigError

        raise ConfigError(f"ledger show is not available yet ({ledger}).")


@app.command("verify")
def verify(ledger: LedgerOpt = None) -> None:
    """Check the hash chain: detects an edited or deleted row."""
    with guarded():
        from ethics.errors import ConfigError

        raise ConfigError(f"ledger verify is not available yet ({ledger}).")
