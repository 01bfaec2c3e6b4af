"""The `wijksignaal` command line: a thin typer app, one module per command.

Heavy libraries are imported inside the command functions, so `wijksignaal --help` answers fast.
"""

from __future__ import annotations

import typer

from toolkit.cli import data as _data
from toolkit.cli import demo_records as _demo
from toolkit.cli import ledger as _ledger
from toolkit.cli import run as _run
from toolkit.cli import validate as _validate

__all__ = ["app", "main"]

app = typer.Typer(
    name="wijksignaal",
    help="Collective wijk profiles and 5-year youth-care forecasts, with a privacy and fairness audit. "
         "Never scores a child or a family.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.command("run")(_run.run)
app.command("validate")(_validate.validate)
app.command("demo-records")(_demo.demo_records)
app.add_typer(_ledger.app, name="ledger")
app.add_typer(_data.app, name="data")


def main() -> None:
    """Console-script entry point."""
    app()
